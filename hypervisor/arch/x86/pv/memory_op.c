/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory_op: the M2P's location, memory maps, and the reservation calls a
 * balloon driver uses to hand frames back and take new ones.
 *
 * A PV guest names its frames by MFN. Giving a frame back (decrease) is only
 * allowed while nothing but the allocation itself references it: a frame
 * still mapped or used as a table stays with the guest, and the call reports
 * how many extents it managed before that one. A frame the hypervisor shares
 * with the domain (shared_info, grant-table frames) is never freed by it: the
 * domain only loses its allocation reference (give_back_shared).
 *
 * Long reservation calls are preemptible as on Xen: the call continues itself
 * with the index of the next extent encoded above the command bits
 * (cmd | next << MEMOP_EXTENT_SHIFT); the result is still the total number of
 * extents done, counted from the first.
 */
#include <hv/bootinfo.h>
#include <lamina/hypercall-numbers.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/pv/memory_exchange.h>
#include <asm/pv/mm.h>
#include <lamina/memory.h>
#include <hypervisor/hypercall-handlers.h>

#define MAX_EXTENT_ORDER   9 /* 2 MiB: larger requests are refused, as Xen does for guests */
#define MEMOP_EXTENT_SHIFT 6 /* the bits above carry a continuation's next extent */
#define MEMOP_CMD_MASK     ((1u << MEMOP_EXTENT_SHIFT) - 1)

static void put_target(struct domain *caller, struct domain *t)
{
    if (t != caller)
        domain_put(t);
}

/*
 * A frame the hypervisor shares with the domain (shared_info, grant-table frames:
 * PGC_xen_heap) is hypervisor memory, on no page list and not in tot_pages. Giving one back
 * does what Xen's guest_remove_page does to such a frame: the domain's allocation reference
 * goes, so that it can no longer be mapped; the frame itself stays in the hypervisor's use
 * and is freed with the domain (domain_free_unlisted, gnttab_destroy). As for any frame,
 * only an unreferenced one can be given back (docs/differences.md).
 */
static void give_back_shared(struct page_info *pg)
{
    pg->count_info &= ~PGC_allocated;
    put_page(pg); /* may be the last reference: domain_page_released() frees no xen_heap frame */
}

static void give_back_allocated(struct domain *d, struct page_info *pg)
{
    mfn_t mfn = page_to_mfn(pg);
    spin_lock(&d->lock);
    list_del(&pg->list);
    d->tot_pages--;
    spin_unlock(&d->lock);
    pg->owner = NULL;
    pg->count_info &= ~(PGC_allocated | PGC_count_mask);
    pg->type_info = 0;
    m2p_set(mfn, M2P_INVALID);
    frames_free(mfn, 0);
}

static long decrease_one(struct domain *d, mfn_t mfn, unsigned int order)
{
    for (uint64_t i = 0; i < (1ull << order); i++) {
        mfn_t m = mfn + i;
        if (m >= max_mfn)
            return -EINVAL;
        struct page_info *pg = mfn_to_page(m);
        if (page_get_owner(pg) != d || !(pg->count_info & PGC_allocated))
            return -EINVAL;
        /* Only the allocation may reference it (a shared frame's type is the hypervisor's). */
        if (page_count(pg) != 1 || (!(pg->count_info & PGC_xen_heap) && page_type_count(pg)))
            return -EBUSY;
    }
    for (uint64_t i = 0; i < (1ull << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        if (pg->count_info & PGC_xen_heap)
            give_back_shared(pg);
        else
            give_back_allocated(d, pg);
    }
    return 0;
}

/* Caller holds mm_lock. */
static long populate_one(struct domain *d, unsigned int order, unsigned int address_bits,
                         mfn_t *out)
{
    ASSERT_LOCKED(&mm_lock);
    /* domain_kill marks the domain DYING before it takes mm_lock to give up every frame:
     * one given to it after that would never be freed, and the domain never reaped. */
    if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING)
        return -ESRCH;
    /* A quick refusal before the allocation (max_pages is 0 until max_mem, as on Xen);
     * domain_assign_frames decides. */
    if (d->tot_pages + (1ull << order) > d->max_pages)
        return -ENOMEM;
    mfn_t mfn = frames_alloc_split(order);
    if (mfn != INVALID_MFN && address_bits && address_bits < 52 &&
        ((mfn + (1ull << order)) << PAGE_SHIFT) > (1ull << address_bits)) {
        for (uint64_t i = 0; i < (1ull << order); i++)
            frames_free(mfn + i, 0);
        mfn = INVALID_MFN; /* a precise below-limit allocation comes with dom0's swiotlb */
    }
    if (mfn == INVALID_MFN)
        return -ENOMEM;
    /* A new owner never sees an old one's data: frames the idle scrubber cleared are
     * handed out as they are, the others cleared here. */
    for (uint64_t i = 0; i < (1ull << order); i++)
        if (!frame_take_zeroed(mfn + i))
            memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
    /* All or none: max_pages may move under us (domctl max_mem takes no lock of ours). */
    if (domain_assign_frames(d, mfn, 1ul << order)) {
        for (uint64_t i = 0; i < (1ull << order); i++)
            frames_free(mfn + i, 0);
        return -ENOMEM;
    }
    *out = mfn;
    return 0;
}

