# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-preempt
gnt-preempt_LIBS := mm_util
gnt-preempt_LAMINA_LOG_EXPECT := preempt: .*grant_table_op [1-9]
