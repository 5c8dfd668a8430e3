/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU of iret-nohandler-2dom: with no trap table at all, an iret hypercall to a frame
 * with a null CS. The exit IRETQ faults; the #GP it turns into has no handler in the guest,
 * so the hypervisor crashes the domain (Xen 4.17 does the same: its #GP bounce finds no
 * handler). The host must carry on, without looping on the refused frame; dom0 checks the
 * domain crashed and is reaped.
 */
#include <lamina/traps.h>

#include "lam.h"

const char lam_test_title[] = "iret to a refused frame with no handler";

void test_main(void)
{
    lam_printf("clearing the trap table and returning to CS 0\n");
    hypercall_set_trap_table(NULL);
    __asm__ volatile("lea 1f(%%rip), %%rax\n"
                     "mov %%rsp, %%rcx\n"
                     "pushq $0xe02b\n" /* ss */
                     "push %%rcx\n"    /* rsp */
                     "pushq $2\n"      /* rflags */
                     "pushq $0\n"      /* cs: null */
                     "push %%rax\n"    /* rip */
                     "pushq $0\n"      /* flags */
                     "pushq $0\n"      /* rcx */
                     "pushq $0\n"      /* r11 */
                     "pushq $0\n"      /* rax */
                     "mov $23, %%eax\n"
                     "syscall\n"
                     "1: ud2\n" ::
                         : "rax", "rcx", "r11", "memory");
    lam_fail("the iret returned");
}
