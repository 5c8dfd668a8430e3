# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-preempt
gnt-preempt_LIBS := mm_util
