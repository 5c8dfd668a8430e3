# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-wake
sched-wake_LIBS := mm_util sched_util
