/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: event channels (event_channel_op and its compat form), sched_op
 * and sched_op_compat, set_timer_op.
 *
 * Left out (they would stop the guest, which is its right, not an attack):
 * SCHEDOP_shutdown with a readable argument, sched_op_compat shutdown,
 * remote_shutdown of ourselves, EVTCHNOP_reset of our own domain and closing
 * or rebinding the workers' wake-up ports, watchdogs that expire in less
 * than an hour. Anything that may sleep (block, poll) is issued with the
 * worker's self-IPI pending, or with a timeout in the next millisecond.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "env.h"

static void evtchn_arg(struct hcf_worker *w, uint32_t cmd, uint8_t *op)
{
    switch (cmd) {
    case LAM_EVTCHNOP_bind_interdomain: {
        struct lam_evtchn_bind_interdomain *b = (void *)op;
        b->remote_dom = hcf_domid(w);
        b->remote_port = hcf_port(w, 1);
        break;
    }
    case LAM_EVTCHNOP_bind_virq: {
        struct lam_evtchn_bind_virq *b = (void *)op;
        b->virq = (uint32_t)(hcf_chance(w, 80) ? hcf_below(w, LAM_NR_VIRQS + 2) : hcf_int(w));
        b->vcpu = hcf_vcpu(w);
        break;
    }
    case LAM_EVTCHNOP_bind_pirq: {
        struct lam_evtchn_bind_pirq *b = (void *)op;
        uint32_t pirq = (uint32_t)(hcf_chance(w, 50) ? hcf_below(w, 48) : hcf_int(w));
        /* The control domain may legitimately take real interrupt lines. */
        if (hcf_env.privileged && pirq < 256)
            pirq += 1000;
        b->pirq = pirq;
        b->flags = (uint32_t)hcf_below(w, 3);
        break;
    }
    case LAM_EVTCHNOP_close:
    case LAM_EVTCHNOP_send:
    case LAM_EVTCHNOP_unmask: {
        struct lam_evtchn_port_arg *p = (void *)op;
        p->port = hcf_port(w, cmd != LAM_EVTCHNOP_close);
        break;
    }
    case LAM_EVTCHNOP_status: {
        struct lam_evtchn_status *s = (void *)op;
        s->dom = hcf_domid(w);
        s->port = hcf_port(w, 1);
        break;
    }
    case LAM_EVTCHNOP_alloc_unbound: {
        struct lam_evtchn_alloc_unbound *a = (void *)op;
        a->dom = hcf_domid(w);
        a->remote_dom = hcf_domid(w);
        break;
    }
    case LAM_EVTCHNOP_bind_ipi: {
        struct lam_evtchn_bind_ipi *b = (void *)op;
        b->vcpu = hcf_vcpu(w);
        break;
    }
    case LAM_EVTCHNOP_bind_vcpu: {
        struct lam_evtchn_bind_vcpu *b = (void *)op;
        b->port = hcf_port(w, 0);
        b->vcpu = hcf_vcpu(w);
        break;
    }
    case LAM_EVTCHNOP_reset:
    case LAM_EVTCHNOP_reset_cont: {
        struct lam_evtchn_reset *r = (void *)op;
        uint16_t d = hcf_domid(w);
        if (d == LAM_DOMID_SELF || d == hcf_env.domid)
            d = 0x7ffd; /* our own channels: the workers wait on theirs */
        r->dom = d;
        break;
    }
    case LAM_EVTCHNOP_init_control: {
        struct lam_evtchn_init_control *i = (void *)op;
        static const uint32_t offs[] = {0, 8, 64, 4032, 4095, 4096, 0xffffffff};
        /* Not a frame it could accept: Xen switches the domain to the FIFO ABI then, and
         * the wake-up guard (2-level bits, no event array) stops working. Lamina refuses
         * FIFO whatever the frame. */
        i->control_gfn =
            hcf_frame(w, FRM(FR_LIVEPT) | FRM(FR_LOW) | FRM(FR_NONE) | FRM(FR_MMIO), NULL);
        i->offset = HCF_PICK(w, offs);
        i->vcpu = hcf_vcpu(w);
        break;
    }
    case LAM_EVTCHNOP_expand_array: {
        struct lam_evtchn_expand_array *x = (void *)op;
        x->array_gfn = hcf_frame(w, FRM_WRITABLE_OK, NULL);
        break;
    }
    case LAM_EVTCHNOP_set_priority: {
        struct lam_evtchn_set_priority *p = (void *)op;
        p->port = hcf_port(w, 1);
        p->priority = (uint32_t)hcf_int(w);
        break;
    }
    default:
        for (unsigned int i = 0; i < 24; i++)
            op[i] = (uint8_t)hcf_u64(w);
        break;
    }
}

