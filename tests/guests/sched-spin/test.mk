# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sched-spin
sched-spin_LIBS := mm_util sched_util sse_util smp
sched-spin_HELPER := the spinning domU of the sched-* tests; run as a boot-time domU, never on its own
sched-spin_NO_RESULT := spins until dom0 ends the test: never prints a result
# The same kernel checking its SSE registers between yields (fpu-2dom's domU).
GUEST_TESTS += fpu-peer
fpu-peer_DIR := sched-spin
fpu-peer_CFLAGS := -DSPIN_FPU=1
fpu-peer_LIBS := mm_util sched_util sse_util smp
fpu-peer_HELPER := the domU of fpu-2dom (sched-spin built with -DSPIN_FPU); never run on its own
fpu-peer_NO_RESULT := spins until dom0 ends the test: never prints a result
