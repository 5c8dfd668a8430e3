GUEST_TESTS += smp-weight
smp-weight_LIBS := mm_util sched_util smp
