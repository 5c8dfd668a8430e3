# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += ldt-selector-2dom
ldt-selector-2dom_DIR := domu-attack
ldt-selector-2dom_LIBS := mm_util
ldt-selector-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
ldt-selector-2dom_DOMU_MODULES := ldt-selector --domU mem=16M
ldt-selector-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
