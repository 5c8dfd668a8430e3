# SPDX-License-Identifier: GPL-2.0-only
# The cap half of smp-weight's kernel (see smp-weight/main.c).
GUEST_TESTS += smp-cap
smp-cap_DIR := smp-weight
smp-cap_CFLAGS := -DSMP_CAP=1
smp-cap_LIBS := mm_util sched_util smp
smp-cap_LAMINA_ONLY := needs boot-time domUs (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
smp-cap_SMP := 2 4
smp-cap_DOMU_MODULES := sched-spin --domU mem=16M vcpus=4, sched-spin --domU mem=16M vcpus=4
