# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-limits
gnt-limits_LIBS := mm_util
