# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-preempt-domu
gnt-preempt-domu_DIR := domu-watch
gnt-preempt-domu_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
gnt-preempt-domu_DOMU_MODULES := gnt-preempt --domU mem=16M
