/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register frame built by the exception entry path (lib/entry.S): the GPRs in
 * the order pushed, then the vector, the error code (0 if none) and the
 * hardware-like return frame. A handler may change any field, rip in
 * particular, and the change takes effect on return.
 */
#ifndef LAM_GUEST_REGS_H
#define LAM_GUEST_REGS_H

#include <stdint.h>

struct lam_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs; /* bits 32-39: saved event mask */
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

_Static_assert(__builtin_offsetof(struct lam_regs, vector) == 15 * 8, "frame layout");
_Static_assert(sizeof(struct lam_regs) == 22 * 8, "frame size");

#endif
