# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mem-exchange-2dom
mem-exchange-2dom_DIR := domu-attack
mem-exchange-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
mem-exchange-2dom_DOMU_MODULES := mem-exchange --domU mem=16M
mem-exchange-2dom_LIBS := mm_util
