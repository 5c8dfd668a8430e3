# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += fpu-2dom
fpu-2dom_LIBS := mm_util sched_util sse_util
