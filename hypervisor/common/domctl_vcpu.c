/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl setvcpucontext / getvcpucontext: another domain's vCPU state, for the
 * toolstack's builder (vCPU 0's first context) and for save and debugging. As on Xen
 * the target domain is paused for the call (its vCPUs off every CPU), the caller may not
 * name itself, and the checks are those of VCPUOP_initialise (pv/vcpu_context.c).
 */
#include <hv/domctl.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/xmalloc.h>
#include <asm/guest_access.h>
#include <asm/pv/vcpu_context.h>
#include <asm/x86.h>

/* A controller pause of d that returns once none of its vCPUs is on a CPU; false (and
 * nothing done) for a dying domain. */
static bool pause_sync(struct domain *d)
{
    spin_lock(&d->lock);
    bool ok = d->state != DOMAIN_DYING;
    if (ok) {
        d->pause_count++;
        if (d->state == DOMAIN_RUNNING)
            d->state = DOMAIN_PAUSED;
    }
    spin_unlock(&d->lock);
    if (!ok)
        return false;
    sched_domain_changed(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            while (__atomic_load_n(&d->vcpus[i]->is_running, __ATOMIC_ACQUIRE))
                cpu_relax();
    return true;
}

static void unpause(struct domain *d)
{
    spin_lock(&d->lock);
    if (--d->pause_count == 0 && d->state == DOMAIN_PAUSED)
        d->state = DOMAIN_RUNNING;
    spin_unlock(&d->lock);
    sched_domain_changed(d);
}

static struct vcpu *target_vcpu(struct domain *d, uint32_t id)
{
    if (d == current_domain() || id >= d->max_vcpus)
        return NULL;
    return d->vcpus[id];
}

long domctl_setvcpucontext(struct domain *d, const struct lam_domctl_vcpucontext *vc)
{
    struct vcpu *v = target_vcpu(d, vc->vcpu);
    if (!v)
        return -EINVAL;
    if (!vc->ctxt)
        return -EOPNOTSUPP; /* Xen resets the vCPU (vcpu_reset): docs/differences.md */
    struct lam_vcpu_guest_context *c = xmalloc_bytes(sizeof(*c), 16);
    if (!c)
        return -ENOMEM;
    long rc = copy_from_guest(c, vc->ctxt, sizeof(*c)) ? -EFAULT : 0;
    if (!rc && !pause_sync(d))
        rc = -EINVAL;
    else if (!rc) {
        rc = pv_vcpu_set_context(v, c);
        /* As Xen: the context says whether the vCPU is up. */
        if (!rc)
            sched_vcpu_set_online(v, (c->flags & LAM_VGCF_online) != 0);
        unpause(d);
    }
    xfree(c);
    return rc;
}

long domctl_getvcpucontext(struct domain *d, const struct lam_domctl_vcpucontext *vc)
{
    struct vcpu *v = target_vcpu(d, vc->vcpu);
    if (!v)
        return -EINVAL;
    if (!__atomic_load_n(&v->guest_table, __ATOMIC_ACQUIRE))
        return -ENODATA; /* never given a context */
    struct lam_vcpu_guest_context *c = xmalloc_bytes(sizeof(*c), 16);
    if (!c)
        return -ENOMEM;
    long rc = 0;
    if (!pause_sync(d))
        rc = -EINVAL;
    else {
        pv_vcpu_get_context(v, c);
        unpause(d);
        if (copy_to_guest(vc->ctxt, c, sizeof(*c)))
            rc = -EFAULT;
    }
    xfree(c);
    return rc;
}
