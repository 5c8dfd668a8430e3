/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-dirty mode for PV domains: domctl shadow_op's ENABLE_LOGDIRTY, CLEAN, PEEK, OFF and
 * GET/SET_ALLOCATION with Xen 4.17's answers, and the bitmap of guest frames (PFNs, through
 * the M2P, as Xen's) that may have been written since the last CLEAN.
 *
 * How frames get marked. Xen write-protects a PV guest's mappings by running it on shadow
 * page tables and marks a frame at its first write fault. Lamina has no shadow page tables,
 * and clearing RW in the guest's own L1 entries is not an option: a PV guest reads its page
 * tables directly, and Linux acts on what it reads there (fork write-protects only the
 * entries it sees writable, so an entry we had made read-only would come back writable in
 * both processes). So Lamina tracks the references instead, which every write needs:
 *
 *   - a frame can be written only while something holds a writable, page-table or
 *     descriptor type reference on it (a writable L1 entry, a grant mapping or copy, a
 *     registered vcpu_info; hardware A/D updates and mmu_update write tables; the
 *     descriptor pages change through update_descriptor);
 *   - ENABLE and every CLEAN mark each frame of the domain whose type count is not zero at
 *     that moment, and a frame whose last such reference goes (type count back to 0) is
 *     marked then (pagetype.c's type_released), so a frame written in a round is marked in
 *     it, whether its reference lived through the round or not;
 *   - a translation cached in a TLB outlives its entry, so CLEAN flushes the domain's CPUs
 *     first, under the global memory lock (which every reference change needs), and only
 *     then hands the bitmap out and clears it: after that, any write goes through an entry
 *     that the scan saw or whose removal marks its frame.
 *
 * The result is never smaller than Xen's (nothing written is missed, so a migration built
 * on it is correct) but is larger: a frame mapped writable counts as dirty in every round
 * whether written or not, so a guest that maps all its memory writable (Linux's direct
 * map) reports nearly all of it each round and pre-copy converges no better than a
 * stop-and-copy. docs/differences.md says so; shadow page tables are what would make it
 * precise. The guest runs at full speed: no write faults (fault_count stays 0).
 */
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <asm/guest_access.h>
#include <asm/smp.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/logdirty.h>
#include <lamina/domctl.h>

/* A frame of d the M2P names a guest frame for (Xen's VALID_M2P: top bit clear). */
static bool guest_pfn(uint64_t pfn)
{
    return !(pfn >> 63);
}

void logdirty_mark_pfn(struct domain *d, uint64_t pfn)
{
    if (!d->logdirty.enabled || !guest_pfn(pfn))
        return;
    ASSERT_MM_LOCKED(d);
    if (dirty_bitmap_set(&d->logdirty.bitmap, pfn))
        d->logdirty.dirty_count++;
}

void logdirty_mark_frame(struct domain *d, mfn_t mfn)
{
    if (!d->logdirty.enabled || mfn >= max_mfn)
        return;
    struct page_info *pg = mfn_to_page(mfn);
    if (page_get_owner(pg) != d || (pg->count_info & PGC_xen_heap))
        return; /* not one of its guest frames (shared_info, grant frames: Xen's own) */
    logdirty_mark_pfn(d, m2p_get(mfn));
}

void logdirty_type_released(struct page_info *pg)
{
    struct domain *d = page_get_owner(pg);
    if (d && d->logdirty.enabled)
        logdirty_mark_frame(d, page_to_mfn(pg));
}

/* Every frame that something may write through right now (see the top). Global lock. */
static void mark_referenced(struct domain *d)
{
    spin_lock(&d->lock);
    struct list_head *pos;
    list_for_each(pos, &d->page_list)
    {
        struct page_info *pg = list_entry(pos, struct page_info, list);
        if (page_type_count(pg))
            logdirty_mark_frame(d, page_to_mfn(pg));
    }
    spin_unlock(&d->lock);
}

static void *bitmap_page_alloc(void)
{
    return pages_zalloc(0);
}

static void bitmap_page_free(void *page)
{
    pages_free(page, 0);
}

/* Xen's smallest shadow pool for a PV domain: 128 pages a vCPU and one per MiB of RAM. */
static unsigned long min_pool_pages(const struct domain *d)
{
    return d->max_vcpus * 128ul + d->tot_pages / 256;
}

static uint32_t pool_mb(const struct domain *d)
{
    return (uint32_t)((d->logdirty.pool_pages + 255) / 256);
}

static long enable(struct domain *d)
{
    struct domain_logdirty *ld = &d->logdirty;
    mm_lock_global();
    long rc = -EINVAL; /* already on, as Xen */
    if (!ld->enabled) {
        ld->enabled = true;
        ld->fault_count = ld->dirty_count = 0;
        ld->bitmap.page_alloc = bitmap_page_alloc;
        ld->bitmap.page_free = bitmap_page_free;
        /* A guest names the PFNs (MMU_MACHPHYS_UPDATE): one scattering them must not make
         * us allocate without end. Far more than any real layout needs (a leaf covers 128
         * MiB); past it, CLEAN answers -ENOMEM, as on an allocation failure. */
        ld->bitmap.max_pages = 64 + d->max_pages / 16;
        if (ld->pool_pages < min_pool_pages(d))
            ld->pool_pages = min_pool_pages(d);
        mark_referenced(d);
        rc = 0;
    }
    mm_unlock_global();
    return rc;
}

