GUEST_TESTS += destroy-peer
destroy-peer_LIBS := mm_util
