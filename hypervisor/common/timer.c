/*
 * Hypervisor timers: a per-CPU heap of deadlines (common/timer_heap.c) driven
 * by the local APIC one-shot timer, always armed for the earliest deadline.
 * A 10 ms housekeeping timer polls the serial line for debug keys.
 */
#include "console.h"
#include "cpu.h"
#include "lib.h"
#include "time.h"
#include "timer_heap.h"
#include "traps.h"
#include "x86.h"

#define TIMERS_PER_CPU  256
#define HOUSEKEEPING_NS 10000000ull

struct cpu_timers {
    struct timer_heap heap;
    uint64_t armed_for; /* deadline the APIC timer is programmed for (0: none) */
    struct timer *storage[TIMERS_PER_CPU];
    struct timer housekeeping;
};

static struct cpu_timers cpu_timers[NR_CPUS];

/* Program the APIC for the earliest deadline, unless it is already set for it:
 * each reprogramming is an MMIO write, and schedules rearm timers constantly. */
static void reprogram(struct cpu_timers *ct)
{
    struct timer *next = timer_heap_peek(&ct->heap);
    if (!next || next->expires == ct->armed_for)
        return;
    ct->armed_for = next->expires;
    apic_timer_arm(next->expires);
}

void timer_set(struct timer *t, uint64_t expires)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    unsigned long flags = local_irq_save();
    if (timer_is_queued(t))
        timer_heap_remove(&ct->heap, t);
    t->expires = expires;
    timer_heap_add(&ct->heap, t);
    reprogram(ct);
    local_irq_restore(flags);
}

void timer_stop(struct timer *t)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    unsigned long flags = local_irq_save();
    if (timer_is_queued(t))
        timer_heap_remove(&ct->heap, t);
    local_irq_restore(flags);
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
    ct->armed_for = 0; /* the one-shot fired: nothing is programmed now */
    while ((t = timer_heap_pop_expired(&ct->heap, time_now_ns())) != NULL)
        t->fn(t->data);
    reprogram(ct);
}

void timers_init(void)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    timer_heap_init(&ct->heap, ct->storage, TIMERS_PER_CPU);
    timer_init(&ct->housekeeping, housekeeping, &ct->housekeeping);
    timer_set(&ct->housekeeping, time_now_ns() + HOUSEKEEPING_NS);
}

void hv_idle_once(void)
{
    safe_halt();
    local_irq_disable();
}