/*
 * Which domain a memory_op acts on, as Xen's do_memory_op: NULL when nobody has the id;
 * *rc = -EPERM when an unprivileged caller names another domain that exists (Xen's
 * XSM_TARGET check: current/maximum_reservation answer it, the reservation calls answer
 * the start, nothing done).
 */
static struct domain *reservation_domain(struct domain *caller, unsigned int id, long *rc)
{
    *rc = 0;
    if (id == LAM_DOMID_SELF || id == caller->domain_id)
        return caller;
    struct domain *d = domain_get(id);
    if (d && !caller->is_privileged) {
        domain_put(d);
        *rc = -EPERM;
        return NULL;
    }
    return d;
}

static long do_reservation(struct domain *caller, unsigned int cmd, unsigned long start,
                           guest_ptr_t arg)
{
    struct lam_memory_reservation r;
    /* As Xen: an argument that cannot be read, a count a continuation could not encode, a
     * start past the end, an order larger than a guest may ask for, a domain nobody has:
     * nothing done, the start comes back (the result counts extents, not errors). */
    if (copy_from_guest(&r, arg, sizeof(r)))
        return start;
    if (r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents)
        return start;
    if (r.extent_order > MAX_EXTENT_ORDER)
        return start;
    /* Xen checks where the list starts before doing anything (guest_handle_subrange_okay):
     * one in the hypervisor's range or the non-canonical hole does nothing, even for
     * increase_reservation, whose list is output only and may be absent (NULL). */
    bool no_list = cmd == LAM_XENMEM_increase_reservation && !r.extent_start;
    if (!no_list &&
        !guest_range_ok(r.extent_start + (uint64_t)start * sizeof(uint64_t), sizeof(uint64_t)))
        return start;
    /* A domain nobody has, or another one an unprivileged caller names: no extent, not an
     * error (Xen returns start_extent when its XSM_TARGET check refuses, too). */
    long rc;
    struct domain *d = reservation_domain(caller, r.domid, &rc);
    if (!d)
        return start;
    unsigned long done = start;
    for (; done < r.nr_extents; done++) {
        if (done != start && hypercall_preempt_check()) {
            const uint64_t args[2] = {cmd | (done << MEMOP_EXTENT_SHIFT), arg};
            put_target(caller, d); /* looked up again when the continuation runs */
            return hypercall_create_continuation(LAM_HYPERCALL_MEMORY_OP, 2, args);
        }
        uint64_t slot = r.extent_start + done * sizeof(uint64_t);
        uint64_t val = 0;
        /* increase_reservation only writes its list (the frames it got). */
        if (cmd != LAM_XENMEM_increase_reservation && copy_from_guest(&val, slot, sizeof(val)))
            break;
        mm_lock_global();
        if (cmd == LAM_XENMEM_decrease_reservation) {
            rc = decrease_one(d, val, r.extent_order);
        } else {
            mfn_t mfn;
            rc = populate_one(d, r.extent_order, LAM_XENMEMF_address_bits(r.mem_flags), &mfn);
            if (!rc && cmd == LAM_XENMEM_populate_physmap)
                for (uint64_t i = 0; i < (1ull << r.extent_order); i++) {
                    m2p_set(mfn + i, val + i);     /* val is the PFN the guest will use */
                    logdirty_mark_pfn(d, val + i); /* a new frame there */
                }
            /* A frame whose number cannot be written back stays the domain's, as on Xen. */
            if (!rc && !no_list && copy_to_guest(slot, &mfn, sizeof(mfn)))
                rc = -EFAULT;
        }
        mm_unlock_global();
        if (rc)
            break;
    }
    put_target(caller, d);
    return (long)done;
}

static long copy_memory_map(guest_ptr_t arg)
{
    struct lam_memory_map map;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    /* As Xen: the buffer must hold the whole map, plus one spare entry. */
    if (map.nr_entries < boot_info.nr_ranges + 1)
        return -EINVAL;
    unsigned int n = 0;
    for (unsigned int i = 0; i < boot_info.nr_ranges && n < map.nr_entries; i++, n++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        struct lam_e820_entry e = {.addr_lo = (uint32_t)r->addr,
                                   .addr_hi = (uint32_t)(r->addr >> 32),
                                   .size_lo = (uint32_t)r->len,
                                   .size_hi = (uint32_t)(r->len >> 32),
                                   .type = r->type};
        if (copy_to_guest(map.buffer + (uint64_t)n * sizeof(e), &e, sizeof(e)))
            return -EFAULT;
    }
    map.nr_entries = n;
    return copy_to_guest(arg, &map.nr_entries, sizeof(map.nr_entries)) ? -EFAULT : 0;
}

long hc_memory_op(unsigned long cmd, guest_ptr_t arg)
{
    struct domain *d = current_domain();

    switch (cmd & MEMOP_CMD_MASK) {
    case LAM_XENMEM_increase_reservation:
    case LAM_XENMEM_decrease_reservation:
    case LAM_XENMEM_populate_physmap:
        /* cmd is 64 bits wide, as Xen's: the start a bad argument returns is all of it. */
        return do_reservation(d, (unsigned int)(cmd & MEMOP_CMD_MASK), cmd >> MEMOP_EXTENT_SHIFT,
                              arg);
    case LAM_XENMEM_exchange:
        return memory_exchange(d, arg);
    case LAM_XENMEM_maximum_ram_page:
        return (long)max_mfn;
    case LAM_XENMEM_current_reservation:
    case LAM_XENMEM_maximum_reservation: {
        uint16_t id;
        if (copy_from_guest(&id, arg, sizeof(id)))
            return -EFAULT;
        long rc;
        struct domain *t = reservation_domain(d, id, &rc);
        if (!t)
            return rc ? rc : -ESRCH; /* as Xen: nobody with the id, or not ours to see */
        bool current_only = (cmd & MEMOP_CMD_MASK) == LAM_XENMEM_current_reservation;
        long pages = (long)(current_only ? t->tot_pages : t->max_pages);
        put_target(d, t);
        return pages;
    }
    case LAM_XENMEM_maximum_gpfn: {
        uint16_t id;
        if (copy_from_guest(&id, arg, sizeof(id)))
            return -EFAULT;
        long rc;
        struct domain *t = reservation_domain(d, id, &rc);
        if (!t)
            return rc ? rc : -ESRCH;
        /* Xen for PV: the guest's own max_pfn in shared_info (a count: 0 reads as 1). */
        uint64_t max_pfn = __atomic_load_n(&t->shared_info->arch.max_pfn, __ATOMIC_RELAXED);
        put_target(d, t);
        return (long)((max_pfn ? max_pfn : 1) - 1);
    }
    case LAM_XENMEM_memory_map:
        return -ENOSYS; /* no map set by a toolstack: the guest falls back to nr_pages */
    case LAM_XENMEM_machine_memory_map:
        if (!d->is_privileged)
            return -EPERM;
        return copy_memory_map(arg);
    case LAM_XENMEM_machphys_mapping: {
        struct lam_machphys_mapping m = {
            .v_start = M2P_VIRT_START, .v_end = m2p_virt_end(), .max_mfn = max_mfn - 1};
        return copy_to_guest(arg, &m, sizeof(m)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}
