GUEST_TESTS += dom-destroy-race
dom-destroy-race_LIBS := mm_util smp
