# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-2dom
gnt-2dom_LIBS := mm_util
