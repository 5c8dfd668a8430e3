/* SPDX-License-Identifier: MIT */
/*
 * lamina/event_channel.h - the event_channel_op hypercall (number 32):
 * event_channel_op(cmd, arg). The older event_channel_op_compat (16) takes a
 * single pointer to a struct lam_evtchn_op {cmd; union of the below}.
 *
 * Ports start at 1 (Linux treats port 0 as invalid). With the 2-level ABI a
 * domain has LAM_EVTCHN_2L_NR_CHANNELS ports whose pending and mask bits live
 * in shared_info (lamina/shared_info.h).
 */
#ifndef LAMINA_EVENT_CHANNEL_H
#define LAMINA_EVENT_CHANNEL_H

#include "types.h"

#define LAM_EVTCHNOP_bind_interdomain 0
#define LAM_EVTCHNOP_bind_virq        1
#define LAM_EVTCHNOP_bind_pirq        2
#define LAM_EVTCHNOP_close            3
#define LAM_EVTCHNOP_send             4
#define LAM_EVTCHNOP_status           5
#define LAM_EVTCHNOP_alloc_unbound    6
#define LAM_EVTCHNOP_bind_ipi         7
#define LAM_EVTCHNOP_bind_vcpu        8
#define LAM_EVTCHNOP_unmask           9
#define LAM_EVTCHNOP_reset            10
#define LAM_EVTCHNOP_init_control     11 /* FIFO ABI; an error makes Linux use 2-level */
#define LAM_EVTCHNOP_expand_array     12 /* FIFO ABI */
#define LAM_EVTCHNOP_set_priority     13 /* FIFO ABI */
#define LAM_EVTCHNOP_reset_cont       14

/* Virtual IRQs (bind_virq). Per-vCPU unless noted global. */
#define LAM_VIRQ_TIMER      0 /* one-shot or periodic timer expired */
#define LAM_VIRQ_DEBUG      1 /* debug key pressed on the hypervisor console */
#define LAM_VIRQ_CONSOLE    2 /* global: hypervisor console input (dom0) */
#define LAM_VIRQ_DOM_EXC    3 /* global: a domain shut down or was destroyed */
#define LAM_VIRQ_TBUF       4 /* global: trace buffers */
#define LAM_VIRQ_DEBUGGER   6 /* global */
#define LAM_VIRQ_XENOPROF   7
#define LAM_VIRQ_CON_RING   8 /* global: hypervisor log ring has new data */
#define LAM_VIRQ_PCPU_STATE 9 /* global: physical CPU went on/offline */
#define LAM_VIRQ_MEM_EVENT  10
#define LAM_VIRQ_ARGO       11
#define LAM_VIRQ_ENOMEM     12 /* global: low on free memory */
#define LAM_VIRQ_XENPMU     13
#define LAM_VIRQ_ARCH_0     16 /* x86: machine check (VIRQ_MCA) */
#define LAM_NR_VIRQS        24

/* Allocate a port that remote_dom may bind with bind_interdomain. */
struct lam_evtchn_alloc_unbound {
    lam_domid_t dom;        /* IN: LAM_DOMID_SELF (or, privileged, another domain) */
    lam_domid_t remote_dom; /* IN */
    lam_evtchn_port_t port; /* OUT */
};

/* Connect to a port another (or the same) domain allocated for us. */
struct lam_evtchn_bind_interdomain {
    lam_domid_t remote_dom;
    uint16_t pad;
    lam_evtchn_port_t remote_port;
    lam_evtchn_port_t local_port; /* OUT */
};

struct lam_evtchn_bind_virq {
    uint32_t virq; /* LAM_VIRQ_* */
    uint32_t vcpu;
    lam_evtchn_port_t port; /* OUT */
};

#define LAM_BIND_PIRQ_WILL_SHARE 1U
struct lam_evtchn_bind_pirq {
    uint32_t pirq;
    uint32_t flags;         /* LAM_BIND_PIRQ_* */
    lam_evtchn_port_t port; /* OUT */
};

