/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry and exit paths between guests and the hypervisor.
 *
 * Every way in (exception, interrupt, SYSCALL) builds a struct cpu_regs on the
 * per-CPU stack and calls C with a pointer to it. When the interrupted context
 * was a guest (CS RPL 3) the frame is the cpu_info.guest_regs block at the top
 * of the stack, and the way out goes through guest_exit_prepare(), which
 * delivers pending bounces and fixes the return state, then IRETQ.
 */
#include <asm/memlayout.h>
#include <asm/asm-offsets.h>

.macro SAVE_GPRS
    push    %rdi
    push    %rsi
    push    %rdx
    push    %rcx
    push    %rax
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
.endm

.macro RESTORE_GPRS
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rax
    pop     %rcx
    pop     %rdx
    pop     %rsi
    pop     %rdi
.endm

/*
 * Clear EFLAGS.AC when SMAP is on (CLAC is #UD on CPUs without it): the CPU keeps AC
 * across exception and interrupt delivery, and a guest may set it with POPF, which
 * would leave user memory open to the hypervisor (<asm/protect.h>). SYSCALL clears AC
 * itself (MSR_FMASK). Changes only the arithmetic flags.
 */
.macro CLAC_IF_SMAP
    cmpb    $0, cpu_smap_on(%rip)
    je      .Lclac_done\@
    clac
.Lclac_done\@:
.endm

    .text

/* Exception and interrupt vectors: each stub makes the error-code slot uniform
 * (a zero where the CPU pushes none) and records its vector in its upper half. */
.macro VECTOR_STUB vec, has_error
    .balign 16
vector_\vec:
    .if \has_error == 0
    push    $0
    .endif
    movl    $\vec, 4(%rsp)
    .if (\vec == 1) || (\vec == 2) || (\vec == 8) || (\vec == 18)
    jmp     ist_interrupt           /* #DB, NMI, #DF, #MC: on their own stacks (cpu.c) */
    .else
    jmp     common_interrupt
    .endif
.endm

.macro EXC_HAS_ERROR vec
    .if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    VECTOR_STUB \vec, 1
    .else
    VECTOR_STUB \vec, 0
    .endif
.endm

    .globl vector_stubs_start
vector_stubs_start:
    .altmacro
    .set v, 0
    .rept 256
    EXC_HAS_ERROR %v
    .set v, v + 1
    .endr
    .noaltmacro

    .section .rodata
    .balign 8
    .globl vector_table
vector_table:
    .set v, 0
    .rept 256
    .quad vector_stubs_start + v * 16
    .set v, v + 1
    .endr
    .text

common_interrupt:
    CLAC_IF_SMAP
    cld
    SAVE_GPRS
    xor     %ebp, %ebp              /* terminate stack traces at the frame */
    mov     %rsp, %rdi
    call    do_interrupt_or_trap
    testb   $3, REGS_cs(%rsp)
    jnz     return_to_guest
    RESTORE_GPRS
    add     $8, %rsp
    iretq

/*
 * An exception that arrived on its own (IST) stack. From a guest, its frame moves to
 * guest_regs at the top of this CPU's stack, where every other entry from a guest puts it
 * (the exit path, a context switch and the guest's exception all use that frame), and the
 * handling goes on on the CPU's own stack, as Xen's handle_ist_exception does; the IST
 * stack is then free for the next one. In the hypervisor, it is handled where it is.
 */
ist_interrupt:
    CLAC_IF_SMAP
    cld
    SAVE_GPRS
    xor     %ebp, %ebp
    testb   $3, REGS_cs(%rsp)
    jz      1f
    mov     %rsp, %rsi
    mov     %rsp, %rdi              /* &guest_regs: the cpu_info at the top of the block */
    or      $(STACK_SIZE - 1), %rdi
    sub     $(CPU_INFO_SIZE - 1), %rdi
    mov     $(REGS_SIZE / 8), %ecx
    rep movsq
    sub     $REGS_SIZE, %rdi
    mov     %rdi, %rsp
1:  mov     %rsp, %rdi
    call    do_interrupt_or_trap
    testb   $3, REGS_cs(%rsp)
    jnz     return_to_guest
    RESTORE_GPRS
    add     $8, %rsp
    iretq

/*
 * SYSCALL from a guest (64-bit kernel mode: hypercall; user mode or compat
 * code: guest system call). Reached from the per-CPU stub below with %rsp =
 * the top of guest_regs, the guest's SS and RSP already pushed. IF and AC are
 * clear (MSR_FMASK). The frame's CS says which mode SYSCALL came from, as the CPU
 * does not: LSTAR (64-bit) and CSTAR (compat) lead to different entries.
 */
    .globl syscall_common, syscall_compat_common
syscall_compat_common:
    push    %r11                    /* RFLAGS */
    push    $GUEST_CS32
    jmp     1f
syscall_common:
    push    %r11                    /* RFLAGS */
    push    $GUEST_CS64
1:  push    %rcx                    /* RIP */
    push    $0
    movl    $VECTOR_SYSCALL, 4(%rsp)
    cld
    SAVE_GPRS
    xor     %ebp, %ebp
    mov     %rsp, %rdi
    sti
    call    do_syscall
    /* fall through */

    .globl return_to_guest, guest_iret