static uint32_t evtchn_cmd(struct hcf_worker *w)
{
    uint32_t cmd = (uint32_t)hcf_below(w, 16);
    if (hcf_chance(w, 3))
        cmd = (uint32_t)hcf_int(w);
    hcf_note(w, " cmd %u", cmd);
    return cmd;
}

void hcf_gen_event_channel_op(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = evtchn_cmd(w);
    uint8_t *op = hcf_alloc(w, 32, 8);
    evtchn_arg(w, cmd, op);
    c->nr = LAM_HYPERCALL_EVENT_CHANNEL_OP;
    c->a[0] = cmd;
    c->a[1] = hcf_ptr(w, op, 24, HCF_OUT | HCF_EXACT);
}

void hcf_gen_event_channel_op_compat(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = evtchn_cmd(w);
    uint8_t *op = hcf_alloc(w, 32, 8); /* struct evtchn_op: cmd, then the union */
    *(uint32_t *)op = cmd;
    evtchn_arg(w, cmd, op + 4);
    c->nr = LAM_HYPERCALL_EVENT_CHANNEL_OP_COMPAT;
    c->a[0] = hcf_ptr(w, op, 28, HCF_OUT | HCF_EXACT);
}

/* A pointer that cannot be read: for calls whose readable argument would stop us. */
static uint64_t unreadable(struct hcf_worker *w)
{
    static const uint64_t bad[] = {0, 0x1000, 0xffff830000000000ULL, 0x8000000000000000ULL,
                                   0xfffffffffffffff8ULL};
    return HCF_PICK(w, bad);
}

static uint64_t poll_arg(struct hcf_worker *w, struct hcf_call *c, struct lam_sched_poll *p)
{
    unsigned int n = 1 + (unsigned int)hcf_below(w, 6);
    uint32_t *ports = hcf_alloc(w, 4 * 8, 4);
    for (unsigned int i = 0; i < n; i++)
        ports[i] = hcf_port(w, 1);
    int wake = hcf_chance(w, 50);
    if (wake) /* our self-IPI, made pending before the call: returns at once */
        ports[hcf_below(w, n)] = w->ipi_port;
    static const uint32_t nrs[] = {0, 128, 129, 0xffffffff};
    p->ports = hcf_ptr(w, ports, 4 * 8, 0);
    p->nr_ports = hcf_chance(w, 85) ? n : HCF_PICK(w, nrs);
    uint64_t ptr = hcf_ptr(w, p, sizeof(*p), HCF_EXACT);
    /* The wake-up counts only if the hypervisor reads the list as built. */
    wake = wake && p->ports == (uint64_t)ports && p->nr_ports == n && ptr == (uint64_t)p;
    /* A timeout that is not in the next millisecond only when the wake-up is in the list. */
    p->timeout = hcf_time(w, !wake);
    c->flags |= HCF_GUARD_WAKE | HCF_REPAIR_MASK;
    hcf_note(w, " poll %u port(s) [%u %u ...] timeout %lx%s", p->nr_ports, ports[0], ports[1],
             (unsigned long)p->timeout, wake ? " wake" : "");
    return ptr;
}

