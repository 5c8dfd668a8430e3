/* SPDX-License-Identifier: GPL-2.0-only */
/* The vCPU scheduler. */
#ifndef LAMINA_HV_SCHED_H
#define LAMINA_HV_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/domain.h>

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_SLICE_NS       30000000ull /* 30 ms */

void sched_init(void);
/* Make a vCPU known to the scheduler (runnable unless paused or offline). */
void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);
/* Ask for a scheduling decision at the next exit to a guest. */
void sched_request(void);
/* Is a scheduling decision pending on this CPU (slice over, a wake-up)? For long hypercalls. */
bool sched_resched_pending(void);
/* Called on every exit to a guest with IRQs off: may switch vCPUs or idle. */
void schedule_on_exit(void);
/* Start running guests on this CPU (never returns): every CPU ends up here. */
_Noreturn void sched_idle_loop(void);
/* v changed state outside the scheduler (VCPUOP_up/down, shutdown): reschedule where needed. */
void sched_vcpu_changed(struct vcpu *v);
void sched_domain_changed(struct domain *d);
/* VCPUOP_up/down: v goes online or offline, its runstate following at once. */
void sched_vcpu_set_online(struct vcpu *v, bool online);
/* SCHEDOP_yield: let any other runnable vCPU take this CPU first. */
void sched_yield(struct vcpu *v);
/* Hard affinity: the physical CPUs v may run on (a cpumask); -EINVAL if none is online. */
int sched_set_affinity(struct vcpu *v, uint64_t cpumask);

/* Print each CPU's run queue (debug key 'r'). */
void sched_dump(void);

/* arch/x86/context.c */
void arch_context_switch(struct vcpu *prev, struct vcpu *next);
void arch_context_save(struct vcpu *prev);
void arch_context_load(struct vcpu *next);
void arch_vcpu_update_time(struct vcpu *v);
void arch_vcpu_update_runstate_area(struct vcpu *v);

/* Would an event upcall be delivered to v now (pending and not masked)? */
bool vcpu_event_deliverable(const struct vcpu *v);

#endif
