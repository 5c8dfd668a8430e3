/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels, 2-level ABI.
 *
 * A port is a bit in shared_info.evtchn_pending plus a mask bit; the vCPU a
 * port notifies also gets a selector bit and its upcall_pending flag, and is
 * woken. Ports connect a domain to another domain (interdomain, the split
 * drivers' doorbell), to a VIRQ (timer, console, ...), or to another of its
 * own vCPUs (IPI). FIFO event channels are not offered: init_control fails and
 * Linux falls back to this ABI.
 *
 * Locking: d->evtchn_lock protects d's port table. Binding two domains takes
 * both locks, lower domain id first; the same lock twice for a loopback.
 *
 * Another domain is reached by id with domain_get() (domain_ref.c), which
 * keeps it allocated while this CPU uses it. While d's lock is held and one of
 * d's ports is bound to rd, rd cannot even be reaped (its evtchn_destroy has
 * to take d's lock to close the other end), so the reference is taken there,
 * before d's lock is dropped to take rd's in order. A dying domain gets no new
 * ports (alloc_port), so evtchn_destroy leaves none behind.
 */
#include <hv/event.h>
#include <hv/irqlock.h>
#include <asm/irqflags.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <hv/xmalloc.h>
#include <lamina/event_channel.h>
#include <asm/irq.h>
#include <hypervisor/hypercall-handlers.h>

bool virq_is_global(unsigned int virq)
{
    switch (virq) {
    case LAM_VIRQ_TIMER:
    case LAM_VIRQ_DEBUG:
    case LAM_VIRQ_XENOPROF:
    case LAM_VIRQ_XENPMU:
        return false;
    default:
        return true;
    }
}

int evtchn_init(struct domain *d, unsigned int max_ports)
{
    if (max_ports == 0 || max_ports > LAM_EVTCHN_2L_NR_CHANNELS)
        max_ports = LAM_EVTCHN_2L_NR_CHANNELS;
    d->evtchn = xzalloc_array_bytes(sizeof(struct evtchn), max_ports, 8);
    if (!d->evtchn)
        return -ENOMEM;
    d->max_evtchns = max_ports;
    d->evtchn[0].state = ECS_RESERVED; /* port 0 is never valid */
    spin_lock_init(&d->evtchn_lock, LOCK_CLASS_EVTCHN);
    return 0;
}

static bool port_valid(const struct domain *d, uint32_t port)
{
    return port > 0 && port < d->max_evtchns;
}

/* Caller holds d->evtchn_lock. A dying domain's ports are being closed for good. */
static int alloc_port(struct domain *d)
{
    ASSERT_LOCKED(&d->evtchn_lock);
    if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING)
        return -EINVAL; /* Xen's answer for a dying domain */
    for (uint32_t p = 1; p < d->max_evtchns; p++)
        if (d->evtchn[p].state == ECS_FREE)
            return (int)p;
    return -ENOSPC;
}

static bool test_and_set(uint64_t *word, unsigned int bit)
{
    return __atomic_fetch_or(word, 1ull << bit, __ATOMIC_SEQ_CST) & (1ull << bit);
}

bool evtchn_port_pending(const struct domain *d, uint32_t port)
{
    return port_valid(d, port) &&
           (__atomic_load_n(&d->shared_info->evtchn_pending[port / 64], __ATOMIC_ACQUIRE) >>
            (port % 64)) &
               1;
}

static void vcpu_mark_events_pending(struct vcpu *v, uint32_t port)
{
    if (!test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64)) {
        __atomic_store_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
    }
    vcpu_wake(v);
}

static void wake_pollers(struct domain *d, uint32_t port)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v || !v->poll_nr)
            continue;
        for (unsigned int j = 0; j < v->poll_nr; j++)
            if (v->poll_ports[j] == port) {
                vcpu_wake(v);
                break;
            }
    }
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
    struct lam_shared_info *si = d->shared_info;
    struct vcpu *v = d->vcpus[d->evtchn[port].notify_vcpu];

    if (test_and_set(&si->evtchn_pending[port / 64], port % 64))
        return;
    if (!((__atomic_load_n(&si->evtchn_mask[port / 64], __ATOMIC_ACQUIRE) >> (port % 64)) & 1) && v)
        vcpu_mark_events_pending(v, port);
    /* Pollers wake even for masked ports: that is how Linux's spinlock kicker works. */
    wake_pollers(d, port);
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    uint32_t port = v->virq_port[virq];
    if (port)
        evtchn_set_pending(d, port);
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
}

void send_global_virq(struct domain *d, unsigned int virq)
{
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    uint32_t port = d->global_virq_port[virq];
    if (port)
        evtchn_set_pending(d, port);
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
}

void evtchn_send_pirq(struct domain *d, uint32_t port, uint32_t pirq)
{
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    /* Still that pirq's port? It may have been closed since the interrupt came. */
    if (port_valid(d, port) && d->evtchn[port].state == ECS_PIRQ && d->evtchn[port].u.pirq == pirq)
        evtchn_set_pending(d, port);
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
}

/* Xen's evtchn_bind_pirq: the pirq's range (-EINVAL), a mapping there (-EPERM), no port
 * yet (-EEXIST), then a port; it notifies vCPU 0. */
