# SPDX-License-Identifier: GPL-2.0-only
# timer-storm-2dom: a domU's timer storm must not starve dom0
GUEST_TESTS += timer-storm-2dom
timer-storm-2dom_LIBS := mm_util sched_util
timer-storm-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
timer-storm-2dom_DOMU_MODULES := timer-storm-peer --domU mem=16M vcpus=32
