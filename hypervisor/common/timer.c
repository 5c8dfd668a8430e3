/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor timers: a per-CPU heap of deadlines (common/timer_heap.c) driven
 * by the local APIC one-shot timer, always armed for the earliest deadline.
 * A 10 ms housekeeping timer on the boot CPU polls the serial line for debug
 * keys.
 *
 * A timer lives on the heap of the CPU that last set it (t->cpu), so a vCPU's
 * timers follow it when it sets them after moving to another CPU; stopping
 * works from any CPU. Each heap has its own lock, taken with interrupts off
 * (the timer interrupt takes it too). Timer functions run on the owning CPU
 * without the lock held; `running` says which one, so that timer_kill() can
 * wait for it before the timer's memory goes away.
 */
#include <hv/console.h>
#include <asm/cpu.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <hv/timer_heap.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <asm/irqflags.h>
#include <hv/timer.h>
#include <hv/domain.h>
#include <hv/xmalloc.h>
#include <hv/panic.h>
#include <hv/errcodes.h>

/*
 * How many timers one heap must be able to hold: every timer that can exist. A vCPU's
 * timers go to the heap of whichever CPU sets them, so all vCPUs of all domains may have
 * every one of their timers on one CPU (a one-CPU host always does); add each CPU's own
 * (the scheduler's slice timer, housekeeping). A heap full at 256 used to drop the timer
 * silently: a poll that never times out, a VIRQ_TIMER that never comes, for any guest on
 * a host with three 32-vCPU domains. 50 KiB per CPU, allocated when the CPU comes up.
 */
#define PCPU_NR_TIMERS  2
#define TIMERS_MAX      (MAX_DOMAINS * MAX_VCPUS * VCPU_NR_TIMERS + NR_CPUS * PCPU_NR_TIMERS)
#define HOUSEKEEPING_NS 10000000ull

struct cpu_timers {
    spinlock_t lock; /* heap, armed_for, and which timer runs (running); interrupts off */
    struct timer_heap heap;
    uint64_t armed_for;     /* deadline the APIC timer is programmed for (0: none) */
    struct timer **storage; /* TIMERS_MAX slots */
    struct timer housekeeping;
    struct timer *running; /* whose function this CPU runs now (set under the lock) */
};

static struct cpu_timers cpu_timers[NR_CPUS];

/* Program the APIC for the earliest deadline, unless it is already set for it:
 * each reprogramming is an MMIO write, and schedules rearm timers constantly.
 * Timers are only ever added to the calling CPU's heap, so the CPU that
 * programs an APIC timer is always the one that owns it. */
static void reprogram(struct cpu_timers *ct)
{
    struct timer *next = timer_heap_peek(&ct->heap);
    if (!next || next->expires == ct->armed_for)
        return;
    ct->armed_for = next->expires;
    apic_timer_arm(next->expires);
}

static void dequeue(struct timer *t)
{
    for (;;) {
        unsigned int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        struct cpu_timers *ct = &cpu_timers[cpu];
        spin_lock(&ct->lock);
        if (t->cpu == cpu) { /* still there: it did not move while we took the lock */
            if (timer_is_queued(t))
                timer_heap_remove(&ct->heap, t);
            spin_unlock(&ct->lock);
            return;
        }
        spin_unlock(&ct->lock);
    }
}

void timer_set(struct timer *t, uint64_t expires)
{
    unsigned long flags = local_irq_save();
    unsigned int me = smp_processor_id();
    struct cpu_timers *ct = &cpu_timers[me];
    dequeue(t);
    spin_lock(&ct->lock);
    /* Guests hand in absolute deadlines: one with bit 63 set is a past time, as on Xen,
     * and the heap (unsigned) must not see it as the far future. */
    t->expires = (int64_t)expires < 0 ? 0 : expires;
    __atomic_store_n(&t->cpu, me, __ATOMIC_RELEASE);
    /* Cannot fail: the heap holds every timer there is (TIMERS_MAX), and t was taken off
     * the heap it was on. A failure is a miscounted timer or a set that raced another set
     * of the same timer on another CPU (timer.h), not something a guest did. */
    int rc = timer_heap_add(&ct->heap, t);
    if (rc == -EEXIST)
        panic("timer %p set on two CPUs at once (CPU %u): its sets are not serialised", t, me);
    if (rc)
        panic("timer heap of CPU %u full (%u timers): TIMERS_MAX miscounted", me, ct->heap.nr);
    reprogram(ct);
    spin_unlock(&ct->lock);
    local_irq_restore(flags);
}

void timer_stop(struct timer *t)
{
    unsigned long flags = local_irq_save();
    dequeue(t);
    local_irq_restore(flags);
}

static bool running_anywhere(const struct timer *t)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (__atomic_load_n(&cpu_timers[cpu].running, __ATOMIC_ACQUIRE) == t)
            return true;
    return false;
}

/*
 * timer_stop() only takes a timer off its heap: its function may be running on
 * another CPU right now and re-arm it (the periodic VIRQ_TIMER does), after
 * which freeing the timer leaves a dangling heap entry. timer_kill() returns
 * once the timer is off every heap and no CPU runs its function. The caller
 * makes sure that nothing sets it any more and that its function, if it
 * starts from now on, does not re-arm it (domain_kill: the vCPU is out of the
 * scheduler, and its periodic period is 0). A function running when we looked
 * may still re-arm it once: hence the loop, and the second look after the
 * heap check (a function popped between the two looks started after the
 * caller's change, so it does not re-arm). Interrupts on.
 */
void timer_kill(struct timer *t)
{
    for (;;) {
        timer_stop(t);
        while (running_anywhere(t))
            cpu_relax();
        if (!timer_is_queued(t) && !running_anywhere(t))
            return;
    }
}

static void housekeeping(void *data)
{
    struct timer *t = data;
    keyhandler_poll();
    timer_set(t, time_now_ns() + HOUSEKEEPING_NS);
}

void timer_interrupt(void)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    struct timer *t;
    spin_lock(&ct->lock);
    ct->armed_for = 0; /* the one-shot fired: nothing is programmed now */
    while ((t = timer_heap_pop_expired(&ct->heap, time_now_ns())) != NULL) {
        __atomic_store_n(&ct->running, t, __ATOMIC_RELEASE);
        spin_unlock(&ct->lock);
        t->fn(t->data);
        spin_lock(&ct->lock);
        __atomic_store_n(&ct->running, NULL, __ATOMIC_RELEASE);
    }
    reprogram(ct);
    spin_unlock(&ct->lock);
}

void timers_init_cpu(bool with_housekeeping)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    spin_lock_init(&ct->lock, LOCK_CLASS_TIMER);
    ct->storage = xmalloc_array(struct timer *, TIMERS_MAX);
    if (!ct->storage)
        panic("no memory for CPU %u's timer heap", smp_processor_id());
    timer_heap_init(&ct->heap, ct->storage, TIMERS_MAX);
    if (with_housekeeping) {
        timer_init(&ct->housekeeping, housekeeping, &ct->housekeeping);
        timer_set(&ct->housekeeping, time_now_ns() + HOUSEKEEPING_NS);
    }
}

void timers_init(void)
{
    timers_init_cpu(true);
}

void hv_idle_once(void)
{
    safe_halt();
    local_irq_disable();
}
