GUEST_TESTS += idle-peer
