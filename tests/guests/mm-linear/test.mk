GUEST_TESTS += mm-linear
mm-linear_LIBS := mm_util
