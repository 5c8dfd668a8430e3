GUEST_TESTS += evtchn-ops
evtchn-ops_LIBS := callbacks
