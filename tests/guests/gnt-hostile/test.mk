# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-hostile
gnt-hostile_LIBS := mm_util
