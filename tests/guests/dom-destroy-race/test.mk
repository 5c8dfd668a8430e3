# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy-race
dom-destroy-race_LIBS := mm_util smp
dom-destroy-race_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
dom-destroy-race_SMP := 2
dom-destroy-race_DOMU_MODULES := churn-peer --domU mem=16M
dom-destroy-race_LAMINA_LOG_EXPECT := d1: gone \(all of its memory is back in the heap\)
