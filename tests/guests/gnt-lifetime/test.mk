# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-lifetime
gnt-lifetime_LIBS := mm_util
