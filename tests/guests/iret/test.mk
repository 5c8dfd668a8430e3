GUEST_TESTS += iret