struct lam_evtchn_bind_ipi {
    uint32_t vcpu;
    lam_evtchn_port_t port; /* OUT */
};

/* close, send and unmask all take just a port. */
struct lam_evtchn_port_arg {
    lam_evtchn_port_t port;
};

#define LAM_EVTCHNSTAT_closed      0
#define LAM_EVTCHNSTAT_unbound     1
#define LAM_EVTCHNSTAT_interdomain 2
#define LAM_EVTCHNSTAT_pirq        3
#define LAM_EVTCHNSTAT_virq        4
#define LAM_EVTCHNSTAT_ipi         5

struct lam_evtchn_status {
    lam_domid_t dom; /* IN */
    uint16_t pad;
    lam_evtchn_port_t port; /* IN */
    uint32_t status;        /* OUT: LAM_EVTCHNSTAT_* */
    uint32_t vcpu;          /* OUT: vCPU the port notifies */
    union {
        struct {
            lam_domid_t dom;
        } unbound;
        struct {
            lam_domid_t dom;
            uint16_t pad;
            lam_evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};

struct lam_evtchn_bind_vcpu {
    lam_evtchn_port_t port;
    uint32_t vcpu;
};

struct lam_evtchn_reset {
    lam_domid_t dom;
};

struct lam_evtchn_init_control {
    uint64_t control_gfn; /* IN */
    uint32_t offset;      /* IN */
    uint32_t vcpu;        /* IN */
    uint8_t link_bits;    /* OUT */
    uint8_t pad[7];
};

struct lam_evtchn_expand_array {
    uint64_t array_gfn;
};

struct lam_evtchn_set_priority {
    lam_evtchn_port_t port;
    uint32_t priority;
};

LAM_ASSERT_SIZE(struct lam_evtchn_alloc_unbound, 8);
LAM_ASSERT_OFFSET(struct lam_evtchn_alloc_unbound, remote_dom, 2);
LAM_ASSERT_OFFSET(struct lam_evtchn_alloc_unbound, port, 4);
LAM_ASSERT_SIZE(struct lam_evtchn_bind_interdomain, 12);
LAM_ASSERT_OFFSET(struct lam_evtchn_bind_interdomain, remote_port, 4);
LAM_ASSERT_OFFSET(struct lam_evtchn_bind_interdomain, local_port, 8);
LAM_ASSERT_SIZE(struct lam_evtchn_bind_virq, 12);
LAM_ASSERT_OFFSET(struct lam_evtchn_bind_virq, port, 8);
LAM_ASSERT_SIZE(struct lam_evtchn_bind_pirq, 12);
LAM_ASSERT_SIZE(struct lam_evtchn_bind_ipi, 8);
LAM_ASSERT_SIZE(struct lam_evtchn_port_arg, 4);
LAM_ASSERT_SIZE(struct lam_evtchn_status, 24);
LAM_ASSERT_OFFSET(struct lam_evtchn_status, port, 4);
LAM_ASSERT_OFFSET(struct lam_evtchn_status, status, 8);
LAM_ASSERT_OFFSET(struct lam_evtchn_status, vcpu, 12);
LAM_ASSERT_OFFSET(struct lam_evtchn_status, u, 16);
LAM_ASSERT_OFFSET(struct lam_evtchn_status, u.interdomain.port, 20);
LAM_ASSERT_SIZE(struct lam_evtchn_bind_vcpu, 8);
LAM_ASSERT_SIZE(struct lam_evtchn_reset, 2);
LAM_ASSERT_SIZE(struct lam_evtchn_init_control, 24);
LAM_ASSERT_OFFSET(struct lam_evtchn_init_control, link_bits, 16);
LAM_ASSERT_SIZE(struct lam_evtchn_expand_array, 8);
LAM_ASSERT_SIZE(struct lam_evtchn_set_priority, 8);

#endif /* LAMINA_EVENT_CHANNEL_H */
