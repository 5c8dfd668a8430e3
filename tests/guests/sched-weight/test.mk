GUEST_TESTS += sched-weight
sched-weight_LIBS := mm_util sched_util
