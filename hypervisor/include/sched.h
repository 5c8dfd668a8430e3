/* The vCPU scheduler. */
#ifndef LAMINA_HV_SCHED_H
#define LAMINA_HV_SCHED_H

#include <stdint.h>
#include "domain.h"

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_SLICE_NS       30000000ull /* 30 ms */

void sched_init(void);
/* Make a vCPU known to the scheduler (runnable unless paused or offline). */
void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);
/* Ask for a scheduling decision at the next exit to a guest. */
void sched_request(void);
/* Called on every exit to a guest with IRQs off: may switch vCPUs or idle. */
void schedule_on_exit(void);
/* Start running guests on this CPU (never returns). */
_Noreturn void sched_start(void);

/* arch/x86/context.c */
void arch_context_switch(struct vcpu *prev, struct vcpu *next);
void arch_vcpu_update_time(struct vcpu *v);
void arch_vcpu_update_runstate_area(struct vcpu *v);

#endif
