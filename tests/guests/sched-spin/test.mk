# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-spin
sched-spin_LIBS := mm_util sched_util sse_util smp
# The same kernel checking its SSE registers between yields (fpu-2dom's domU).
GUEST_TESTS += fpu-peer
fpu-peer_DIR := sched-spin
fpu-peer_CFLAGS := -DSPIN_FPU=1
fpu-peer_LIBS := mm_util sched_util sse_util smp
