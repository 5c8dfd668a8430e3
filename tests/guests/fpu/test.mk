GUEST_TESTS += fpu
fpu_LIBS := mm_util vcpu_start
