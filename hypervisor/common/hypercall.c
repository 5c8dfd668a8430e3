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

/* Xen debug builds poison the argument registers a hypercall did not use as
 * output, so guests cannot come to depend on them surviving. We do too. */
static void clobber_args(struct cpu_regs *regs, unsigned int nargs)
{
    uint64_t *slots[5] = {&regs->rdi, &regs->rsi, &regs->rdx, &regs->r10, &regs->r8};
    for (unsigned int i = nargs; i < 5; i++)
        *slots[i] = 0xdeadbeefdeadf00dull;
}

void do_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current;

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
    regs->rax = (uint64_t)ret;
    if (nr != LAM_HYPERCALL_IRET) /* iret restores every register itself */
        clobber_args(regs, hc->nargs);
}
