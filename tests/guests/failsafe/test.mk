GUEST_TESTS += failsafe
failsafe_LIBS := mm_util vcpu_start callbacks
