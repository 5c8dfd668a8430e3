GUEST_TESTS += mm-ptwr
mm-ptwr_LIBS := mm_util
