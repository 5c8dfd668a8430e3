GUEST_TESTS += smp-mm
smp-mm_LIBS := mm_util smp
