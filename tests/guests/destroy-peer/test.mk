# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += destroy-peer
destroy-peer_LIBS := mm_util
