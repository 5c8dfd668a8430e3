# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-preempt
mm-preempt_LIBS := mm_util big_tree
