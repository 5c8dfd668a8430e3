# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-memop-args-2dom
mm-memop-args-2dom_DIR := domu-attack
mm-memop-args-2dom_LIBS := mm_util
mm-memop-args-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
mm-memop-args-2dom_DOMU_MODULES := mm-memop-args --domU mem=16M
mm-memop-args-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
