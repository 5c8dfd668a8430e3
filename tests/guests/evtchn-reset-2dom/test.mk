# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-reset-2dom
evtchn-reset-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
evtchn-reset-2dom_DOMU_MODULES := idle-peer --domU mem=16M
