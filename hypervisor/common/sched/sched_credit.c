/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credit accounting: how much CPU time each vCPU may use, machine-wide.
 *
 * Every SCHED_SLICE_NS one CPU hands out credit: each domain with runnable
 * vCPUs gets a share of the period times the number of CPUs, proportional to
 * its weight (default 256) and split between its runnable vCPUs; one vCPU can
 * never use more than one CPU, so its share is clamped. A domain with a cap
 * may use cap% of one CPU per period, summed over its vCPUs on all CPUs.
 * Running burns credit by the nanosecond, on whichever CPU it ran; credit is
 * kept between minus one and plus two slices' worth. A slice
 * of a capped domain's vCPU sets its length aside in the domain's budget when
 * it starts (cap_reserved), and gives back what it did not use when it ends:
 * otherwise k CPUs starting the domain's vCPUs in one period would each be
 * granted the whole remaining budget, and the domain would use k budgets.
 *
 * The run queues (schedule.c) only read credits to order their vCPUs, and
 * steal from each other so that what the credits say holds across CPUs.
 * Credits and cap budgets are updated with atomic operations (the CPU
 * charging a vCPU and the CPU accounting race); credit_lock covers the vCPU
 * list and the accounting pass. It is taken with interrupts off and no run
 * queue lock held, and nothing is taken inside it.
 */
#include "sched_credit.h"
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/sched.h>
#include <asm/smp.h>
#include <asm/time.h>

/* credit_lock: all_vcpus[] and nr_vcpus, and one accounting pass at a time (which writes
 * last_accounting); the credits themselves change atomically. */
static spinlock_t credit_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_CREDIT);
/* Every vCPU that can exist: a vCPU left off this list never got credit and starved (it
 * held 256, and the 257th vCPU of a host was silently dropped). */
static struct vcpu *all_vcpus[MAX_DOMAINS * MAX_VCPUS];
static unsigned int nr_vcpus;
static uint64_t last_accounting; /* written under credit_lock, read anywhere */

void credit_init(void)
{
    last_accounting = time_now_ns();
}

void credit_add_vcpu(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&credit_lock);
    /* Cannot be full: a domain id and a vCPU id each have a slot (a miscount panics). */
    BUG_ON(nr_vcpus >= ARRAY_SIZE(all_vcpus));
    all_vcpus[nr_vcpus++] = v;
    spin_unlock_irqrestore(&credit_lock, flags);
}

void credit_remove_vcpu(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&credit_lock);
    for (unsigned int i = 0; i < nr_vcpus; i++)
        if (all_vcpus[i] == v) {
            all_vcpus[i] = all_vcpus[--nr_vcpus];
            break;
        }
    spin_unlock_irqrestore(&credit_lock, flags);
}

static uint64_t cap_budget(const struct domain *d)
{
    return (uint64_t)d->cap * SCHED_SLICE_NS / 100;
}

/*
 * What a capped domain ran beyond its budget last period counts against the next one (at
 * most one budget's worth): a slice timer that fires late, as under a loaded host or with
 * coarse timers, would otherwise let it exceed its cap every period.
 */
static uint64_t cap_carry(const struct domain *d)
{
    if (!d->cap)
        return 0;
    uint64_t used = __atomic_load_n(&d->consumed_this_period, __ATOMIC_RELAXED);
    uint64_t over = used > cap_budget(d) ? used - cap_budget(d) : 0;
    return MIN(over, cap_budget(d));
}

