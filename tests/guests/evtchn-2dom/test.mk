# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-2dom
evtchn-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
evtchn-2dom_DOMU_MODULES := evtchn-peer --domU mem=16M
