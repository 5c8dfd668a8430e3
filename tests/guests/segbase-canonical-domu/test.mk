# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += segbase-canonical-domu
segbase-canonical-domu_DIR := domu-watch
segbase-canonical-domu_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
segbase-canonical-domu_DOMU_MODULES := segbase-canonical --domU mem=16M vcpus=3
