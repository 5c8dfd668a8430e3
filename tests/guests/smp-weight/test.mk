# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-weight
smp-weight_LIBS := mm_util sched_util smp
