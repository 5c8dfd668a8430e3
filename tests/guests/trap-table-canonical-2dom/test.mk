# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += trap-table-canonical-2dom
trap-table-canonical-2dom_LIBS := mm_util
trap-table-canonical-2dom_DIR := domu-attack
trap-table-canonical-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
trap-table-canonical-2dom_DOMU_MODULES := trap-table-canonical --domU mem=16M
trap-table-canonical-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
