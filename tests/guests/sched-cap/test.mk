# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-cap
sched-cap_LIBS := mm_util sched_util
