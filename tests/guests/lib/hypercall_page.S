/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Optional hypercall page: linked only into kernels that test it. The page is
 * filled with int3 so that a builder that ignores the note makes every stub
 * trap; the builder must overwrite it with 128 stubs of 32 bytes.
 */
#include <lamina/elfnote.h>

    .pushsection .note.Xen, "a", @note
    .p2align 2
    .long 4, 8, LAM_ELFNOTE_HYPERCALL_PAGE
    .asciz "Xen"
    .p2align 2
    .quad lam_hypercall_page
    .popsection

    .section .hypercall_page, "ax", @progbits
    .p2align 12
    .globl lam_hypercall_page
lam_hypercall_page:
    .fill 4096, 1, 0xcc
