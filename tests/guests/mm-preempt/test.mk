# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-preempt
mm-preempt_LIBS := mm_util big_tree
mm-preempt_LAMINA_LOG_EXPECT := preempt: [1-9][0-9]* continuation
