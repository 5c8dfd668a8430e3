/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall continuations (see continuation.h).
 *
 * The preemption check stands in for Xen's "softirq pending or events need
 * delivery": the scheduler's own flag is private to schedule.c, so a hypercall
 * gets a time budget (HC_BUDGET_US) from its first check (reading the TSC is
 * slow under emulation; hypercalls that never check never pay for it), and
 * stops early as soon as an event is deliverable to the calling vCPU. Interrupts are enabled while
 * a hypercall runs, so timers fire during it; their effects (a slice expiry, a wake-up) are acted
 * on when the continuation returns to the guest.
 */
#include <hv/continuation.h>
#include <lamina/hypercall-numbers.h>
#include <hv/sched.h>
#include <hv/console.h>
#include <asm/cpu.h>
#include <hv/domain.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <hv/lib.h>

#define HC_BUDGET_US 1000 /* a hypercall runs at most about this long before it yields */

/* A requested continuation's hypercall and arguments (the flag is in cpu_info). */
struct hc_state {
    unsigned int op;
    uint64_t args[HC_MAX_ARGS];
};

static struct hc_state hc_state[NR_CPUS];
struct preempt_stats preempt_stats;

/* The budget in TSC cycles, computed once (a division on every hypercall shows). */
static uint64_t budget_cycles(void)
{
    static uint64_t cycles;
    if (!cycles)
        cycles = tsc_khz() * HC_BUDGET_US / 1000;
    return cycles;
}

bool hypercall_preempt_check(void)
{
    struct vcpu *v = current;
    if (v && v->vcpu_info && vcpu_event_deliverable(v))
        return true;
    if (sched_resched_pending()) /* another vCPU should run here (slice over, a wake-up) */
        return true;
    struct cpu_info *ci = get_cpu_info();
    uint64_t now = rdtsc();
    if (!ci->hc_deadline_tsc) {
        ci->hc_deadline_tsc = now + budget_cycles();
        return false;
    }
    return now > ci->hc_deadline_tsc;
}

long hypercall_create_continuation(unsigned int op, unsigned int nargs, const uint64_t *args)
{
    struct hc_state *s = &hc_state[smp_processor_id()];
    get_cpu_info()->hc_continuation = 1;
    s->op = op;
    for (unsigned int i = 0; i < HC_MAX_ARGS; i++)
        s->args[i] = i < nargs ? args[i] : 0;
    if (op < ARRAY_SIZE(preempt_stats.continuations))
        preempt_stats.continuations[op]++;
    return 0;
}

bool hypercall_fetch_continuation(unsigned int *op, uint64_t args[HC_MAX_ARGS])
{
    struct hc_state *s = &hc_state[smp_processor_id()];
    get_cpu_info()->hc_continuation = 0;
    *op = s->op;
    for (unsigned int i = 0; i < HC_MAX_ARGS; i++)
        args[i] = s->args[i];
    return true;
}

void hypercall_apply_continuation(struct cpu_regs *regs, unsigned int op,
                                  const uint64_t args[HC_MAX_ARGS])
{
    regs->rax = op;
    regs->rdi = args[0];
    regs->rsi = args[1];
    regs->rdx = args[2];
    regs->r10 = args[3];
    regs->r8 = args[4];
    regs->r9 = args[5];
    regs->rip -= SYSCALL_INSN_LEN; /* back onto the SYSCALL in the hypercall page */
}

void preempt_stats_print(void)
{
    uint64_t total = 0;
    for (unsigned int i = 0; i < ARRAY_SIZE(preempt_stats.continuations); i++)
        total += preempt_stats.continuations[i];
    printk("preempt: %lu continuation(s) (mmu_update %lu, memory_op %lu, multicall %lu, "
           "mmuext_op %lu, domctl %lu, grant_table_op %lu), %lu table(s) left partial, "
           "%lu resumed, %lu destroy(s) preempted, %lu retype flush(es) put off",
           (unsigned long)total,
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_MMU_UPDATE],
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_MEMORY_OP],
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_MULTICALL],
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_MMUEXT_OP],
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_DOMCTL],
           (unsigned long)preempt_stats.continuations[LAM_HYPERCALL_GRANT_TABLE_OP],
           (unsigned long)preempt_stats.partial_tables, (unsigned long)preempt_stats.resumed_tables,
           (unsigned long)preempt_stats.destroys_preempted,
           (unsigned long)preempt_stats.retype_flushes_deferred);
}
