# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-weight
smp-weight_LIBS := mm_util sched_util smp
smp-weight_LAMINA_ONLY := needs boot-time domUs (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
smp-weight_SMP := 2 4
smp-weight_DOMU_MODULES := sched-spin --domU mem=16M weight=256 vcpus=4, sched-spin --domU mem=16M weight=512 vcpus=4
