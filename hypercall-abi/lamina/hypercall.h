/* SPDX-License-Identifier: MIT */
/*
 * lamina/hypercall.h - hypercall numbers and the calling convention.
 *
 * The numbers (LAM_HYPERCALL_<NAME>, LAM_HYPERCALL_MAX) are generated from
 * hypercall-abi/hypercalls.list into $(BUILD)/gen/lamina/hypercall-numbers.h;
 * build with -I$(BUILD)/gen next to -Ihypercall-abi.
 *
 * Calling convention (64-bit PV): the SYSCALL instruction executed in guest
 * kernel mode, RAX = number, arguments in RDI, RSI, RDX, R10, R8; the result
 * (a long, negative = -LAM_Exxx) in RAX. RCX and R11 are clobbered by
 * SYSCALL; callers must also treat the argument registers as clobbered.
 *
 * Hypercall page (when the kernel has an LAM_ELFNOTE_HYPERCALL_PAGE note): one
 * page of 128 stubs of 32 bytes; call page + 32 * n for hypercall n. Stub n
 * saves RCX/R11, loads n into EAX, executes SYSCALL and restores them. Stub 23
 * (iret) never returns: jump to it after pushing the iret flags word.
 */
#ifndef LAMINA_HYPERCALL_H
#define LAMINA_HYPERCALL_H

#include "lamina/hypercall-numbers.h"

#define LAM_HYPERCALL_PAGE_STUB_SIZE 32
#define LAM_HYPERCALL_PAGE_NR_STUBS  128
/* The hypercall table has this many slots; numbers at or above return -ENOSYS. */
#define LAM_HYPERCALL_TABLE_SLOTS 64
/* Architecture-specific hypercalls (x86: 48 = machine check, "mca"). */
#define LAM_HYPERCALL_ARCH_0 48

#endif /* LAMINA_HYPERCALL_H */
