GUEST_TESTS += smp-stress
smp-stress_LIBS := mm_util smp
