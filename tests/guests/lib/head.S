/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry point and ELF notes of a Lamina PV test kernel.
 *
 * The builder enters _start in guest kernel mode with RSI = start_info VA,
 * RSP on its boot stack and events masked. We switch to our own stack (so the
 * test does not depend on the size of the builder's) and call lam_start().
 */
#include "elfnote.inc"

ELFNOTE LAM_ELFNOTE_ENTRY,         .quad, _start
ELFNOTE LAM_ELFNOTE_VIRT_BASE,     .quad, 0xffffffff80000000
ELFNOTE LAM_ELFNOTE_PADDR_OFFSET,  .quad, 0
ELFNOTE_STR LAM_ELFNOTE_XEN_VERSION,   "xen-3.0"
ELFNOTE_STR LAM_ELFNOTE_GUEST_OS,      "lamina-test"
ELFNOTE_STR LAM_ELFNOTE_LOADER,        "generic"
/* FEATURES and SUPPORTED_FEATURES: lib/features.S, or another lib/features_*.S (test.mk). */

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
