GUEST_TESTS += domctl
domctl_LIBS := mm_util
