# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += fpu-2dom
fpu-2dom_LIBS := mm_util sched_util sse_util
fpu-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
fpu-2dom_DOMU_MODULES := fpu-peer --domU mem=16M
