/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception entry stubs and the return path through the iret hypercall.
 *
 * The hypervisor bounces an exception to a trap-table handler with RSP at the
 * RCX slot of the bounce frame (see lamina/traps.h): RCX, R11, [error code],
 * RIP, CS, RFLAGS, RSP, SS. Each stub restores RCX/R11 into the registers,
 * normalises the frame to [vector, error code, RIP, CS, RFLAGS, RSP, SS],
 * and joins the common path, which saves every GPR into a struct lam_regs,
 * calls lam_trap_dispatch(regs) and returns through HYPERVISOR_iret.
 */
#include <lamina/hypercall.h>

.macro TRAP_STUB vec, has_err
    .globl lam_trap_entry_\vec
lam_trap_entry_\vec:
    pop     %rcx
    pop     %r11
    .if \has_err == 0
    push    $0                  /* no error code: keep the frame layout fixed */
    .endif
    push    $\vec
    jmp     lam_trap_common
.endm

    .text
TRAP_STUB 0, 0
TRAP_STUB 1, 0
TRAP_STUB 2, 0
TRAP_STUB 3, 0
TRAP_STUB 4, 0
TRAP_STUB 5, 0
TRAP_STUB 6, 0
TRAP_STUB 7, 0
TRAP_STUB 8, 1
TRAP_STUB 9, 0
TRAP_STUB 10, 1
TRAP_STUB 11, 1
TRAP_STUB 12, 1
TRAP_STUB 13, 1
TRAP_STUB 14, 1
TRAP_STUB 16, 0
TRAP_STUB 17, 1
TRAP_STUB 18, 0
TRAP_STUB 19, 0
TRAP_STUB 20, 0
TRAP_STUB 21, 1

    .globl lam_trap_common      /* lib/callbacks.S joins here too */
lam_trap_common:
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi
    mov     %rsp, %rbx          /* callee-saved: survives the call */
    and     $-16, %rsp          /* ABI alignment whatever the frame was */
    call    lam_trap_dispatch
    mov     %rbx, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rbp
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rbx
    pop     %rax
    add     $16, %rsp           /* vector and error code */
    /* fall through: RSP now points at RIP, CS, RFLAGS, RSP, SS */

/*
 * lam_iret: return to the frame at RSP (RIP, CS, RFLAGS, RSP, SS) with all
 * registers as they are now. Builds struct lam_iret_context (rax, r11, rcx,
 * flags) below the frame and issues hypercall 23, which does not return here.
 */
    .globl lam_iret
lam_iret:
    push    $0                  /* flags: not in syscall, restore RCX/R11 */
    push    %rcx
    push    %r11
    push    %rax
    mov     $LAM_HYPERCALL_IRET, %eax
    syscall
    ud2                         /* iret never falls through */