void hcf_gen_sched_op(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = (uint32_t)hcf_below(w, 9);
    if (hcf_chance(w, 3))
        cmd = (uint32_t)hcf_int(w);
    uint8_t *arg = hcf_alloc(w, 32, 8);
    uint64_t ptr = 0;
    hcf_note(w, " cmd %u", cmd);
    switch (cmd) {
    case LAM_SCHEDOP_yield:
        ptr = hcf_int(w);
        break;
    case LAM_SCHEDOP_block:
        ptr = hcf_int(w);
        c->flags |= HCF_GUARD_WAKE | HCF_REPAIR_MASK;
        break;
    case LAM_SCHEDOP_shutdown:
        ptr = unreadable(w);
        break;
    case LAM_SCHEDOP_poll:
        ptr = poll_arg(w, c, (struct lam_sched_poll *)arg);
        break;
    case LAM_SCHEDOP_remote_shutdown: {
        struct lam_sched_remote_shutdown *r = (void *)arg;
        uint16_t d = hcf_domid(w);
        /* Ourselves, when we may: a shutdown, not an attack. (A domU asking for dom0
         * must be refused: that one stays.) */
        if (d == LAM_DOMID_SELF || d == hcf_env.domid)
            d = 0x7ffd;
        r->domain_id = d;
        r->reason = (uint32_t)(hcf_chance(w, 70) ? hcf_below(w, 7) : hcf_int(w));
        ptr = hcf_ptr(w, arg, sizeof(*r), HCF_EXACT);
        break;
    }
    case LAM_SCHEDOP_shutdown_code: {
        /* Recorded for the next shutdown only; the worker resets it at the end. */
        static const uint32_t reasons[] = {LAM_SHUTDOWN_poweroff, 6, 255, 0xffffffff};
        *(uint32_t *)arg = HCF_PICK(w, reasons);
        ptr = hcf_ptr(w, arg, 4, 0);
        break;
    }
    case LAM_SCHEDOP_watchdog: {
        struct lam_sched_watchdog *wd = (void *)arg;
        static const uint32_t timeouts[] = {0, 3600, 86400, 0x7fffffff, 0xffffffff};
        wd->id = (uint32_t)(hcf_chance(w, 80) ? hcf_below(w, 4) : hcf_int(w));
        wd->timeout = HCF_PICK(w, timeouts);
        if (wd->id == 0 && wd->timeout == 0)
            wd->timeout = 3600; /* a new watchdog with timeout 0 expires at once (Xen) */
        hcf_note(w, " watchdog %u %u", wd->id, wd->timeout);
        ptr = hcf_ptr(w, arg, sizeof(*wd), HCF_OUT | HCF_EXACT);
        break;
    }
    case LAM_SCHEDOP_pin_override: {
        static const int32_t pcpus[] = {-1, 0, 1, 3, 4, 255, 0x7fffffff, -2};
        *(int32_t *)arg = HCF_PICK(w, pcpus);
        ptr = hcf_ptr(w, arg, 4, 0);
        break;
    }
    default:
        ptr = hcf_ptr(w, arg, 32, 1);
        break;
    }
    c->nr = LAM_HYPERCALL_SCHED_OP;
    c->a[0] = cmd;
    c->a[1] = ptr;
}

void hcf_gen_sched_op_compat(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t cmd = hcf_below(w, 8);
    uint64_t arg = hcf_int(w);
    if (cmd == LAM_SCHEDOP_shutdown)
        cmd = LAM_SCHEDOP_yield; /* the reason is the argument itself: it would stop us */
    if (cmd == LAM_SCHEDOP_block)
        c->flags |= HCF_GUARD_WAKE | HCF_REPAIR_MASK;
    c->nr = LAM_HYPERCALL_SCHED_OP_COMPAT;
    c->a[0] = cmd;
    c->a[1] = arg;
}

void hcf_gen_set_timer_op(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_SET_TIMER_OP;
    c->a[0] = hcf_chance(w, 10) ? 0 : hcf_time(w, 0);
}
