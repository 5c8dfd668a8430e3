# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-2dom
gnt-2dom_LIBS := mm_util
gnt-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
gnt-2dom_DOMU_MODULES := gnt-peer --domU mem=16M
