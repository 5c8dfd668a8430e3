/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The iret hypercall with a generated context (gen_act.c).
 *
 *   long hcf_iret_try(const struct lam_iret_context *ctx, uint64_t *slot)
 *
 * Saves the callee-saved registers, stores RSP in *slot, copies ctx onto the
 * stack and issues hypercall 23. If the hypervisor refuses, the hypercall
 * returns here with the error in RAX. If it accepts, the guest resumes at
 * ctx->rip: the generator makes that hcf_iret_landing with ctx->rax = slot
 * (or an address that faults, and the exception hook lands here for it), which
 * takes the stack back from *slot and returns 0.
 */
#include <lamina/hypercall.h>

    .text
    .globl hcf_iret_try
hcf_iret_try:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, (%rsi)
    sub     $72, %rsp
    xor     %ecx, %ecx
1:  mov     (%rdi,%rcx,8), %rax
    mov     %rax, (%rsp,%rcx,8)
    inc     %ecx
    cmp     $9, %ecx
    jne     1b
    mov     $LAM_HYPERCALL_IRET, %eax
    syscall
    add     $72, %rsp           /* refused: RAX holds the error */
    jmp     2f

    .globl hcf_iret_landing
hcf_iret_landing:
    mov     (%rax), %rsp
    pushq   $2                  /* TF, DF, AC, NT... the context may have set: off */
    popfq
    xor     %eax, %eax
2:  pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret
