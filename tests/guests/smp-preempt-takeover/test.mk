# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-preempt-takeover
smp-preempt-takeover_LIBS := mm_util smp big_tree
smp-preempt-takeover_SMP := 2
