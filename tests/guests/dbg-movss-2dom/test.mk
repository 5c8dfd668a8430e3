# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dbg-movss-2dom
dbg-movss-2dom_DIR := domu-attack
dbg-movss-2dom_LIBS := mm_util
dbg-movss-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
dbg-movss-2dom_DOMU_MODULES := dbg-movss --domU mem=16M
dbg-movss-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
