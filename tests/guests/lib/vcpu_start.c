/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Starting secondary vCPUs (VCPUOP_initialise + VCPUOP_up).
 */
#include <lamina/traps.h>

#include "vcpu_start.h"

void lam_vcpu_context(struct lam_vcpu_guest_context *c, void (*entry)(void), void *stack_top)
{
    memset(c, 0, sizeof(*c));
    c->flags = LAM_VGCF_in_kernel;
    c->user_regs.rip = (uint64_t)(uintptr_t)entry;
    /* As if called: the ABI wants rsp + 8 16-byte aligned at a function's entry. */
    c->user_regs.rsp = ((uint64_t)(uintptr_t)stack_top & ~15ull) - 8;
    c->user_regs.cs = LAM_FLAT_KERNEL_CS;
    c->user_regs.ss = LAM_FLAT_KERNEL_SS;
    c->user_regs.rflags = 0x2;
    c->kernel_ss = LAM_FLAT_KERNEL_SS;
    c->kernel_sp = c->user_regs.rsp;
    c->ctrlreg[3] = mm_cur_l4_mfn << 12;
}

long lam_vcpu_start(unsigned int id, void (*entry)(void), void *stack_top)
{
    static struct lam_vcpu_guest_context ctx; /* 5 KiB: not on the stack */
    lam_vcpu_context(&ctx, entry, stack_top);
    lam_shared_info->vcpu_info[id].evtchn_upcall_mask = 1; /* it takes no events */
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, id, &ctx);
    return rc ? rc : hypercall_vcpu_op(LAM_VCPUOP_up, id, NULL);
}
