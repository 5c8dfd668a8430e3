# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += hypercall-regs
hypercall-regs_LIBS := hypercall_page callbacks mm_util
