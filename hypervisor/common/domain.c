/* SPDX-License-Identifier: GPL-2.0-only */
/* Domain and vCPU lifecycle. */
#include <hv/domain.h>
#include <hv/event.h>
#include <hv/grant_table.h>
#include <hv/sched.h>
#include <asm/time.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/panic.h>
#include <hv/xmalloc.h>
#include <asm/debugreg.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>

void domain_free_unlisted(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        xfree(d->vcpus[i]);
    gnttab_destroy(d);
    logdirty_teardown(d);
    xfree(d->evtchn);
    struct page_info *si = mfn_to_page(d->shared_info_mfn);
    si->owner = NULL;
    si->count_info &= ~(PGC_xen_heap | PGC_allocated | PGC_count_mask);
    si->type_info = 0;
    pages_free(d->shared_info, 0);
    xfree(d);
}

struct domain *domain_create_config(domid_t id, bool privileged, const struct domain_config *cfg,
                                    int *err)
{
    int dummy = 0;
    err = err ? err : &dummy;
    *err = -EINVAL;
    if (id >= MAX_DOMAINS || cfg->max_vcpus == 0 || cfg->max_vcpus > MAX_VCPUS)
        return NULL;
    *err = -ENOMEM;
    struct domain *d = xzalloc_bytes(sizeof(*d), 64);
    if (!d)
        return NULL;
    d->domain_id = id;
    d->is_privileged = privileged;
    d->max_vcpus = cfg->max_vcpus;
    d->state = DOMAIN_PAUSED;
    spin_lock_init(&d->lock, LOCK_CLASS_DOMAIN);
    spin_lock_init(&d->mm_local_lock, LOCK_CLASS_MM_DOMAIN);
    INIT_LIST_HEAD(&d->page_list);
    fmt_snprintf(d->name, sizeof(d->name), "d%u", id);

    d->shared_info = pages_zalloc(0);
    if (!d->shared_info) {
        xfree(d);
        return NULL;
    }
    d->shared_info_mfn = virt_to_mfn(d->shared_info);
    domain_share_xen_frame(d, d->shared_info_mfn);
    /* Events start masked on every vCPU slot, as the ABI requires. */
    for (unsigned int i = 0; i < LAM_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;

    d->weight = SCHED_DEFAULT_WEIGHT;
    d->shutdown_code = SHUTDOWN_CODE_NONE;
    domain_set_wallclock(d);
    gnttab_set_limits(d, cfg->max_grant_frames, cfg->max_maptrack_frames);
    if (evtchn_init(d, cfg->max_evtchns) || gnttab_init(d)) {
        domain_free_unlisted(d);
        return NULL;
    }

    if (domain_list_add(d)) {
        domain_free_unlisted(d);
        *err = -EEXIST;
        return NULL;
    }
    *err = 0;
    return d;
}

struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus)
{
    const struct domain_config cfg = {.max_vcpus = max_vcpus,
                                      .max_evtchns = privileged ? 4096 : 1024,
                                      .max_grant_frames = -1,
                                      .max_maptrack_frames = -1};
    return domain_create_config(id, privileged, &cfg, NULL);
}

/* Wall clock at system time 0 plus the domain's offset (settimeoffset); the guest adds
 * its pvclock. An odd version while it changes, as the guest's reader expects. */
void domain_set_wallclock(struct domain *d)
{
    struct lam_shared_info *s = d->shared_info;
    uint64_t sec = wallclock_boot_sec() + (uint64_t)d->time_offset;
    __atomic_store_n(&s->wc_version, s->wc_version | 1, __ATOMIC_RELEASE);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    __atomic_store_n(&s->wc_version, (s->wc_version | 1) + 1, __ATOMIC_RELEASE);
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    if (id >= d->max_vcpus || d->vcpus[id])
        return NULL;
    struct vcpu *v = xzalloc_bytes(sizeof(*v), 64);
    if (!v)
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    v->kernel_mode = true;
    v->vcpu_info = &d->shared_info->vcpu_info[id < LAM_LEGACY_MAX_VCPUS ? id : 0];
    pv_debugreg_init(v);
    d->vcpus[id] = v;
    vcpu_timers_init(v);
    sched_add_vcpu(v);
    return v;
}

/*
 * A frame the hypervisor keeps using and lets the domain map (shared_info, grant-table
 * frames), as Xen's share_xen_page_with_guest: owned by the domain, with its allocation
 * reference (so the domain may map it), on no page list and not in tot_pages, and typed
 * writable for good: its type count of 1 is never dropped while the domain lives. The
 * hypervisor writes into it through the direct map, behind any validation, so it must
 * never become a page table or a descriptor page. The domain's teardown
 * frees it (domain_free_unlisted, gnttab_destroy).
 */
void domain_share_xen_frame(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);
    page_set_owner(pg, d);
    pg->count_info |= PGC_xen_heap | PGC_allocated | 1;
    pg->type_info = PGT_writable_page | PGT_validated | 1;
}

/*
 * Give frames [mfn, mfn + n) to d, all or none: the limit is checked once for the whole
 * extent under the lock that changes tot_pages, as Xen's assign_pages. (A toolstack may
 * move max_pages at any time: checked frame by frame, a lowered limit would leave the
 * domain with part of an extent it is never told about and the rest lost to the heap.)
 */
int domain_assign_frames(struct domain *d, mfn_t mfn, unsigned long n)
{
    spin_lock(&d->lock);
    /* max_pages is 0 until max_mem, as on Xen: a new domain gets nothing before. */
    unsigned long max = __atomic_load_n(&d->max_pages, __ATOMIC_RELAXED);
    if (d->tot_pages > max || n > max - d->tot_pages) {
        spin_unlock(&d->lock);
        return -ENOMEM;
    }
    for (unsigned long i = 0; i < n; i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        pg->owner = d;
        pg->count_info = (pg->count_info & ~PGC_count_mask) | PGC_allocated | 1;
        pg->type_info = 0;
        list_add_tail(&pg->list, &d->page_list);
    }
    d->tot_pages += n;
    spin_unlock(&d->lock);
    return 0;
}

int domain_assign_frame(struct domain *d, mfn_t mfn)
{
    return domain_assign_frames(d, mfn, 1);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    spin_lock(&d->lock);
    if (d->state != DOMAIN_SHUTDOWN && d->state != DOMAIN_DYING) {
        if (d->shutdown_code != SHUTDOWN_CODE_NONE)
            reason = (unsigned int)d->shutdown_code;
        d->state = DOMAIN_SHUTDOWN;
        d->is_shut_down = true;
        d->shutdown_reason = reason;
        printk("Domain %u shutdown: reason %u (%s)", d->domain_id, reason,
               shutdown_reason_name(reason));
    }
    spin_unlock(&d->lock);
    sched_domain_changed(d); /* its vCPUs on other CPUs stop too */
    /* Tell the control domain (xenstored watches @releaseDomain through VIRQ_DOM_EXC). */
    if (d->domain_id != 0 && domain_list[0])
        send_global_virq(domain_list[0], LAM_VIRQ_DOM_EXC);
}

void domain_crash(struct domain *d, const char *why)
{
    log_printf(LOG_ERR, "Domain %u crashed: %s", d->domain_id, why);
    domain_shutdown(d, LAM_SHUTDOWN_crash);
}
