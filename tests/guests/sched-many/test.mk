# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-many
sched-many_LIBS := mm_util sched_util
