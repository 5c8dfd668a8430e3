GUEST_TESTS += traps
