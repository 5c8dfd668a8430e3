GUEST_TESTS += sched-wake
sched-wake_LIBS := mm_util sched_util
