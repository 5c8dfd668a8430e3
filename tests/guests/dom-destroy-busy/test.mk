GUEST_TESTS += dom-destroy-busy
dom-destroy-busy_LIBS := mm_util
