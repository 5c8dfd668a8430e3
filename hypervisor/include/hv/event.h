/* SPDX-License-Identifier: GPL-2.0-only */
/* Event channels (2-level ABI) and VIRQs. */
#ifndef LAMINA_HV_EVENT_H
#define LAMINA_HV_EVENT_H

#include <stdbool.h>
#include <hv/domain.h>

int evtchn_init(struct domain *d, unsigned int max_ports);
void evtchn_destroy(struct domain *d);
/* For the domain builder: an unbound port of d that domain `remote` may bind. */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, uint32_t *port);
/* Mark port pending in d and notify its vCPU (the 2-level delivery rule). */
void evtchn_set_pending(struct domain *d, uint32_t port);
/* Raise a VIRQ: per-vCPU ones on v, global ones on the domain's bound vCPU. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
void send_global_virq(struct domain *d, unsigned int virq);
bool virq_is_global(unsigned int virq);
/* A physical interrupt for d's pirq, bound to port (arch/x86/irq.c's handler). */
void evtchn_send_pirq(struct domain *d, uint32_t port, uint32_t pirq);
/* Is port pending in d (ignoring the mask)? */
bool evtchn_port_pending(const struct domain *d, uint32_t port);

/* Scheduler hooks (common/sched/schedule.c). */
void vcpu_wake(struct vcpu *v);
void vcpu_block(struct vcpu *v);
/* Arm v's poll timeout for deadline, unless a wake already ended its block (SCHEDOP_poll,
 * after vcpu_block). */
void sched_arm_poll_timer(struct vcpu *v, uint64_t deadline);
bool vcpu_event_deliverable(const struct vcpu *v);

#endif