return_to_guest:
    cli
    mov     %rsp, %rdi
    call    guest_exit_prepare
    cmp     $EXIT_SYSRET64, %eax
    je      sysret_to_guest
    cmp     $EXIT_SYSRET32, %eax
    je      sysret_to_compat
    RESTORE_GPRS
    add     $8, %rsp
guest_iret:                         /* a fault here is the guest's: traps.c, guest_iret_fault */
    iretq

/*
 * SYSRET: after a hypercall, a guest system call or any bounce, as Xen 4.17 returns
 * whenever the frame came from SYSCALL or a bounce and RIP is canonical (guest_exit_prepare
 * decided; it also loaded the frame's RCX = RIP and R11 = RFLAGS, which the guest gets
 * whichever way it returns). SYSRET takes CS and SS from MSR_STAR, whatever the frame says:
 * the flat 64-bit selectors, or the 32-bit ones for a frame with FLAT_RING3_CS32. Between
 * loading the guest RSP and SYSRET only NMI/#MC can arrive, and they run on their own IST
 * stacks.
 */
sysret_to_guest:
    RESTORE_GPRS
    add     $8, %rsp                /* error code / vector */
    mov     24(%rsp), %rsp          /* guest RSP */
    sysretq
sysret_to_compat:
    RESTORE_GPRS
    add     $8, %rsp
    mov     24(%rsp), %rsp
    sysretl

/*
 * The IRETQ at guest_iret refused the guest's frame (a null, hypervisor or not-present
 * selector, say) and raised #GP, #NP, #SS or #TS inside the hypervisor; traps.c returned
 * from that fault to here, with the exception's vector and error code written into the
 * guest frame's slot and the guest's registers still live (nothing changed them since
 * RESTORE_GPRS). %rsp is where IRETQ left it, at the guest frame's RIP. As Xen's exit
 * IRETQ fix-up does, the fault becomes the same exception raised by the guest at that
 * frame, delivered to the guest's own handler (or the domain crashes, having none).
 */
    .globl guest_iret_fault
guest_iret_fault:
    sub     $8, %rsp                /* error code / vector */
    cld
    SAVE_GPRS
    xor     %ebp, %ebp
    mov     %rsp, %rdi
    call    do_guest_iret_fault
    jmp     return_to_guest

/*
 * SYSENTER from a guest (Intel CPUs; compat user code in practice): %rsp = the
 * top of guest_regs (MSR_SYSENTER_ESP), IF clear. SYSENTER keeps neither the
 * guest's RIP nor its RSP, and leaves TF, NT, AC and DF as the guest had them:
 * the frame gets RIP 0, CS 3 (null, RPL 3), RSP 0 and the guest's RFLAGS with IF
 * set. A guest TF single-steps up to sysenter_flags_saved (those #DBs are let
 * pass, then TF is cleared there: traps.c); then the live flags are cleared.
 */
    .globl sysenter_entry, sysenter_flags_saved
sysenter_entry:
    push    $GUEST_DS               /* SS */
    push    $0                      /* RSP */
    pushfq                          /* RFLAGS */
sysenter_flags_saved:
    push    $X86_EFLAGS_MBS
    popfq                           /* NT, AC, DF, TF: clear before any IRET */
    orq     $X86_EFLAGS_IF, (%rsp)
    push    $GUEST_RPL              /* CS: null, RPL 3 */
    push    $0                      /* RIP */
    push    $0
    movl    $VECTOR_SYSENTER, 4(%rsp)
    SAVE_GPRS
    xor     %ebp, %ebp
    mov     %rsp, %rdi
    sti
    call    do_sysenter
    jmp     return_to_guest

/*
 * First entry into a guest vCPU on this CPU: %rdi = the cpu_regs frame at the
 * top of the stack, already filled in.
 */
    .globl enter_guest
enter_guest:
    mov     %rdi, %rsp
    jmp     return_to_guest

/*
 * SYSCALL stub template. LSTAR must point into a per-CPU copy of these bytes:
 * the copy's data slots hold that CPU's stack top and the common entry point,
 * reached RIP-relative so the code needs no free register. Code and data sit
 * on different pages: the scratch slot is written on every SYSCALL, and a
 * write to a page holding code makes an emulator (QEMU's TCG) and some CPUs
 * throw away what they decoded from it.
 */
    .balign 4096
    .globl syscall_stub_start, syscall_stub_end, syscall_stub_stack, syscall_stub_target
    .globl syscall_stub_compat, syscall_stub_compat_target
syscall_stub_start:
    mov     %rsp, syscall_stub_scratch(%rip)
    mov     syscall_stub_stack(%rip), %rsp
    push    $GUEST_DS
    push    syscall_stub_scratch(%rip)
    jmp     *syscall_stub_target(%rip)
syscall_stub_compat:                /* CSTAR: SYSCALL from compat code */
    mov     %rsp, syscall_stub_scratch(%rip)
    mov     syscall_stub_stack(%rip), %rsp
    push    $GUEST_DS               /* FLAT_USER_SS32 is the same selector */
    push    syscall_stub_scratch(%rip)
    jmp     *syscall_stub_compat_target(%rip)
    .balign 4096
syscall_stub_scratch:
    .quad 0
syscall_stub_stack:
    .quad 0
syscall_stub_target:
    .quad 0
syscall_stub_compat_target:
    .quad 0
syscall_stub_end:
