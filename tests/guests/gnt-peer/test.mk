GUEST_TESTS += gnt-peer
gnt-peer_LIBS := mm_util
