# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy
dom-destroy_LIBS := mm_util
dom-destroy_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
dom-destroy_DOMU_MODULES := destroy-peer --domU mem=128M
dom-destroy_LAMINA_LOG_EXPECT := [1-9][0-9]* destroy\(s\) preempted
