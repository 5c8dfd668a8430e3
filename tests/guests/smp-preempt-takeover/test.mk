# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-preempt-takeover
smp-preempt-takeover_LIBS := mm_util smp big_tree
smp-preempt-takeover_SMP := 2
# The takeover really happened: tables were left partial and picked up again.
smp-preempt-takeover_LAMINA_LOG_EXPECT := [1-9][0-9]* table\(s\) left partial, [1-9][0-9]* resumed
