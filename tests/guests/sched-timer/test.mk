# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-timer
sched-timer_LIBS := mm_util sched_util
sched-timer_LAMINA_ONLY := needs boot-time domUs (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
sched-timer_DOMU_MODULES := sched-spin --domU mem=16M
