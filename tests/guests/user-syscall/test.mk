GUEST_TESTS += user-syscall
user-syscall_LIBS := mm_util callbacks
