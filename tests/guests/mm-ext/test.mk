GUEST_TESTS += mm-ext
mm-ext_LIBS := mm_util