/* Hand out one period's credit (under credit_lock). */
static void account(uint64_t now)
{
    ASSERT_LOCKED(&credit_lock);
    uint64_t period = now - last_accounting;
    unsigned long total_weight = 0;
    bool seen[MAX_DOMAINS] = {false};
    __atomic_store_n(&last_accounting, now, __ATOMIC_RELEASE);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct domain *d = all_vcpus[i]->domain;
        if (d->domain_id < MAX_DOMAINS && !seen[d->domain_id]) {
            seen[d->domain_id] = true;
            __atomic_store_n(&d->consumed_this_period, cap_carry(d), __ATOMIC_RELAXED);
        }
        if (sched_runnable(all_vcpus[i]))
            total_weight += d->weight;
    }
    if (!total_weight)
        return;
    /* A long period (a long idle stretch, or the host stalling us) would hand everyone more
     * than the hoarding limit below and so flatten the weights: give at most two slices'
     * worth per pass, in proportion. */
    uint64_t p = MIN(period, 2 * SCHED_SLICE_NS);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = all_vcpus[i];
        if (!sched_runnable(v))
            continue;
        int64_t share = (int64_t)(p * nr_cpus_online * v->domain->weight / total_weight);
        if (share > (int64_t)p)
            share = (int64_t)p; /* one vCPU uses one CPU at most */
        int64_t credit = __atomic_add_fetch(&v->credit, share, __ATOMIC_RELAXED);
        if (credit > (int64_t)(2 * SCHED_SLICE_NS)) /* no hoarding */
            __atomic_store_n(&v->credit, (int64_t)(2 * SCHED_SLICE_NS), __ATOMIC_RELAXED);
        /* No lasting debt either (Xen's credit1 bounds it the same way): a host stall
         * while v ran is charged to it, and would otherwise skew the shares for as long
         * as it takes to pay back. */
        if (credit < -(int64_t)SCHED_SLICE_NS)
            __atomic_store_n(&v->credit, -(int64_t)SCHED_SLICE_NS, __ATOMIC_RELAXED);
    }
}

void credit_maybe_account(uint64_t now)
{
    if (now - __atomic_load_n(&last_accounting, __ATOMIC_ACQUIRE) < SCHED_SLICE_NS)
        return;
    if (!spin_trylock(&credit_lock))
        return; /* another CPU is at it */
    if (now - last_accounting >= SCHED_SLICE_NS)
        account(now);
    spin_unlock(&credit_lock);
}

uint64_t credit_period_end(uint64_t now)
{
    return MAX(__atomic_load_n(&last_accounting, __ATOMIC_ACQUIRE) + SCHED_SLICE_NS,
               now + SCHED_MIN_SLICE_NS);
}

void credit_charge(struct vcpu *v, uint64_t ran_ns, uint64_t reserved_ns)
{
    struct domain *d = v->domain;
    __atomic_sub_fetch(&v->credit, (int64_t)ran_ns, __ATOMIC_RELAXED);
    __atomic_add_fetch(&d->consumed_this_period, ran_ns, __ATOMIC_RELAXED);
    if (reserved_ns)
        __atomic_sub_fetch(&d->cap_reserved, reserved_ns, __ATOMIC_RELAXED);
}

/* What is left of d's cap budget this period, after what running slices set aside. */
static uint64_t cap_left(const struct domain *d, uint64_t reserved)
{
    uint64_t used = __atomic_load_n(&d->consumed_this_period, __ATOMIC_RELAXED) + reserved;
    return cap_budget(d) - MIN(cap_budget(d), used);
}

bool credit_over_cap(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return d->cap && !cap_left(d, __atomic_load_n(&d->cap_reserved, __ATOMIC_RELAXED));
}

uint64_t credit_start_slice(struct vcpu *v, bool capped_waiting, uint64_t now,
                            uint64_t *reserved_ns)
{
    uint64_t end = now + SCHED_SLICE_NS;
    if (capped_waiting)
        end = MIN(end, credit_period_end(now));
    *reserved_ns = 0;
    struct domain *d = v->domain;
    if (!d->cap)
        return end;
    /* Take this slice's length out of the budget atomically with the check of what is
     * left, against other CPUs starting the domain's other vCPUs. */
    uint64_t r = __atomic_load_n(&d->cap_reserved, __ATOMIC_RELAXED), grant;
    do {
        grant = MIN(end - now, cap_left(d, r));
    } while (!__atomic_compare_exchange_n(&d->cap_reserved, &r, r + grant, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    *reserved_ns = grant;
    return now + grant;
}
