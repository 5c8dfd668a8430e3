GUEST_TESTS += sched-spin
sched-spin_LIBS := mm_util sched_util
