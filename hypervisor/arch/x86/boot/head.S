/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry from the boot loader.
 *
 * QEMU's -kernel and GRUB enter here in 32-bit protected mode with paging off
 * (multiboot 1 or 2; EAX holds the loader's magic, EBX the physical address of
 * its information block). The image is linked at HV_VIRT_BASE but runs at
 * HV_PHYS_BASE until paging is on, so this file reaches its own symbols
 * through PHYS(), the link-time physical address.
 *
 * The image is loaded as a flat binary through the multiboot "a.out kludge"
 * address fields: QEMU's multiboot loader only accepts 32-bit ELF files, and
 * our image is 64-bit code at 64-bit addresses.
 */
#include <asm/memlayout.h>
#include <asm/asm-offsets.h>

#define PHYS(sym) ((sym) - HV_VIRT_OFFSET)

#define MB1_MAGIC      0x1badb002
#define MB1_FLAGS      ((1 << 0) | (1 << 1) | (1 << 16)) /* align modules, want memory map, a.out kludge */
#define MB2_MAGIC      0xe85250d6
#define MB2_ARCH_I386  0
#define MB2_BOOT_MAGIC 0x36d76289

    .section .multiboot, "a"
    .balign 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long PHYS(mb1_header)          /* header_addr */
    .long PHYS(__image_start)       /* load_addr */
    .long PHYS(__load_end)          /* load_end_addr */
    .long PHYS(__bss_end)           /* bss_end_addr */
    .long PHYS(start32)             /* entry_addr */

    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* address tag */
    .short 2, 0
    .long 24
    .long PHYS(mb2_header), PHYS(__image_start), PHYS(__load_end), PHYS(__bss_end)
    /* entry address tag */
    .balign 8
    .short 3, 0
    .long 12
    .long PHYS(start32)
    /* end tag */
    .balign 8
    .short 0, 0
    .long 8
mb2_header_end:

    .section .text.boot, "ax"
    .code32
    .globl start32
start32:
    cli
    cld
    mov     %eax, %edi              /* loader magic -> first C argument */
    mov     %ebx, %esi              /* info block -> second C argument */
    mov     $PHYS(boot_stack_top), %esp

    /* Long mode is required: CPUID 0x80000001 EDX bit 29. */
    mov     $CPUID_EXT_BASE, %eax
    cpuid
    cmp     $CPUID_LEAF_EXT_INFO, %eax
    jb      no_long_mode
    mov     $CPUID_LEAF_EXT_INFO, %eax
    cpuid
    bt      $CPUID_EXT_EDX_LM_BIT, %edx
    jnc     no_long_mode

    mov     $PHYS(boot_l4), %eax
    mov     %eax, %cr3
    mov     %cr4, %eax
    or      $CR4_PAE, %eax
    mov     %eax, %cr4
    mov     $MSR_EFER, %ecx
    rdmsr
    or      $(EFER_LME), %eax
    /* NX only if the CPU has it (CPUID 0x80000001 EDX bit 20; RDMSR clobbered %edx) */
    push    %eax
    mov     $CPUID_LEAF_EXT_INFO, %eax
    cpuid
    pop     %eax
    bt      $CPUID_EXT_EDX_NX_BIT, %edx
    jnc     1f
    or      $EFER_NXE, %eax
1:  mov     $MSR_EFER, %ecx
    xor     %edx, %edx
    wrmsr
    mov     %cr0, %eax
    or      $(CR0_PE | CR0_PG | CR0_WP), %eax
    mov     %eax, %cr0

    lgdt    PHYS(boot_gdt_desc)
    ljmp    $0x08, $PHYS(start64_low)

no_long_mode:
    /* Say so on COM1 (0x3f8) and stop. */
    mov     $PHYS(no_lm_msg), %esi
2:  lodsb
    test    %al, %al
    jz      3f
    mov     $0x3f8, %dx
    out     %al, %dx
    jmp     2b
3:  hlt
    jmp     3b

    .code64
start64_low:
    /* Still on the identity map; continue at the image's virtual address. */
    movabs  $start64, %rax
    jmp     *%rax

    .section .rodata.boot, "a"
no_lm_msg:
    .asciz "Lamina: this CPU has no long mode (x86-64); cannot boot.\r\n"

    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, ring 0 */
    .quad 0x00cf92000000ffff        /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_desc:
    .short boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

/*
 * Boot page tables, fully built at link time:
 *   L4[0]   -> identity map of the first 4 GiB (only while booting)
 *   L4[261] -> the image window at HV_VIRT_BASE (2 MiB pages)
 *   L4[262] -> the direct map at DIRECTMAP_VIRT_BASE, first 4 GiB (same L3)
 */
    .section .data.boot, "aw"
    .balign 4096
    .globl boot_l4
boot_l4:
    .quad PHYS(boot_l3_ident) + 0x3
    .fill 260, 8, 0
    .quad PHYS(boot_l3_image) + 0x3
    .quad PHYS(boot_l3_ident) + 0x3
    .fill 512 - 263, 8, 0

    .balign 4096
boot_l3_ident:
    .quad PHYS(boot_l2_ident) + 0x0000 + 0x3
    .quad PHYS(boot_l2_ident) + 0x1000 + 0x3
    .quad PHYS(boot_l2_ident) + 0x2000 + 0x3
    .quad PHYS(boot_l2_ident) + 0x3000 + 0x3
    .fill 508, 8, 0

    .balign 4096
    .globl boot_l3_image
boot_l3_image:
    .fill ((HV_VIRT_BASE >> 30) & 0x1ff), 8, 0
    .quad PHYS(boot_l2_image) + 0x3
    .fill 511 - ((HV_VIRT_BASE >> 30) & 0x1ff), 8, 0

    .balign 4096
    .globl boot_l2_image
boot_l2_image:
    /* 32 MiB of image window: text, data, bss and the boot allocations after it. */
    .set i, 0
    .rept 16
    .quad HV_PHYS_BASE + (i << 21) + 0x83
    .set i, i + 1
    .endr
    .fill 512 - 16, 8, 0

    .balign 4096
boot_l2_ident:
    .set i, 0
    .rept 2048
    .quad (i << 21) + 0x83
    .set i, i + 1
    .endr

    .section .bss.boot, "aw", @nobits
    .balign 16
boot_stack:
    .skip 4096
boot_stack_top:

    .text
    .code64
    .globl start64
start64:
    /* Reload data segments with the boot GDT's flat data selector. */
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    xor     %eax, %eax
    mov     %eax, %fs
    mov     %eax, %gs
    /* The boot CPU's first stack: the per-CPU stack of CPU 0 (aligned, in .bss). */
    lea     cpu0_stack + STACK_SIZE(%rip), %rsp
    sub     $CPU_INFO_SIZE, %rsp
    xor     %ebp, %ebp
    /* %edi = loader magic, %esi = info block (physical) */
    call    start_lamina
4:  hlt
    jmp     4b
