# SPDX-License-Identifier: GPL-2.0-only
# timer-periodic-race-2dom: the periodic-timer race made by an unprivileged domU (2 vCPUs)
GUEST_TESTS += timer-periodic-race-2dom
timer-periodic-race-2dom_DIR := domu-attack
timer-periodic-race-2dom_LIBS := mm_util
timer-periodic-race-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
timer-periodic-race-2dom_SMP := 2
timer-periodic-race-2dom_DOMU_MODULES := timer-periodic-race --domU mem=16M vcpus=2
timer-periodic-race-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
