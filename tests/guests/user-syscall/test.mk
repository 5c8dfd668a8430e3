# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += user-syscall
user-syscall_LIBS := mm_util callbacks
