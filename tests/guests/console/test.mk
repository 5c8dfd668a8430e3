GUEST_TESTS += console