static long evtchn_bind_pirq(struct domain *d, struct lam_evtchn_bind_pirq *b)
{
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    long rc = irq_pirq_bind_check(d, b->pirq);
    int port = rc ? (int)rc : alloc_port(d);
    if (port > 0) {
        d->evtchn[port] = (struct evtchn){.state = ECS_PIRQ, .notify_vcpu = 0, .u.pirq = b->pirq};
        irq_pirq_bind(d, b->pirq, (uint32_t)port);
        b->port = (uint32_t)port;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return port < 0 ? port : 0;
}

/* Lock two domains' port tables in a fixed order. */
static unsigned long double_lock(struct domain *a, struct domain *b)
{
    unsigned long flags = local_irq_save();
    if (a == b) {
        spin_lock(&a->evtchn_lock);
    } else if (a->domain_id < b->domain_id) {
        spin_lock(&a->evtchn_lock);
        spin_lock_nested(&b->evtchn_lock);
    } else {
        spin_lock(&b->evtchn_lock);
        spin_lock_nested(&a->evtchn_lock);
    }
    return flags;
}

static void double_unlock(struct domain *a, struct domain *b, unsigned long flags)
{
    spin_unlock(&a->evtchn_lock);
    if (a != b)
        spin_unlock(&b->evtchn_lock);
    local_irq_restore(flags);
}

/* self, or another domain with a reference: release with put_domain(). */
static struct domain *lookup_domain(struct domain *self, domid_t id)
{
    if (id == LAM_DOMID_SELF || id == self->domain_id)
        return self;
    return domain_get(id);
}

static void put_domain(struct domain *self, struct domain *d)
{
    if (d != self)
        domain_put(d);
}

static long evtchn_alloc_unbound_in(struct domain *self, struct domain *d,
                                    struct lam_evtchn_alloc_unbound *a)
{
    if (d != self && !self->is_privileged)
        return -EPERM;
    domid_t remote = a->remote_dom == LAM_DOMID_SELF ? d->domain_id : a->remote_dom;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    int port = alloc_port(d);
    if (port > 0) {
        d->evtchn[port] = (struct evtchn){.state = ECS_UNBOUND, .u.unbound_remote = remote};
        a->port = (uint32_t)port;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return port < 0 ? port : 0;
}

static long evtchn_alloc_unbound(struct domain *self, struct lam_evtchn_alloc_unbound *a)
{
    struct domain *d = lookup_domain(self, a->dom);
    if (!d)
        return -ESRCH;
    long rc = evtchn_alloc_unbound_in(self, d, a);
    put_domain(self, d);
    return rc;
}

/* For the domain builder: an unbound port of d that domain `remote` may bind. */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, uint32_t *port)
{
    unsigned long flags = spin_lock_irqsave(&d->evtchn_lock);
    int p = alloc_port(d);
    if (p > 0) {
        d->evtchn[p] = (struct evtchn){.state = ECS_UNBOUND, .u.unbound_remote = remote};
        *port = (uint32_t)p;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, flags);
    return p < 0 ? p : 0;
}

static long bind_interdomain_to(struct domain *ld, struct domain *rd,
                                struct lam_evtchn_bind_interdomain *b)
{
    if (!port_valid(rd, b->remote_port))
        return -EINVAL;
    unsigned long dflags = double_lock(ld, rd);
    long rc = 0;
    struct evtchn *rchn = &rd->evtchn[b->remote_port];
    int lport = alloc_port(ld);
    if (lport < 0) {
        rc = lport;
    } else if (rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domain_id) {
        rc = -EINVAL;
    } else {
        ld->evtchn[lport] =
            (struct evtchn){.state = ECS_INTERDOMAIN,
                            .u.interdomain = {.dom = rd->domain_id, .port = b->remote_port}};
        rchn->state = ECS_INTERDOMAIN;
        rchn->u.interdomain.dom = ld->domain_id;
        rchn->u.interdomain.port = (uint32_t)lport;
        b->local_port = (uint32_t)lport;
        /* The remote end may have been notified before we bound: pass it on. */
        evtchn_set_pending(ld, (uint32_t)lport);
    }
    double_unlock(ld, rd, dflags);
    return rc;
}

static long evtchn_bind_interdomain(struct domain *ld, struct lam_evtchn_bind_interdomain *b)
{
    struct domain *rd = lookup_domain(ld, b->remote_dom);
    if (!rd)
        return -ESRCH;
    long rc = bind_interdomain_to(ld, rd, b);
    put_domain(ld, rd);
    return rc;
}

static long evtchn_bind_virq(struct domain *d, struct lam_evtchn_bind_virq *b)
{
    if (b->virq >= LAM_NR_VIRQS)
        return -EINVAL;
    bool global = virq_is_global(b->virq);
    if (global && b->vcpu != 0)
        return -EINVAL;
    if (b->vcpu >= d->max_vcpus || !d->vcpus[b->vcpu])
        return -ENOENT;
    struct vcpu *v = d->vcpus[b->vcpu];
    uint32_t *slot = global ? &d->global_virq_port[b->virq] : &v->virq_port[b->virq];
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    long rc = 0;
    if (*slot) {
        rc = -EEXIST;
    } else {
        int port = alloc_port(d);
        if (port < 0) {
            rc = port;
        } else {
            d->evtchn[port] = (struct evtchn){
                .state = ECS_VIRQ, .notify_vcpu = (uint16_t)b->vcpu, .u.virq = b->virq};
            *slot = (uint32_t)port;
            b->port = (uint32_t)port;
        }
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return rc;
}

static long evtchn_bind_ipi(struct domain *d, struct lam_evtchn_bind_ipi *b)
{
    if (b->vcpu >= d->max_vcpus || !d->vcpus[b->vcpu])
        return -ENOENT;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    int port = alloc_port(d);
    if (port > 0) {
        d->evtchn[port] = (struct evtchn){.state = ECS_IPI, .notify_vcpu = (uint16_t)b->vcpu};
        b->port = (uint32_t)port;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return port < 0 ? port : 0;
}

/* Close a port; the caller holds d's evtchn_lock (and, for interdomain, its peer rd's). */
static void close_locked(struct domain *d, uint32_t port, struct domain *rd)
{
    ASSERT_LOCKED(&d->evtchn_lock);
    ASSERT(!rd || spin_is_locked_by_me(&rd->evtchn_lock));
    struct evtchn *chn = &d->evtchn[port];
    switch (chn->state) {
    case ECS_VIRQ:
        if (virq_is_global(chn->u.virq))
            d->global_virq_port[chn->u.virq] = 0;
        else if (d->vcpus[chn->notify_vcpu])
            d->vcpus[chn->notify_vcpu]->virq_port[chn->u.virq] = 0;
        break;
    case ECS_PIRQ:
        irq_pirq_unbind(d, chn->u.pirq);
        break;
    case ECS_INTERDOMAIN: {
        if (rd) {
            struct evtchn *r = &rd->evtchn[chn->u.interdomain.port];
            if (r->state == ECS_INTERDOMAIN && r->u.interdomain.dom == d->domain_id &&
                r->u.interdomain.port == port) {
                r->state = ECS_UNBOUND; /* the other end may be rebound, as on Xen */
                r->u.unbound_remote = d->domain_id;
            }
        }
        break;
    }
    default:
        break;
    }
    *chn = (struct evtchn){.state = ECS_FREE};
    __atomic_fetch_and(&d->shared_info->evtchn_pending[port / 64], ~(1ull << (port % 64)),
                       __ATOMIC_SEQ_CST);
}

static long evtchn_close(struct domain *d, uint32_t port)
{
    if (!port_valid(d, port))
        return -EINVAL;
    for (;;) {
        unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
        struct evtchn *chn = &d->evtchn[port];
        if (chn->state == ECS_FREE) {
            spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
            return -EINVAL;
        }
        if (chn->state != ECS_INTERDOMAIN) {
            close_locked(d, port, NULL);
            spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
            return 0;
        }
        struct domain *rd = domain_get(chn->u.interdomain.dom);
        spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
        if (!rd)
            return -ESRCH; /* cannot happen while bound (see the top), but never follow NULL */
        unsigned long dflags = double_lock(d, rd);
        /* Re-check: the binding may have changed while no lock was held. */
        bool closed = chn->state == ECS_INTERDOMAIN && chn->u.interdomain.dom == rd->domain_id;
        if (closed)
            close_locked(d, port, rd);
        double_unlock(d, rd, dflags);
        domain_put(rd);
        if (closed)
            return 0;
    }
}

static long evtchn_send(struct domain *d, uint32_t port)
{
    if (!port_valid(d, port))
        return -EINVAL;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    struct evtchn *chn = &d->evtchn[port];
    long rc = 0;
    switch (chn->state) {
    case ECS_INTERDOMAIN: {
        struct domain *rd = domain_get(chn->u.interdomain.dom);
        uint32_t rport = chn->u.interdomain.port;
        spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
        if (rd) {
            unsigned long irqf_rd = spin_lock_irqsave(&rd->evtchn_lock);
            /* Still the other end of this port? It may have been closed and its port
             * number reused while neither lock was held. */
            const struct evtchn *r = &rd->evtchn[rport];
            if (r->state == ECS_INTERDOMAIN && r->u.interdomain.dom == d->domain_id &&
                r->u.interdomain.port == port)
                evtchn_set_pending(rd, rport);
            spin_unlock_irqrestore(&rd->evtchn_lock, irqf_rd);
            domain_put(rd);
        }
        return 0;
    }
    case ECS_IPI:
        evtchn_set_pending(d, port);
        break;
    case ECS_UNBOUND:
        break; /* silently dropped, as the ABI says */
    default:
        rc = -EINVAL;
        break;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return rc;
}

static long status_of(struct domain *self, struct domain *d, struct lam_evtchn_status *st)
{
    if (d != self && !self->is_privileged)
        return -EPERM;
    /* Port 0 exists but is reserved: Xen reports it closed. */
    if (st->port != 0 && !port_valid(d, st->port))
        return -EINVAL;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    const struct evtchn *chn = &d->evtchn[st->port];
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = chn->notify_vcpu;
    switch (chn->state) {
    case ECS_UNBOUND:
        st->status = LAM_EVTCHNSTAT_unbound;
        st->u.unbound.dom = chn->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        st->status = LAM_EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = chn->u.interdomain.dom;
        st->u.interdomain.port = chn->u.interdomain.port;
        break;
    case ECS_PIRQ:
        st->status = LAM_EVTCHNSTAT_pirq;
        st->u.pirq = chn->u.pirq;
        break;
    case ECS_VIRQ:
        st->status = LAM_EVTCHNSTAT_virq;
        st->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        st->status = LAM_EVTCHNSTAT_ipi;
        break;
    default:
        st->status = LAM_EVTCHNSTAT_closed;
        break;
    }
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return 0;
}

static long evtchn_status(struct domain *self, struct lam_evtchn_status *st)
{
    struct domain *d = lookup_domain(self, st->dom);
    if (!d)
        return -ESRCH;
    long rc = status_of(self, d, st);
    put_domain(self, d);
    return rc;
}

static long evtchn_bind_vcpu(struct domain *d, struct lam_evtchn_bind_vcpu *b)
{
    /* The vCPU first, then the port: Xen 4.17's order, visible when both are bad. */
    if (b->vcpu >= d->max_vcpus || !d->vcpus[b->vcpu])
        return -ENOENT;
    if (!port_valid(d, b->port))
        return -EINVAL;
    unsigned long irqf_d = spin_lock_irqsave(&d->evtchn_lock);
    struct evtchn *chn = &d->evtchn[b->port];
    long rc = 0;
    if (chn->state == ECS_INTERDOMAIN || chn->state == ECS_UNBOUND || chn->state == ECS_PIRQ ||
        (chn->state == ECS_VIRQ && virq_is_global(chn->u.virq)))
        chn->notify_vcpu = (uint16_t)b->vcpu;
    else
        rc = -EINVAL;
    spin_unlock_irqrestore(&d->evtchn_lock, irqf_d);
    return rc;
}

static long evtchn_unmask(struct domain *d, uint32_t port)
{
    if (!port_valid(d, port))
        return -EINVAL;
    struct lam_shared_info *si = d->shared_info;
    struct vcpu *v = d->vcpus[d->evtchn[port].notify_vcpu];
    __atomic_fetch_and(&si->evtchn_mask[port / 64], ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
    if (v && evtchn_port_pending(d, port))
        vcpu_mark_events_pending(v, port);
    return 0;
}

/*
 * Close every port of d. As Xen 4.17: another domain's table only for a privileged
 * caller (-EPERM) and only while that domain is paused by it (-EINVAL otherwise: its
 * vCPUs would race the closes). Lamina's reset runs to the end in one call, so there is
 * never one to resume: reset_cont answers -EBUSY, as Xen's does when no reset is under
 * way.
 */
static long evtchn_reset(struct domain *self, domid_t id, bool resuming)
{
    struct domain *d = lookup_domain(self, id);
    if (!d)
        return -ESRCH;
    long rc = d != self && !self->is_privileged ? -EPERM : 0;
    if (!rc && d != self && !__atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE))
        rc = -EINVAL;
    if (!rc && resuming)
        rc = -EBUSY;
    for (uint32_t p = 1; !rc && p < d->max_evtchns; p++)
        if (d->evtchn[p].state != ECS_FREE)
            evtchn_close(d, p);
    put_domain(self, d);
    return rc;
}

/* d is DYING already (domain_kill). */
void evtchn_destroy(struct domain *d)
{
    if (!d->evtchn)
        return;
    /* After this, alloc_port (under the lock) sees DYING: no port appears behind the scan. */
    unsigned long flags = spin_lock_irqsave(&d->evtchn_lock);
    spin_unlock_irqrestore(&d->evtchn_lock, flags);
    for (uint32_t p = 1; p < d->max_evtchns; p++)
        if (d->evtchn[p].state != ECS_FREE)
            evtchn_close(d, p);
}

/* Size of each command's argument, so one copy in and one copy out serve them all. */
static size_t evtchn_arg_size(int cmd)
{
    switch (cmd) {
    case LAM_EVTCHNOP_bind_interdomain:
        return sizeof(struct lam_evtchn_bind_interdomain);
    case LAM_EVTCHNOP_bind_virq:
        return sizeof(struct lam_evtchn_bind_virq);
    case LAM_EVTCHNOP_bind_pirq:
        return sizeof(struct lam_evtchn_bind_pirq);
    case LAM_EVTCHNOP_close:
    case LAM_EVTCHNOP_send:
    case LAM_EVTCHNOP_unmask:
        return sizeof(struct lam_evtchn_port_arg);
    case LAM_EVTCHNOP_status:
        return sizeof(struct lam_evtchn_status);
    case LAM_EVTCHNOP_alloc_unbound:
        return sizeof(struct lam_evtchn_alloc_unbound);
    case LAM_EVTCHNOP_bind_ipi:
        return sizeof(struct lam_evtchn_bind_ipi);
    case LAM_EVTCHNOP_bind_vcpu:
        return sizeof(struct lam_evtchn_bind_vcpu);
    case LAM_EVTCHNOP_reset:
    case LAM_EVTCHNOP_reset_cont:
        return sizeof(struct lam_evtchn_reset);
    default:
        return 0;
    }
}

long hc_event_channel_op(int cmd, guest_ptr_t arg)
{
    struct domain *d = current_domain();
    union {
        struct lam_evtchn_bind_interdomain bind_interdomain;
        struct lam_evtchn_bind_virq bind_virq;
        struct lam_evtchn_bind_pirq bind_pirq;
        struct lam_evtchn_port_arg port;
        struct lam_evtchn_status status;
        struct lam_evtchn_alloc_unbound alloc_unbound;
        struct lam_evtchn_bind_ipi bind_ipi;
        struct lam_evtchn_bind_vcpu bind_vcpu;
        struct lam_evtchn_reset reset;
    } op;
    size_t size = evtchn_arg_size(cmd);
    long rc;

    if (!size)
        return -ENOSYS; /* FIFO ABI (init_control, expand_array, set_priority) */
    if (copy_from_guest(&op, arg, size))
        return -EFAULT;
    switch (cmd) {
    case LAM_EVTCHNOP_bind_interdomain:
        rc = evtchn_bind_interdomain(d, &op.bind_interdomain);
        break;
    case LAM_EVTCHNOP_bind_virq:
        rc = evtchn_bind_virq(d, &op.bind_virq);
        break;
    case LAM_EVTCHNOP_bind_pirq:
        rc = evtchn_bind_pirq(d, &op.bind_pirq);
        break;
    case LAM_EVTCHNOP_close:
        return evtchn_close(d, op.port.port);
    case LAM_EVTCHNOP_send:
        return evtchn_send(d, op.port.port);
    case LAM_EVTCHNOP_status:
        rc = evtchn_status(d, &op.status);
        break;
    case LAM_EVTCHNOP_alloc_unbound:
        rc = evtchn_alloc_unbound(d, &op.alloc_unbound);
        break;
    case LAM_EVTCHNOP_bind_ipi:
        rc = evtchn_bind_ipi(d, &op.bind_ipi);
        break;
    case LAM_EVTCHNOP_bind_vcpu:
        return evtchn_bind_vcpu(d, &op.bind_vcpu);
    case LAM_EVTCHNOP_unmask:
        return evtchn_unmask(d, op.port.port);
    case LAM_EVTCHNOP_reset:
    case LAM_EVTCHNOP_reset_cont:
        return evtchn_reset(d, op.reset.dom, cmd == LAM_EVTCHNOP_reset_cont);
    default:
        return -ENOSYS;
    }
    if (!rc && copy_to_guest(arg, &op, size))
        rc = -EFAULT;
    return rc;
}
