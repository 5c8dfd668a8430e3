# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += iret-bad-frame-2dom
iret-bad-frame-2dom_DIR := domu-attack
iret-bad-frame-2dom_LIBS := mm_util
iret-bad-frame-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
iret-bad-frame-2dom_DOMU_MODULES := iret-bad-frame --domU mem=16M
iret-bad-frame-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
