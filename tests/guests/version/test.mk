GUEST_TESTS += version
