GUEST_TESTS += smp-evtchn
smp-evtchn_LIBS := mm_util smp
