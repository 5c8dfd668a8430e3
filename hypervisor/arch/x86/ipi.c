/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interprocessor interrupts: the kick (wake an idle CPU or make a busy one
 * pass through its exit path, where it reschedules) and "call function"
 * (run a function on a set of CPUs and wait), with the TLB shootdown on top.
 *
 * Each sending CPU owns one request slot: the function, its argument and the
 * mask of CPUs that still have to run it. A target runs every slot that
 * names it, then clears its bit; the sender waits for the mask to empty. A
 * sender that waits also serves requests addressed to itself, so two CPUs
 * calling each other at the same time (even with interrupts off) do not
 * deadlock. Sending must not happen while holding a lock a target might need
 * in interrupt context with interrupts off on the target (none do today:
 * the handlers only flush TLBs).
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/lib.h>
#include <asm/smp.h>
#include <hv/spinlock.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <asm/flushtlb.h>

#define ICR_FIXED 0x00004000u /* fixed delivery, level assert, physical destination */

struct call_request {
    void (*fn)(void *arg);
    void *arg;
    volatile cpumask_t pending;
};

static struct call_request call_slot[NR_CPUS];

void smp_send_kick(unsigned int cpu)
{
    if (cpu == smp_processor_id() || !(cpu_online_mask & cpumask_of(cpu)))
        return;
    apic_send_ipi(cpu_info_of[cpu]->apic_id, ICR_FIXED | IPI_VECTOR_KICK);
}

/* Run every request that names this CPU. */
static void serve_calls(void)
{
    unsigned int me = smp_processor_id();
    for (unsigned int s = 0; s < NR_CPUS; s++) {
        struct call_request *r = &call_slot[s];
        if (!(__atomic_load_n(&r->pending, __ATOMIC_ACQUIRE) & cpumask_of(me)))
            continue;
        r->fn(r->arg);
        __atomic_and_fetch(&r->pending, ~cpumask_of(me), __ATOMIC_RELEASE);
    }
}

void call_function_on(cpumask_t mask, void (*fn)(void *arg), void *arg)
{
    unsigned int me = smp_processor_id();
    cpumask_t others = mask & cpu_online_mask & ~cpumask_of(me);

    if (others) {
        struct call_request *r = &call_slot[me];
        r->fn = fn;
        r->arg = arg;
        __atomic_store_n(&r->pending, others, __ATOMIC_SEQ_CST);
        for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
            if (others & cpumask_of(cpu))
                apic_send_ipi(cpu_info_of[cpu]->apic_id, ICR_FIXED | IPI_VECTOR_CALL);
    }
    if (mask & cpumask_of(me))
        fn(arg);
    if (others)
        while (__atomic_load_n(&call_slot[me].pending, __ATOMIC_ACQUIRE)) {
            serve_calls();
            cpu_relax();
        }
}

void ipi_interrupt(unsigned int vector)
{
    apic_eoi();
    if (vector == IPI_VECTOR_CALL)
        serve_calls();
    /* IPI_VECTOR_KICK: nothing to do here; the exit path or idle loop looks at the
     * scheduler's flags once the interrupt returns. */
}

static void flush_all_here(void *arg)
{
    (void)arg;
    flush_tlb_local();
}

static void flush_one_here(void *arg)
{
    invlpg((uint64_t)arg);
}

void flush_tlb_mask(cpumask_t mask)
{
    if (mask == cpumask_of(smp_processor_id()) || nr_cpus_online == 1) {
        if (mask & cpumask_of(smp_processor_id()))
            flush_tlb_local();
        return;
    }
    call_function_on(mask, flush_all_here, NULL);
}

void flush_tlb_one_mask(cpumask_t mask, uint64_t va)
{
    if (mask == cpumask_of(smp_processor_id()) || nr_cpus_online == 1) {
        if (mask & cpumask_of(smp_processor_id()))
            invlpg(va);
        return;
    }
    call_function_on(mask, flush_one_here, (void *)va);
}

void flush_tlb_domain(struct domain *d)
{
    flush_tlb_mask(__atomic_load_n(&d->dirty_cpumask, __ATOMIC_SEQ_CST));
}

void flush_tlb_domain_one(struct domain *d, uint64_t va)
{
    flush_tlb_one_mask(__atomic_load_n(&d->dirty_cpumask, __ATOMIC_SEQ_CST), va);
}
