GUEST_TESTS += smp-pin
smp-pin_LIBS := mm_util smp
