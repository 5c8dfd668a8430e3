/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPU start-up code. smpboot.c copies the bytes between
 * trampoline_start and trampoline_end to TRAMPOLINE_PHYS (below 1 MiB, page
 * aligned) and points the STARTUP IPI there: the CPU begins in real mode at
 * CS:IP = (TRAMPOLINE_PHYS >> 4):0. It goes to protected mode, then long
 * mode on the boot page tables (whose identity map of the low 4 GiB covers
 * this code), then jumps to the hypervisor image with the stack smpboot.c
 * left in the parameter block.
 *
 * The code runs at a different address from the one it is linked at, so
 * every absolute address is computed as TRAMPOLINE_PHYS + (label - start).
 */
#include <asm/memlayout.h>
#include <asm/asm-offsets.h>

#define TRAMPOLINE_PHYS 0x8000
#define T(label)        (TRAMPOLINE_PHYS + (label) - trampoline_start)

    .section .rodata
    .balign 16
    .globl trampoline_start, trampoline_end, trampoline_params
    .code16
trampoline_start:
    cli
    cld
    mov     %cs, %ax
    mov     %ax, %ds
    lgdtl   (tramp_gdt_desc - trampoline_start)
    mov     %cr0, %eax
    or      $CR0_PE, %eax
    mov     %eax, %cr0
    ljmpl   $0x08, $T(tramp32)

    .code32
tramp32:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %cr4, %eax
    or      $CR4_PAE, %eax
    mov     %eax, %cr4
    mov     T(tp_cr3), %eax
    mov     %eax, %cr3
    mov     $MSR_EFER, %ecx                 /* the boot CPU's value (LME, NXE, SCE) */
    mov     T(tp_efer), %eax
    xor     %edx, %edx
    wrmsr
    mov     %cr0, %eax
    or      $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov     %eax, %cr0
    ljmpl   $0x18, $T(tramp64)

    .code64
tramp64:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     tp_rsp(%rip), %rsp
    mov     tp_entry(%rip), %rax
    xor     %ebp, %ebp
    jmp     *%rax

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
    .quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_desc:
    .short tramp_gdt_end - tramp_gdt - 1
    .long T(tramp_gdt)

    .balign 8
trampoline_params:                  /* filled in by smpboot.c for each CPU */
tp_cr3:
    .quad 0
tp_efer:
    .quad 0
tp_rsp:
    .quad 0
tp_entry:
    .quad 0
trampoline_end:
