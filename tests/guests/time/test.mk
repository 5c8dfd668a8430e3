GUEST_TESTS += time
