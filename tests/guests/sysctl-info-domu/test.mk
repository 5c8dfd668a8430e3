# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sysctl-info-domu
sysctl-info-domu_DIR := domu-watch
sysctl-info-domu_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
sysctl-info-domu_DOMU_MODULES := sysctl-info --domU mem=16M
