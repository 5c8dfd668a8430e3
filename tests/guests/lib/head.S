/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry point and ELF notes of a Lamina PV test kernel.
 *
 * The builder enters _start in guest kernel mode with RSI = start_info VA,
 * RSP on its boot stack and events masked. We switch to our own stack (so the
 * test does not depend on the size of the builder's) and call lam_start().
 */
#include <lamina/elfnote.h>
#include <lamina/features.h>

/* ELFNOTE type, descriptor...: one note named "Xen" in .note.Xen. */
.macro ELFNOTE type, desctype, desc
    .pushsection .note.Xen, "a", @note
    .p2align 2
    .long 2f - 1f               /* namesz */
    .long 4f - 3f               /* descsz */
    .long \type
1:  .asciz "Xen"
2:  .p2align 2
3:  \desctype \desc
4:  .p2align 2
    .popsection
.endm

/* String notes: gas strips the quotes of macro arguments, so add them back. */
.macro ELFNOTE_STR type, str
    .pushsection .note.Xen, "a", @note
    .p2align 2
    .long 2f - 1f
    .long 4f - 3f
    .long \type
1:  .asciz "Xen"
2:  .p2align 2
3:  .asciz "\str"
4:  .p2align 2
    .popsection
.endm

ELFNOTE LAM_ELFNOTE_ENTRY,         .quad, _start
ELFNOTE LAM_ELFNOTE_VIRT_BASE,     .quad, 0xffffffff80000000
ELFNOTE LAM_ELFNOTE_PADDR_OFFSET,  .quad, 0
ELFNOTE_STR LAM_ELFNOTE_XEN_VERSION,   "xen-3.0"
ELFNOTE_STR LAM_ELFNOTE_GUEST_OS,      "lamina-test"
ELFNOTE_STR LAM_ELFNOTE_LOADER,        "generic"
ELFNOTE_STR LAM_ELFNOTE_FEATURES,      "!writable_page_tables|pae_pgdir_above_4gb"
/* dom0 bit: Xen refuses to build a control domain from a kernel without it. */
ELFNOTE LAM_ELFNOTE_SUPPORTED_FEATURES, .long, (1 << LAM_XENFEAT_dom0)

    .section .text.head, "ax", @progbits
    .code64
    .globl _start
_start:
    cld
    lea     lam_boot_stack_top(%rip), %rsp
    mov     %rsi, %rdi                  /* start_info */
    call    lam_start
    ud2                                 /* lam_start does not return */

    .section .bss
    .p2align 12
lam_boot_stack:
    .skip   4 * 4096
lam_boot_stack_top:
