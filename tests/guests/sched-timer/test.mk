GUEST_TESTS += sched-timer
sched-timer_LIBS := mm_util sched_util
