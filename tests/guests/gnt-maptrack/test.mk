GUEST_TESTS += gnt-maptrack
gnt-maptrack_LIBS := mm_util
