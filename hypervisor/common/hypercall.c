/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall dispatch. The table itself is generated from
 * hypercall-abi/hypercalls.list (build/gen/hypervisor/hypercall-table.c):
 * each slot names the handler, its argument count and who may call it, and
 * a handler that is not linked in answers -ENOSYS.
 */
#include <hv/hypercall-dispatch.h>
#include <lamina/hypercall-numbers.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/traps.h>
#include <asm/pv/traps.h>
#include <asm/entry.h>

void do_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current;

    /* No protect_check_entry_ac() here: SYSCALL clears EFLAGS.AC itself through MSR_FMASK,
     * which cpu.c checks once per CPU. A PUSHF on every hypercall cost about a tenth of a
     * null hypercall under QEMU TCG (make bench). */
    if (regs->cs == GUEST_CS32) { /* from compat code: never a hypercall */
        pv_guest_syscall32(regs);
        return;
    }
    if (!v->kernel_mode) {
        pv_guest_syscall(regs);
        return;
    }
    uint64_t nr = regs->rax;
    if (nr >= HYPERCALL_TABLE_SIZE || !hypercall_table[nr].call) {
        log_printf(LOG_DEBUG, "d%u: unknown hypercall %lu", v->domain->domain_id,
                   (unsigned long)nr);
        regs->rax = (uint64_t)-ENOSYS;
        return;
    }
    const struct hypercall_desc *hc = &hypercall_table[nr];
    if (hc->who == HC_WHO_PRIV && !v->domain->is_privileged) {
        regs->rax = (uint64_t)-EPERM;
        return;
    }
    const uint64_t args[6] = {regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9};
    hypercall_begin();
    long ret = hc->call(args);
    unsigned int op;
    uint64_t cont[HC_MAX_ARGS];
    if (hypercall_take_continuation(&op, cont)) {
        hypercall_apply_continuation(regs, op, cont); /* the guest issues it again */
        return;
    }
    /* Only RAX changes, as on a release build of Xen 4.17: guests may keep values in the
     * argument registers across a call (debug builds of Xen poison them; release builds,
     * which guests are built against, do not). RCX and R11 hold what SYSCALL put there. */
    regs->rax = (uint64_t)ret;
}
