# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy-busy
dom-destroy-busy_LIBS := mm_util
dom-destroy-busy_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
dom-destroy-busy_DOMU_MODULES := churn-peer --domU mem=16M
