# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += physdev-msi-2dom
physdev-msi-2dom_DIR := domu-attack
physdev-msi-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
physdev-msi-2dom_DOMU_MODULES := physdev-msi --domU mem=16M
physdev-msi-2dom_LIBS := mm_util
