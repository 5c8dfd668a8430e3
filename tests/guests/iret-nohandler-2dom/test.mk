# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += iret-nohandler-2dom
iret-nohandler-2dom_DIR := domu-attack
iret-nohandler-2dom_LIBS := mm_util
iret-nohandler-2dom_CFLAGS := -DDOMU_SHUTDOWN_REASON=LAM_SHUTDOWN_crash
iret-nohandler-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
iret-nohandler-2dom_DOMU_MODULES := iret-nohandler --domU mem=16M
iret-nohandler-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
