# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-many
sched-many_LIBS := mm_util sched_util
sched-many_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
sched-many_DOMU_MODULES := sched-spin --domU mem=16M, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, idle-peer --domU mem=8M vcpus=32, sched-spin --domU mem=16M
sched-many_HV_ARGS := dom0_max_vcpus=32
