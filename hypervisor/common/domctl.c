/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl: the control domain's handle on other domains (Xen 4.17's interface,
 * version 0x15; see hypercall-abi/lamina/domctl.h for what each call does).
 * The dispatcher checks in Xen's order (do_domctl, then XSM's default policy): the
 * argument, its interface version, the domain named, and only then the caller's
 * privilege, so an unprivileged caller sees the answers it would on Xen.
 */
#include <hv/domain.h>
#include <lamina/hypercall-numbers.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <hv/continuation.h>
#include <lamina/domctl.h>
#include <hv/domctl.h>
#include <asm/pv/iomem.h>
#include <lamina/vcpu.h>
#include <hypervisor/hypercall-handlers.h>

/* ns v has run, including its current stretch. */
static uint64_t vcpu_cpu_time(const struct vcpu *v, uint64_t now)
{
    uint64_t ns = v->runstate_time[LAM_RUNSTATE_running];
    if (v->runstate == LAM_RUNSTATE_running && v->runstate_entry)
        ns += now - v->runstate_entry;
    return ns;
}

static uint64_t domain_cpu_time(const struct domain *d)
{
    uint64_t ns = 0, now = time_now_ns();
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            ns += vcpu_cpu_time(d->vcpus[i], now);
    return ns;
}

void domctl_fill_info(const struct domain *d, struct lam_domctl_getdomaininfo *info)
{
    unsigned int online = 0, blocked = 0, running = 0, max_id = ~0u;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        max_id = i;
        if (!v->online)
            continue;
        online++;
        blocked += v->blocked;
        running += v->runstate == LAM_RUNSTATE_running;
    }
    uint32_t flags = 0;
    if (d->state == DOMAIN_DYING)
        flags |= LAM_DOMINF_dying;
    /* The reason field of a domain that has not shut down reads all-ones on Xen
     * (its "no code" value shifted up); tools mask it, but keep the same bits. */
    if (d->is_shut_down)
        flags |= LAM_DOMINF_shutdown | (d->shutdown_reason & LAM_DOMINF_shutdown_mask)
                                           << LAM_DOMINF_shutdown_shift;
    else
        flags |= 0xffffu << LAM_DOMINF_shutdown_shift;
    if (d->pause_count || d->state == DOMAIN_PAUSED)
        flags |= LAM_DOMINF_paused;
    if (online && blocked == online)
        flags |= LAM_DOMINF_blocked;
    if (running)
        flags |= LAM_DOMINF_running;
    *info = (struct lam_domctl_getdomaininfo){
        .domain = d->domain_id,
        .flags = flags,
        .tot_pages = d->tot_pages,
        .max_pages = d->max_pages,
        .shared_info_frame = d->shared_info_mfn,
        .cpu_time = domain_cpu_time(d),
        .nr_online_vcpus = online,
        .max_vcpu_id = max_id,
    };
    memcpy(info->handle, d->handle, sizeof(info->handle));
}

/* Xen's getdomaininfo answers for the first domain whose id is >= the one asked. */
static long getdomaininfo(struct lam_domctl *op)
{
    for (unsigned int id = op->domain; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_get(id);
        if (d) {
            domctl_fill_info(d, &op->u.getdomaininfo);
            op->domain = d->domain_id;
            domain_put(d);
            return 0;
        }
    }
    return -ESRCH;
}

/*
 * State changes under d->lock (as domain_shutdown and domain_kill): otherwise a pause
 * that read RUNNING could store PAUSED over a concurrent SHUTDOWN or DYING, and an
 * unpause RUNNING over a shutdown, and two dom0 vCPUs could lose a pause_count step.
 */
static long pause_domain(struct domain *d)
{
    if (d == current_domain())
        return -EINVAL;
    spin_lock(&d->lock);
    long rc = -EINVAL;
    if (d->state != DOMAIN_DYING) {
        d->pause_count++;
        if (d->state == DOMAIN_RUNNING)
            d->state = DOMAIN_PAUSED;
        rc = 0;
    }
    spin_unlock(&d->lock);
    if (!rc)
        sched_domain_changed(d); /* its vCPUs running on other CPUs stop now */
    return rc;
}

static long unpause_domain(struct domain *d)
{
    if (d == current_domain())
        return -EINVAL;
    spin_lock(&d->lock);
    long rc = -EINVAL;
    if (d->state != DOMAIN_DYING && d->pause_count) {
        if (--d->pause_count == 0 && d->state == DOMAIN_PAUSED)
            d->state = DOMAIN_RUNNING;
        rc = 0;
    }
    spin_unlock(&d->lock);
    if (!rc)
        sched_domain_changed(d);
    return rc;
}

static long scheduler_op(struct domain *d, struct lam_domctl_scheduler_op *s)
{
    if (s->sched_id != LAM_SCHEDULER_CREDIT)
        return -EINVAL;
    switch (s->cmd) {
    case LAM_DOMCTL_SCHEDOP_getinfo:
        s->u.credit.weight = (uint16_t)d->weight;
        s->u.credit.cap = (uint16_t)d->cap;
        return 0;
    case LAM_DOMCTL_SCHEDOP_putinfo:
        /* A cap above what the domain's vCPUs could use is a mistake, not "no cap". */
        if (s->u.credit.cap != LAM_CREDIT_CAP_UNCHANGED && s->u.credit.cap > 100 * d->max_vcpus)
            return -EINVAL;
        if (s->u.credit.weight)
            d->weight = s->u.credit.weight;
        if (s->u.credit.cap != LAM_CREDIT_CAP_UNCHANGED)
            d->cap = s->u.credit.cap;
        return 0;
    default:
        return -EINVAL;
    }
}

static struct vcpu *vcpu_of(struct domain *d, uint32_t id, long *rc)
{
    *rc = id >= d->max_vcpus ? -EINVAL : !d->vcpus[id] ? -ESRCH : 0; /* Xen's two answers */
    return *rc ? NULL : d->vcpus[id];
}

/* The caller's CPU bitmap as a mask of our NR_CPUS CPUs (bits beyond are ignored). */
static long read_cpumap(const struct lam_domctl_bitmap *b, uint64_t *mask)
{
    uint8_t bytes[NR_CPUS / 8] = {0};
    uint32_t n = MIN(b->nr_bits, (uint32_t)NR_CPUS);
    if (copy_from_guest(bytes, b->bitmap, (n + 7) / 8))
        return -EFAULT;
    *mask = 0;
    for (uint32_t i = 0; i < n; i++)
        if (bytes[i / 8] & (1u << (i % 8)))
            *mask |= 1ull << i;
    return 0;
}

static long write_cpumap(const struct lam_domctl_bitmap *b, uint64_t mask)
{
    uint8_t bytes[NR_CPUS / 8];
    uint32_t len = MIN((b->nr_bits + 7) / 8, (uint32_t)sizeof(bytes));
    for (unsigned int i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)(mask >> (8 * i));
    return copy_to_guest(b->bitmap, bytes, len) ? -EFAULT : 0;
}

static long vcpu_affinity(struct domain *d, struct lam_domctl_vcpuaffinity *a, bool set)
{
    long rc;
    struct vcpu *v = vcpu_of(d, a->vcpu, &rc);
    if (!v)
        return rc;
    if (!(a->flags & (LAM_VCPUAFFINITY_HARD | LAM_VCPUAFFINITY_SOFT)))
        return -EINVAL;
    if (set && (a->flags & LAM_VCPUAFFINITY_HARD)) {
        uint64_t mask;
        if ((rc = read_cpumap(&a->cpumap_hard, &mask)))
            return rc;
        if ((rc = sched_set_affinity(v, mask))) /* -EINVAL: no online CPU in it */
            return rc;
    }
    /* Both directions report CPUs that exist only, as Xen (whose maps have nr_cpu_ids bits):
     * the default "every CPU" reads back as 0-3 on four CPUs. */
    if (a->flags & LAM_VCPUAFFINITY_HARD) {
        if ((rc = write_cpumap(&a->cpumap_hard, v->affinity & cpu_online_mask)))
            return rc;
    }
    if (a->flags & LAM_VCPUAFFINITY_SOFT) /* no soft affinity: every CPU is as good */
        rc = write_cpumap(&a->cpumap_soft, cpu_online_mask);
    return rc;
}

static long vcpu_info(struct domain *d, struct lam_domctl_getvcpuinfo *i)
{
    long rc;
    struct vcpu *v = vcpu_of(d, i->vcpu, &rc);
    if (!v)
        return rc;
    i->online = v->online;
    i->blocked = v->blocked;
    i->running = v->runstate == LAM_RUNSTATE_running;
    i->cpu_time = vcpu_cpu_time(v, time_now_ns());
    i->cpu = v->processor;
    return 0;
}

static long set_time_offset(struct domain *d, int64_t seconds)
{
    d->time_offset = seconds;
    domain_set_wallclock(d);
    return 0;
}

/* Xen: the width a PV domain has, 64 (or 32, which Lamina cannot run: as a Xen built or
 * booted without PV32, -EOPNOTSUPP); any other -EINVAL. */
static long set_address_size(uint32_t size)
{
    return size == 64 ? 0 : size == 32 ? -EOPNOTSUPP : -EINVAL;
}

/*
 * Xen's rule: the caller must itself have access to the range, then the domain gets it
 * (allow) or loses it. A domU has none by default; Lamina cannot grant any yet
 * (-EOPNOTSUPP, docs/differences.md), so revoking always finds nothing to take.
 */
static long iomem_permission(const struct lam_domctl_iomem_permission *p)
{
    if (p->first_mfn + p->nr_mfns - 1 < p->first_mfn)
        return -EINVAL; /* wraps */
    if (iomem_range_permitted(current_domain(), p->first_mfn, p->first_mfn + p->nr_mfns - 1))
        return -EPERM;
    return p->allow_access ? -EOPNOTSUPP : 0;
}

#define NR_IOPORTS 0x10000u

/* dom0 owns no real I/O port on Lamina (pv/emulate.c), so by Xen's rule it can neither
 * give nor take one: -EPERM for a valid range. */
static long ioport_permission(const struct lam_domctl_ioport_permission *p)
{
    uint32_t end = p->first_port + p->nr_ports;
    if (end <= p->first_port || end > NR_IOPORTS)
        return -EINVAL;
    return -EPERM;
}

/* The domain-level commands; d is referenced, not the caller's own unless allowed. */
static long domctl_on(struct domain *d, struct lam_domctl *op, guest_ptr_t arg, bool *copy_back)
{
    long rc;
    switch (op->cmd) {
    case LAM_DOMCTL_destroydomain:
        rc = domain_kill(d);
        if (rc == -ERESTART) { /* the guest issues it again and the destroy goes on */
            const uint64_t args[1] = {arg};
            rc = hypercall_create_continuation(LAM_HYPERCALL_DOMCTL, 1, args);
        }
        return rc;
    case LAM_DOMCTL_pausedomain:
        return pause_domain(d);
    case LAM_DOMCTL_unpausedomain:
        return unpause_domain(d);
    case LAM_DOMCTL_max_mem:
        /* May go below tot_pages: the domain then cannot grow until it shrinks. */
        d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        return 0;
    case LAM_DOMCTL_setvcpuaffinity:
    case LAM_DOMCTL_getvcpuaffinity:
        return vcpu_affinity(d, &op->u.vcpuaffinity, op->cmd == LAM_DOMCTL_setvcpuaffinity);
    case LAM_DOMCTL_getvcpuinfo:
        rc = vcpu_info(d, &op->u.getvcpuinfo);
        *copy_back = !rc;
        return rc;
    case LAM_DOMCTL_scheduler_op:
        rc = scheduler_op(d, &op->u.scheduler_op);
        *copy_back = !rc;
        return rc;
    case LAM_DOMCTL_max_vcpus:
        return domctl_max_vcpus(d, &op->u.max_vcpus);
    case LAM_DOMCTL_setvcpucontext:
        return domctl_setvcpucontext(d, &op->u.vcpucontext);
    case LAM_DOMCTL_getvcpucontext:
        /* Xen copies the request back whatever the answer. */
        *copy_back = true;
        return domctl_getvcpucontext(d, &op->u.vcpucontext);
    case LAM_DOMCTL_settimeoffset:
        return set_time_offset(d, op->u.settimeoffset.time_offset_seconds);
    case LAM_DOMCTL_set_address_size:
        return set_address_size(op->u.address_size.size);
    case LAM_DOMCTL_get_address_size:
        op->u.address_size.size = 64;
        *copy_back = true;
        return 0;
    case LAM_DOMCTL_iomem_permission:
        return iomem_permission(&op->u.iomem_permission);
    case LAM_DOMCTL_ioport_permission:
        return ioport_permission(&op->u.ioport_permission);
    case LAM_DOMCTL_shadow_op:
        /* Xen copies the answer back whatever it is (the stats of a failed CLEAN too). */
        *copy_back = true;
        if (d == current_domain())
            return -EINVAL; /* "a paging op on itself" */
        return logdirty_domctl(d, &op->u.shadow_op);
    case LAM_DOMCTL_getpageframeinfo3:
        return domctl_getpageframeinfo3(d, &op->u.getpageframeinfo3);
    default:
        return -ENOSYS;
    }
}

long hc_domctl(guest_ptr_t arg)
{
    struct lam_domctl op;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != LAM_DOMCTL_INTERFACE_VERSION)
        return -EACCES;

    /* Xen looks the domain up before the policy check: a missing one is -ESRCH for any
     * caller (getdomaininfo goes on to the next id; createdomain names none). */
    bool lookup = op.cmd != LAM_DOMCTL_createdomain && op.cmd != LAM_DOMCTL_getdomaininfo;
    struct domain *d = lookup ? domain_get(op.domain) : NULL;
    if (lookup && !d)
        return -ESRCH;
    long rc;
    bool copy_back = false;
    if (!current_domain()->is_privileged)
        rc = -EPERM;
    else if (op.cmd == LAM_DOMCTL_getdomaininfo)
        copy_back = !(rc = getdomaininfo(&op));
    else if (op.cmd == LAM_DOMCTL_createdomain)
        copy_back = !(rc = domctl_createdomain(&op));
    else
        rc = domctl_on(d, &op, arg, &copy_back);
    if (d)
        domain_put(d);
    if (copy_back && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
