# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-peer
gnt-peer_LIBS := mm_util
gnt-peer_HELPER := the domU half of gnt-2dom
