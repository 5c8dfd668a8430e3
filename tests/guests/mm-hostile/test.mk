GUEST_TESTS += mm-hostile
mm-hostile_LIBS := mm_util
