GUEST_TESTS += gnt-limits
gnt-limits_LIBS := mm_util
