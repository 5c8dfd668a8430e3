GUEST_TESTS += hostile
