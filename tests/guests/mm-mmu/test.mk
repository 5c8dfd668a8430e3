GUEST_TESTS += mm-mmu
mm-mmu_LIBS := mm_util
