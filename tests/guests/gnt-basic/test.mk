GUEST_TESTS += gnt-basic
gnt-basic_LIBS := mm_util
