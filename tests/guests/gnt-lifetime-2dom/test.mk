# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-lifetime-2dom
gnt-lifetime-2dom_DIR := domu-attack
gnt-lifetime-2dom_LIBS := mm_util
gnt-lifetime-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
gnt-lifetime-2dom_DOMU_MODULES := gnt-lifetime --domU mem=16M
gnt-lifetime-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
