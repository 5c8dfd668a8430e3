/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Callback entry points (event, failsafe, syscall). The hypervisor enters
 * them like an exception handler, with RSP at the RCX slot: RCX, R11, then
 * (failsafe only) DS, ES, FS, GS, then RIP, CS, RFLAGS, RSP, SS. Each stub
 * restores RCX/R11, pushes error code 0 and a pseudo vector and joins the
 * exception path (lib/entry.S), which calls lam_callback_handler.
 */
#include <lamina/hypercall.h>

    .text
    .globl lam_event_entry
lam_event_entry:
    pop     %rcx
    pop     %r11
    push    $0
    push    $0x100
    jmp     lam_trap_common

    .globl lam_failsafe_entry
lam_failsafe_entry:
    pop     %rcx
    pop     %r11
    push    %rax
    mov     8(%rsp), %rax
    mov     %rax, lam_failsafe_sel(%rip)
    mov     16(%rsp), %rax
    mov     %rax, lam_failsafe_sel+8(%rip)
    mov     24(%rsp), %rax
    mov     %rax, lam_failsafe_sel+16(%rip)
    mov     32(%rsp), %rax
    mov     %rax, lam_failsafe_sel+24(%rip)
    pop     %rax
    add     $32, %rsp           /* the four selectors */
    push    $0
    push    $0x101
    jmp     lam_trap_common

    .globl lam_syscall_entry
lam_syscall_entry:
    pop     %rcx
    pop     %r11
    push    $0
    push    $0x102
    jmp     lam_trap_common

    .bss
    .p2align 3
    .globl lam_failsafe_sel
lam_failsafe_sel:
    .skip   32
