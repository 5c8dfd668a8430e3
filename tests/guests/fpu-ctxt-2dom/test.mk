# SPDX-License-Identifier: GPL-2.0-only
# fpu-ctxt-2dom: a domU's FPU context as dom0's toolstack reads and writes it
GUEST_TESTS += fpu-ctxt-2dom
fpu-ctxt-2dom_LIBS := mm_util sched_util sse_util
fpu-ctxt-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
fpu-ctxt-2dom_DOMU_MODULES := sched-spin --domU mem=16M
fpu-ctxt-2dom_LAMINA_LOG_EXPECT := audit d0: 0 frame\(s\) with unbalanced counts
