GUEST_TESTS += gnt-2dom
gnt-2dom_LIBS := mm_util
