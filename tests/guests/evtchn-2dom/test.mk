GUEST_TESTS += evtchn-2dom
