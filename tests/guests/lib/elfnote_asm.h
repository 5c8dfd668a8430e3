/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Assembler macros for the Xen ELF notes of a test kernel (included by head.S
 * and the feature-note objects).
 */
#ifndef LAM_GUEST_ELFNOTE_ASM_H
#define LAM_GUEST_ELFNOTE_ASM_H

#include <lamina/elfnote.h>

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

#endif
