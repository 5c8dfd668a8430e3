GUEST_TESTS += cpuid
