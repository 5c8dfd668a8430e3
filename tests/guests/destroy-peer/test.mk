# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += destroy-peer
destroy-peer_LIBS := mm_util
destroy-peer_HELPER := only booted as dom-destroy's domU
