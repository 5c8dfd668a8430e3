/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credit accounting for the scheduler (sched_credit.c), shared with the run
 * queues in schedule.c. Internal to the scheduler.
 */
#ifndef LAMINA_HV_SCHED_CREDIT_H
#define LAMINA_HV_SCHED_CREDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/domain.h>

/* Shortest slice when a slice is cut at the accounting boundary. */
#define SCHED_MIN_SLICE_NS 1000000ull

static inline bool sched_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return v->online && !v->blocked && !v->pause_flag && d->state == DOMAIN_RUNNING;
}

void credit_init(void);
/* The list of every vCPU the accounting hands credit to. */
void credit_add_vcpu(struct vcpu *v);
void credit_remove_vcpu(struct vcpu *v);

/* Hand out a period's credit if one has passed; whichever CPU gets there first does it. */
void credit_maybe_account(uint64_t now);
/* When the current period ends (a capped domain waiting for its budget wakes then). */
uint64_t credit_period_end(uint64_t now);

/* v ran ran_ns in a slice that set reserved_ns of its domain's cap budget aside: burn its
 * credit and the budget, and release the reservation. */
void credit_charge(struct vcpu *v, uint64_t ran_ns, uint64_t reserved_ns);
static inline int64_t credit_of(const struct vcpu *v)
{
    return __atomic_load_n(&v->credit, __ATOMIC_RELAXED);
}
/* Has v's domain used (or set aside) its cap for this period? */
bool credit_over_cap(const struct vcpu *v);

/*
 * v starts a slice now: when it ends. After SCHED_SLICE_NS; at the next accounting when a
 * capped vCPU waits on this CPU (capped_waiting); and for a capped domain when the part of its
 * budget it gets ends, that part being set aside (*reserved_ns) until credit_charge().
 */
uint64_t credit_start_slice(struct vcpu *v, bool capped_waiting, uint64_t now,
                            uint64_t *reserved_ns);

#endif
