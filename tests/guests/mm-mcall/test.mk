GUEST_TESTS += mm-mcall
mm-mcall_LIBS := mm_util
