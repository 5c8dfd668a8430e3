# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-weight
sched-weight_LIBS := mm_util sched_util
