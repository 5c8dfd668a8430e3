GUEST_TESTS += failsafe
failsafe_LIBS := mm_util smp callbacks
