GUEST_TESTS += smp-tlb
smp-tlb_LIBS := mm_util smp
