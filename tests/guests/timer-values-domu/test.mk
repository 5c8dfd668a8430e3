# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-values-domu
timer-values-domu_DIR := domu-watch
timer-values-domu_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
timer-values-domu_DOMU_MODULES := timer-values --domU mem=16M
