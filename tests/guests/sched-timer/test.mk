# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-timer
sched-timer_LIBS := mm_util sched_util
