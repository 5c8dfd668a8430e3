GUEST_TESTS += dom-destroy
dom-destroy_LIBS := mm_util
