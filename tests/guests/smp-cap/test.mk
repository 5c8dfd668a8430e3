# SPDX-License-Identifier: GPL-2.0-only
# The cap half of smp-weight's kernel (see smp-weight/main.c).
GUEST_TESTS += smp-cap
smp-cap_DIR := smp-weight
smp-cap_CFLAGS := -DSMP_CAP=1
smp-cap_LIBS := mm_util sched_util smp
