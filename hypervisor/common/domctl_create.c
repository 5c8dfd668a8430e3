/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl createdomain and max_vcpus: how a toolstack makes a domain, as on Xen 4.17.
 * The new domain is paused by the controller (getdomaininfo shows it paused, one
 * unpausedomain lets it run), has no vCPUs until max_vcpus creates them, and no memory:
 * max_pages is 0 until max_mem, so populate_physmap on its behalf fails until then, as
 * on Xen. Everything createdomain allocates is freed if it fails part-way
 * (domain_create_config), and a domain that is never built is destroyed like any other.
 */
#include <hv/console.h>
#include <hv/domctl.h>
#include <hv/errcodes.h>
#include <hv/grant_table.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <lamina/event_channel.h>

/* The last id handed out by the rover (Xen's static rover in do_domctl). */
static domid_t rover;
/* create_lock: one createdomain at a time, so the rover's pick cannot be taken twice. */
static spinlock_t create_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_DOMAIN_CREATE);

static bool id_free(domid_t id)
{
    struct domain *d = domain_get(id);
    if (d)
        domain_put(d);
    return d == NULL;
}

/* Xen: 0 or a reserved id picks the next free one after the last picked, wrapping round;
 * a real id is taken as it is or refused with -EEXIST. Lamina has MAX_DOMAINS ids. */
static int pick_id(domid_t wanted, domid_t *out)
{
    if (wanted > 0 && wanted < LAM_DOMID_FIRST_RESERVED) {
        if (wanted >= MAX_DOMAINS)
            return -EINVAL; /* docs/differences.md: ids above 63 do not exist here */
        if (!id_free(wanted))
            return -EEXIST;
        *out = wanted;
        return 0;
    }
    for (domid_t id = (domid_t)(rover % (MAX_DOMAINS - 1) + 1);; id = id % (MAX_DOMAINS - 1) + 1) {
        if (id_free(id)) {
            rover = id;
            *out = id;
            return 0;
        }
        if (id == rover || (rover == 0 && id == MAX_DOMAINS - 1))
            return -ENOMEM; /* Xen's answer when every id is in use */
    }
}

long domctl_createdomain(struct lam_domctl *op)
{
    const struct createdomain_limits lim = {
        .max_vcpus = MAX_VCPUS,
        .max_grant_frames = gnttab_default_max_frames(),
        .max_maptrack_frames = gnttab_default_max_maptrack_frames(),
        .max_grant_version = 1, /* as Xen booted with gnttab=max-ver:1 (no v2 here) */
        .max_evtchns = LAM_EVTCHN_2L_NR_CHANNELS,
    };
    struct domain_config cfg;
    int rc = createdomain_check(&op->u.createdomain, &lim, &cfg);
    if (rc)
        return rc;
    spin_lock(&create_lock);
    domid_t id;
    rc = pick_id(op->domain, &id);
    struct domain *d = rc ? NULL : domain_create_config(id, false, &cfg, &rc);
    if (d) {
        /* Paused by the controller (domain_create leaves it DOMAIN_PAUSED), no memory. */
        spin_lock(&d->lock);
        d->pause_count = 1;
        d->max_pages = 0;
        spin_unlock(&d->lock);
        memcpy(d->handle, op->u.createdomain.handle, sizeof(d->handle));
    }
    spin_unlock(&create_lock);
    if (!d)
        return rc;
    op->domain = id;
    printk("d%u: created by d%u (%u vCPU(s) at most, %u event channels, %u grant frames)", id,
           current_domain()->domain_id, cfg.max_vcpus, cfg.max_evtchns, cfg.max_grant_frames);
    return 0;
}

/* Xen: max must be the createdomain value; creates whichever vCPUs are missing. */
long domctl_max_vcpus(struct domain *d, const struct lam_domctl_max_vcpus *m)
{
    if (d == current_domain() || m->max != d->max_vcpus)
        return -EINVAL;
    if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING)
        return -EINVAL; /* its vCPUs are being torn down */
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (!d->vcpus[i] && !vcpu_create(d, i))
            return -ENOMEM;
    return 0;
}
