# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += tlb-stale-retype-2dom
tlb-stale-retype-2dom_DIR := domu-attack
tlb-stale-retype-2dom_LIBS := mm_util
tlb-stale-retype-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
tlb-stale-retype-2dom_DOMU_MODULES := tlb-stale-retype --domU mem=16M
tlb-stale-retype-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