static void disable(struct domain *d)
{
    mm_lock_global();
    if (d->logdirty.enabled) {
        d->logdirty.enabled = false;
        dirty_bitmap_free(&d->logdirty.bitmap);
        d->logdirty.pool_pages = 0; /* Xen drops PV shadow mode, and its pool, with it */
    }
    mm_unlock_global();
}

struct bitmap_dest {
    guest_ptr_t buf; /* 0: stats only */
};

/* One piece of the bitmap to the caller's buffer; src NULL: that many zero bytes. */
static int copy_chunk(void *ctx, uint64_t offset, const uint8_t *src, size_t len)
{
    static const uint8_t zeros[4096];
    const struct bitmap_dest *dst = ctx;
    if (!dst->buf)
        return 0;
    if (src)
        return copy_to_guest(dst->buf + offset, src, len) ? -EFAULT : 0;
    for (size_t done = 0; done < len; done += sizeof(zeros)) {
        size_t n = MIN(len - done, sizeof(zeros));
        if (copy_to_guest(dst->buf + offset + done, zeros, n))
            return -EFAULT;
    }
    return 0;
}

/* CLEAN and PEEK, in the order the top comment explains. */
static long read_bitmap(struct domain *d, struct lam_domctl_shadow_op *sc)
{
    struct domain_logdirty *ld = &d->logdirty;
    bool clean = sc->op == LAM_DOMCTL_SHADOW_OP_CLEAN;
    if (sc->mode & ~LAM_DOMCTL_SHADOW_LOGDIRTY_FINAL)
        return -EINVAL;
    mm_lock_global();
    if (ld->enabled)
        flush_tlb_domain(d);
    sc->stats.fault_count = ld->fault_count;
    sc->stats.dirty_count = ld->dirty_count;
    long rc = -ENOMEM;
    if (!ld->bitmap.failed_allocs) {
        struct bitmap_dest dst = {.buf = sc->dirty_bitmap};
        uint64_t covered = 0;
        rc = dirty_bitmap_read(&ld->bitmap, sc->pages, clean, copy_chunk, &dst, &covered);
        if (!rc && covered < sc->pages)
            sc->pages = covered;
    }
    if (!rc && clean) {
        ld->fault_count = ld->dirty_count = 0;
        if (ld->enabled)
            mark_referenced(d); /* the next round starts with what may be written now */
    }
    mm_unlock_global();
    return rc;
}

static long set_allocation(struct domain *d, struct lam_domctl_shadow_op *sc)
{
    if (sc->mb == 0 && d->logdirty.enabled)
        return -EINVAL; /* Xen: not while the domain runs on shadows */
    unsigned long pages = (unsigned long)sc->mb << 8;
    if (pages && pages < min_pool_pages(d))
        pages = min_pool_pages(d);
    if (pages > heap_total_frames())
        return -ENOMEM; /* more than Xen could ever allocate */
    d->logdirty.pool_pages = pages;
    sc->mb = pool_mb(d);
    return 0;
}

long logdirty_domctl(struct domain *d, struct lam_domctl_shadow_op *sc)
{
    /* Xen 4.17's paging_domctl: an op on a dying domain is ignored (0, the request copied
     * back as it came); one without vCPUs is -EINVAL. */
    if (d->state == DOMAIN_DYING)
        return 0;
    if (!d->vcpus[0])
        return -EINVAL;
    switch (sc->op) {
    case LAM_DOMCTL_SHADOW_OP_ENABLE:
        if (!(sc->mode & LAM_DOMCTL_SHADOW_ENABLE_LOG_DIRTY))
            return -EOPNOTSUPP; /* shadow paging without log-dirty: Lamina has none */
        return enable(d);
    case LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY:
        return enable(d);
    case LAM_DOMCTL_SHADOW_OP_ENABLE_TEST:
        return -EOPNOTSUPP;
    case LAM_DOMCTL_SHADOW_OP_OFF:
        disable(d);
        return 0;
    case LAM_DOMCTL_SHADOW_OP_CLEAN:
    case LAM_DOMCTL_SHADOW_OP_PEEK:
        return read_bitmap(d, sc);
    case LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION:
        sc->mb = pool_mb(d);
        return 0;
    case LAM_DOMCTL_SHADOW_OP_SET_ALLOCATION:
        return set_allocation(d, sc);
    default:
        return -EINVAL;
    }
}

void logdirty_teardown(struct domain *d)
{
    d->logdirty.enabled = false;
    if (d->logdirty.bitmap.page_free)
        dirty_bitmap_free(&d->logdirty.bitmap);
}
