GUEST_TESTS += vm-assist
