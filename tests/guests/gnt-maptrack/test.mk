# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-maptrack
gnt-maptrack_LIBS := mm_util
