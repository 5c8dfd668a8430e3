# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-peer
evtchn-peer_HELPER := the domU half of evtchn-2dom; run as a boot-time domU, never on its own
