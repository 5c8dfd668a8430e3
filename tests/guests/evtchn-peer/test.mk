GUEST_TESTS += evtchn-peer
