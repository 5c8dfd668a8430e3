/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, version 1 (GNTTABOP_*), for 64-bit PV domains.
 *
 * A domain's table is up to max_frames hypervisor-allocated frames that the
 * domain owns (allocation reference, not on its page list, like
 * shared_info) and maps read-write itself; each 8-byte entry grants one of
 * its frames to one other domain. Beside the shared entries the hypervisor
 * keeps an "active" entry per reference: pin counts (host/device x
 * read/write, 8 bits each, Xen's layout) and the frame and grantee fixed at
 * first pin. GTF_reading/GTF_writing in the shared entry mirror the pin
 * counts exactly, so a granter that revokes with cmpxchg(flags -> 0) sees
 * them while any mapping or copy is in progress.
 *
 * The mapping domain's maptrack entry owns the references a mapping takes on
 * the granted frame (general + writable type when read-write), so the frame
 * cannot be freed or retyped while mapped, whatever happens to the granter.
 * Error codes follow Xen 4.17 (common/grant_table.c, arch/x86/pv/grant_table.c).
 */
#include <hv/grant_table.h>
#include <hv/continuation.h>
#include <lamina/hypercall-numbers.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <asm/smp.h>
#include <asm/x86.h>
#include <hv/xmalloc.h>
#include <lamina/grant_table.h>

#define ENTRIES_PER_FRAME LAM_GRANT_ENTRIES_PER_PAGE_V1
#define MAPTRACK_CHUNK    256u
#define INVALID_HANDLE    (~0u)

/* Pin count fields of an active entry (Xen's GNTPIN_* layout). */
#define PIN_HSTW      (1u << 0)
#define PIN_HSTR      (1u << 8)
#define PIN_DEVW      (1u << 16)
#define PIN_DEVR      (1u << 24)
#define PIN_WRITERS   (0xffu * PIN_HSTW | 0xffu * PIN_DEVW)
#define PIN_NEAR_FULL 0x80808080u /* refuse a new pin before any field can overflow */

struct active_grant {
    uint32_t pin;
    uint16_t domid; /* grantee, fixed while pinned */
    mfn_t mfn;      /* frame, fixed while pinned */
};

struct maptrack_entry {
    uint32_t flags;     /* LAM_GNTMAP_* still held; 0 = free */
    uint16_t domid;     /* granting domain */
    uint32_t ref;       /* its grant reference */
    mfn_t mfn;          /* the granted frame */
    uint64_t host_addr; /* as given to map (VA, or MA of the L1 entry) */
    uint32_t next_free; /* free list link while free */
};

struct grant_table {
    unsigned int nr_frames, max_frames;
    struct lam_grant_entry_v1 **shared; /* [max_frames] */
    struct active_grant **active;       /* [max_frames], 512 each */
    struct maptrack_entry **maptrack;   /* chunks of MAPTRACK_CHUNK */
    unsigned int mt_chunks, mt_max_chunks;
    uint32_t mt_limit; /* handles [0, mt_limit) may be issued */
    uint32_t mt_free;  /* head of the free list */
};

static unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * ENTRIES_PER_FRAME;
}

static struct lam_grant_entry_v1 *shared_entry(struct grant_table *gt, uint32_t ref)
{
    return &gt->shared[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct active_grant *active_entry(struct grant_table *gt, uint32_t ref)
{
    return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct maptrack_entry *maptrack_entry(struct grant_table *gt, uint32_t handle)
{
    return &gt->maptrack[handle / MAPTRACK_CHUNK][handle % MAPTRACK_CHUNK];
}

/* ---- table creation and growth ---- */

uint64_t opt_gnttab_max_frames = GNTTAB_DEFAULT_MAX_FRAMES;
uint64_t opt_gnttab_max_maptrack_frames = (GNTTAB_DEFAULT_MAX_MAPTRACK + 1) / MAPTRACK_CHUNK;

/* A limit from the command line, kept sane: at least one frame, at most what fits. */
static unsigned int opt_limit(uint64_t v, uint64_t max)
{
    return (unsigned int)(v < 1 ? 1 : v > max ? max : v);
}

static int grow_table(struct domain *d, unsigned int nr);

void gnttab_set_limits(struct domain *d, int max_frames, int max_maptrack_frames)
{
    d->max_grant_frames = max_frames >= 0
                              ? (unsigned int)max_frames
                              : opt_limit(opt_gnttab_max_frames, GNTTAB_LIMIT_MAX_FRAMES);
    unsigned int mt_frames = max_maptrack_frames >= 0 ? (unsigned int)max_maptrack_frames
                                                      : opt_limit(opt_gnttab_max_maptrack_frames,
                                                                  GNTTAB_LIMIT_MAPTRACK_FRAMES);
    /* The last handle of the last frame is never issued (it would read as invalid). */
    d->max_maptrack = mt_frames ? mt_frames * MAPTRACK_CHUNK - 1 : 0;
}

unsigned int gnttab_default_max_frames(void)
{
    return opt_limit(opt_gnttab_max_frames, GNTTAB_LIMIT_MAX_FRAMES);
}

unsigned int gnttab_default_max_maptrack_frames(void)
{
    return opt_limit(opt_gnttab_max_maptrack_frames, GNTTAB_LIMIT_MAPTRACK_FRAMES);
}

int gnttab_init(struct domain *d)
{
    unsigned int max = d->max_grant_frames;
    unsigned int mt = d->max_maptrack;
    struct grant_table *gt = xzalloc(struct grant_table);
    if (!gt)
        return -ENOMEM;
    gt->max_frames = max;
    gt->mt_max_chunks = (mt + MAPTRACK_CHUNK - 1) / MAPTRACK_CHUNK;
    gt->mt_free = INVALID_HANDLE;
    gt->mt_limit = mt;
    gt->shared = xzalloc_array(struct lam_grant_entry_v1 *, max);
    gt->active = xzalloc_array(struct active_grant *, max);
    /* At least one slot: a domain may be given no maptrack at all. */
    gt->maptrack = xzalloc_array(struct maptrack_entry *, MAX(gt->mt_max_chunks, 1u));
    if (!gt->shared || !gt->active || !gt->maptrack) {
        xfree(gt->shared);
        xfree(gt->active);
        xfree(gt->maptrack);
        xfree(gt);
        return -ENOMEM;
    }
    d->max_grant_frames = max;
    d->max_maptrack = mt;
    d->grant_table = gt;
    /* A domain starts with one frame, as on Xen (query_size reports it). */
    mm_lock_global();
    int rc = grow_table(d, 1);
    mm_unlock_global();
    if (rc)
        gnttab_destroy(d);
    return rc;
}

/* Allocate frames up to nr (caller holds mm_lock). Frames are shared like shared_info
 * (domain_share_xen_frame: writable for good, never a page table or GDT page). */
static int grow_table(struct domain *d, unsigned int nr)
{
    ASSERT_LOCKED(&mm_lock);
    struct grant_table *gt = d->grant_table;
    if (nr > gt->max_frames)
        return -EINVAL;
    while (gt->nr_frames < nr) {
        unsigned int i = gt->nr_frames;
        struct active_grant *act = xzalloc_array(struct active_grant, ENTRIES_PER_FRAME);
        void *frame = pages_zalloc(0);
        if (!act || !frame) {
            xfree(act);
            if (frame)
                pages_free(frame, 0);
            return -ENOMEM;
        }
        domain_share_xen_frame(d, virt_to_mfn(frame));
        gt->shared[i] = frame;
        gt->active[i] = act;
        gt->nr_frames = i + 1;
    }
    return 0;
}

int gnttab_seed_entry(struct domain *d, unsigned int ref, uint16_t grantee, mfn_t frame,
                      bool readonly)
{
    if (!d->grant_table || ref >= LAM_GNTTAB_NR_RESERVED_ENTRIES)
        return -EINVAL;
    mm_lock_global();
    int rc = grow_table(d, 1);
    if (!rc) {
        struct lam_grant_entry_v1 *e = shared_entry(d->grant_table, ref);
        e->domid = grantee;
        e->frame = (uint32_t)frame;
        __atomic_store_n(&e->flags,
                         (uint16_t)(LAM_GTF_permit_access | (readonly ? LAM_GTF_readonly : 0)),
                         __ATOMIC_RELEASE);
    }
    mm_unlock_global();
    return rc;
}

/* ---- maptrack handles ---- */

static uint32_t get_maptrack_handle(struct grant_table *gt)
{
    if (gt->mt_free == INVALID_HANDLE) {
        if (gt->mt_chunks >= gt->mt_max_chunks)
            return INVALID_HANDLE;
        struct maptrack_entry *chunk = xzalloc_array(struct maptrack_entry, MAPTRACK_CHUNK);
        if (!chunk)
            return INVALID_HANDLE;
        uint32_t base = gt->mt_chunks * MAPTRACK_CHUNK;
        for (uint32_t i = 0; i < MAPTRACK_CHUNK; i++) {
            bool last = i + 1 == MAPTRACK_CHUNK || base + i + 1 >= gt->mt_limit;
            chunk[i].next_free = last ? INVALID_HANDLE : base + i + 1;
        }
        gt->maptrack[gt->mt_chunks++] = chunk;
        gt->mt_free = base;
    }
    uint32_t h = gt->mt_free;
    gt->mt_free = maptrack_entry(gt, h)->next_free;
    return h;
}

static void put_maptrack_handle(struct grant_table *gt, uint32_t h)
{
    struct maptrack_entry *m = maptrack_entry(gt, h);
    m->flags = 0;
    m->next_free = gt->mt_free;
    gt->mt_free = h;
}

/* ---- shared entry status bits ---- */

/* First use of an entry by ldom (or first writer): check and set GTF_reading/writing.
 * GTF_sub_page means nothing in v1: Xen refuses it for a mapping and ignores it for a
 * copy (which always covers the whole page). */
static int set_status(struct lam_grant_entry_v1 *e, uint16_t ldom, bool readonly, bool for_map)
{
    uint32_t *word = (uint32_t *)e; /* flags (low half) and domid, changed together */
    uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    uint16_t mask = LAM_GTF_type_mask | (for_map ? LAM_GTF_sub_page : 0);

    for (unsigned int tries = 0;; tries++) {
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);
        if ((flags & mask) != LAM_GTF_permit_access || domid != ldom)
            return LAM_GNTST_general_error;
        uint16_t nflags = flags | LAM_GTF_reading;
        if (!readonly) {
            if (flags & LAM_GTF_readonly)
                return LAM_GNTST_general_error; /* write-pin of a read-only grant */
            nflags |= LAM_GTF_writing;
        }
        if (__atomic_compare_exchange_n(word, &old, (old & 0xffff0000u) | nflags, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return LAM_GNTST_okay;
        if (tries == 4)
            return LAM_GNTST_general_error; /* the granter keeps changing it */
    }
}

static void clear_status(struct lam_grant_entry_v1 *e, uint16_t bits)
{
    __atomic_fetch_and(&e->flags, (uint16_t)~bits, __ATOMIC_ACQ_REL);
}

/* Drop `inc` from the pin count and clear the status bits no longer backed by a pin. */
static void unpin(struct grant_table *gt, uint32_t ref, uint32_t inc)
{
    struct active_grant *act = active_entry(gt, ref);
    uint16_t clear = 0;
    act->pin -= inc;
    if (!(act->pin & PIN_WRITERS))
        clear |= LAM_GTF_writing;
    if (!act->pin)
        clear |= LAM_GTF_reading;
    clear_status(shared_entry(gt, ref), clear);
}

/*
 * Pin ref of rd for ldom with `inc` (one PIN_* unit), taking one general
 * reference on its frame. On success *mfn is the frame.
 */
static int pin_grant(struct domain *rd, uint32_t ref, uint16_t ldom, bool readonly, uint32_t inc,
                     bool for_map, mfn_t *mfn)
{
    struct grant_table *gt = rd->grant_table;
    if (ref >= nr_entries(gt))
        return LAM_GNTST_bad_gntref;
    struct active_grant *act = active_entry(gt, ref);
    struct lam_grant_entry_v1 *e = shared_entry(gt, ref);
    if (act->pin && (act->domid != ldom || (act->pin & PIN_NEAR_FULL)))
        return LAM_GNTST_general_error;
    if (!act->pin || (!readonly && !(act->pin & PIN_WRITERS))) {
        int rc = set_status(e, ldom, readonly, for_map);
        if (rc)
            return rc;
        if (!act->pin) {
            mfn_t frame = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
            if (frame >= max_mfn || !get_page(mfn_to_page(frame), rd)) {
                clear_status(e, LAM_GTF_reading | LAM_GTF_writing);
                return LAM_GNTST_bad_page; /* not a frame the granter owns */
            }
            put_page(mfn_to_page(frame)); /* taken again below, for every pin alike */
            act->mfn = frame;
            act->domid = ldom;
        }
    }
    act->pin += inc;
    if (!get_page(mfn_to_page(act->mfn), rd)) {
        unpin(gt, ref, inc);
        return LAM_GNTST_general_error;
    }
    *mfn = act->mfn;
    return LAM_GNTST_okay;
}

/* ---- the L1 entry of a host mapping ---- */

/* The L1 slot mapping va in v's kernel tables, or NULL (va must be guest memory). */
static pte_t *va_l1_slot(const struct vcpu *v, uint64_t va)
{
    if (!guest_range_ok(va & ~(PAGE_SIZE - 1), PAGE_SIZE))
        return NULL;
    return guest_l1_slot(v, va);
}

/* The slot named by a map/unmap host_addr, in a live L1 table ld owns, or NULL. */
static pte_t *host_l1_slot(struct domain *ld, uint64_t addr, uint32_t flags)
{
    pte_t *slot;
    if (flags & LAM_GNTMAP_contains_pte) {
        if ((addr & (sizeof(pte_t) - 1)) || (addr >> PAGE_SHIFT) >= max_mfn)
            return NULL;
        slot = (pte_t *)((char *)mfn_to_virt(addr >> PAGE_SHIFT) + (addr & (PAGE_SIZE - 1)));
    } else {
        /* The caller's own tables, or vCPU 0's of a dying domain being released. */
        const struct vcpu *v = ld == current_domain() ? current : ld->vcpus[0];
        slot = v ? va_l1_slot(v, addr) : NULL;
        if (!slot)
            return NULL;
    }
    const struct page_info *pg = mfn_to_page(virt_to_mfn(slot));
    if (page_get_owner(pg) != ld || page_type(pg) != PGT_l1_page_table || !page_type_count(pg) ||
        !page_type_validated(pg))
        return NULL;
    return slot;
}

static pte_t grant_pte(mfn_t mfn, uint32_t flags)
{
    pte_t e = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX |
              PTE_GRANT_MAPPING | _PAGE_USER; /* every PV mapping carries U */
    if (!(flags & LAM_GNTMAP_readonly))
        e |= _PAGE_RW;
    /* The guest's avail bits land in the PTE's software bits. */
    e |= (pte_t)((flags >> LAM_GNTMAP_guest_avail0_bit) & (_PAGE_AVAIL >> _PAGE_AVAIL_SHIFT))
         << _PAGE_AVAIL_SHIFT;
    return e;
}

static int create_host_mapping(struct domain *ld, uint64_t addr, mfn_t mfn, uint32_t flags)
{
    pte_t *slot = host_l1_slot(ld, addr, flags);
    if (!slot)
        return LAM_GNTST_general_error;
    pte_t old = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if ((old & _PAGE_PRESENT) && (old & PTE_GRANT_MAPPING))
        return LAM_GNTST_general_error; /* would orphan another grant mapping */
    if (!__atomic_compare_exchange_n(slot, &old, grant_pte(mfn, flags), false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return LAM_GNTST_general_error;
    pt_put_l1_entry_refs(old, virt_to_mfn(slot)); /* what the replaced entry held */
    if (old & _PAGE_PRESENT)
        flush_tlb_domain(ld); /* a translation of the replaced entry may be cached */
    return LAM_GNTST_okay;
}

/* Clear the grant entry at addr if it still maps mfn with the mapping's permissions. */
static int destroy_host_mapping(struct domain *ld, uint64_t addr, mfn_t mfn, uint32_t flags)
{
    pte_t *slot = host_l1_slot(ld, addr, flags);
    if (!slot)
        return LAM_GNTST_general_error;
    pte_t old = __atomic_load_n(slot, __ATOMIC_ACQUIRE), want = grant_pte(mfn, flags);
    if (!(old & PTE_GRANT_MAPPING) || pte_mfn(old) != mfn ||
        ((old ^ want) & (_PAGE_PRESENT | _PAGE_RW)))
        return LAM_GNTST_general_error;
    if (!__atomic_compare_exchange_n(slot, &old, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return LAM_GNTST_general_error;
    flush_tlb_domain(ld); /* every CPU running one of ld's vCPUs */
    return LAM_GNTST_okay;
}

/* ---- domains named by an op ---- */

/*
 * The caller's own domain (DOMID_SELF or its id: no reference needed, it
 * cannot be reaped while it runs), or another live domain with a reference
 * (domain_ref.c) that put_domain() drops: every op below runs under mm_lock,
 * but the reference is what the lookup rule asks for and costs little.
 * A dying domain's grants can no longer be mapped or copied (NULL).
 */
static struct domain *get_domain(unsigned int id)
{
    struct domain *cd = current_domain();
    if (id == LAM_DOMID_SELF || id == cd->domain_id)
        return cd->grant_table ? cd : NULL;
    struct domain *d = domain_get(id);
    if (d && (!d->grant_table || d->state == DOMAIN_DYING)) {
        domain_put(d);
        d = NULL;
    }
    return d;
}

static void put_domain(struct domain *d)
{
    if (d && d != current_domain())
        domain_put(d);
}

/* ---- map / unmap ---- */

/* Release what one maptrack entry's flags hold: references and pins. */
static void release_mapping_refs(struct domain *rd, uint32_t ref, mfn_t mfn, uint32_t done)
{
    struct page_info *pg = mfn_to_page(mfn);
    bool ro = done & LAM_GNTMAP_readonly;
    if (done & LAM_GNTMAP_device_map) {
        if (!ro)
            put_page_type(pg);
        put_page(pg);
        unpin(rd->grant_table, ref, ro ? PIN_DEVR : PIN_DEVW);
    }
    if (done & LAM_GNTMAP_host_map) {
        if (!ro)
            put_page_type(pg);
        put_page(pg);
        unpin(rd->grant_table, ref, ro ? PIN_HSTR : PIN_HSTW);
    }
}

static void map_from(struct domain *ld, struct domain *rd, struct lam_gnttab_map_grant_ref *op)
{
    uint32_t flags = op->flags;
    bool ro = flags & LAM_GNTMAP_readonly;
    uint32_t dev = flags & LAM_GNTMAP_device_map, host = flags & LAM_GNTMAP_host_map;
    uint32_t handle = get_maptrack_handle(ld->grant_table);
    if (handle == INVALID_HANDLE) {
        op->status = LAM_GNTST_no_space; /* what Xen 4.17 answers, not no_device_space */
        return;
    }

    /* One pin (and general reference) per kind of mapping asked for. */
    mfn_t mfn = INVALID_MFN;
    uint32_t done = 0;
    int rc = LAM_GNTST_okay;
    if (dev) {
        rc = pin_grant(rd, op->ref, ld->domain_id, ro, ro ? PIN_DEVR : PIN_DEVW, true, &mfn);
        if (!rc) {
            done |= LAM_GNTMAP_device_map;
            if (!ro && get_page_type(mfn_to_page(mfn), PGT_writable_page)) {
                put_page(mfn_to_page(mfn));
                unpin(rd->grant_table, op->ref, PIN_DEVW);
                done = 0;
                rc = LAM_GNTST_general_error; /* a page table or descriptor page */
            }
        }
    }
    if (!rc && host) {
        rc = pin_grant(rd, op->ref, ld->domain_id, ro, ro ? PIN_HSTR : PIN_HSTW, true, &mfn);
        if (!rc && !ro && get_page_type(mfn_to_page(mfn), PGT_writable_page)) {
            put_page(mfn_to_page(mfn));
            unpin(rd->grant_table, op->ref, PIN_HSTW);
            rc = LAM_GNTST_general_error;
        }
        if (!rc) {
            done |= LAM_GNTMAP_host_map;
            rc = create_host_mapping(ld, op->host_addr, mfn, flags);
        }
    }
    if (rc) {
        release_mapping_refs(rd, op->ref, mfn, done | (flags & LAM_GNTMAP_readonly));
        put_maptrack_handle(ld->grant_table, handle);
        op->status = (int16_t)rc;
        return;
    }
    struct maptrack_entry *m = maptrack_entry(ld->grant_table, handle);
    m->domid = rd->domain_id;
    m->ref = op->ref;
    m->mfn = mfn;
    m->host_addr = op->host_addr;
    m->flags = flags;
    op->dev_bus_addr = mfn << PAGE_SHIFT;
    op->handle = handle;
    op->status = LAM_GNTST_okay;
}

static void map_one(struct domain *ld, struct lam_gnttab_map_grant_ref *op)
{
    ASSERT_LOCKED(&mm_lock);
    if (!(op->flags & (LAM_GNTMAP_device_map | LAM_GNTMAP_host_map))) {
        op->status = LAM_GNTST_bad_gntref;
        return;
    }
    struct domain *rd = get_domain(op->dom);
    if (!rd) {
        op->status = LAM_GNTST_bad_domain;
        return;
    }
    map_from(ld, rd, op);
    put_domain(rd);
}

/* The granter of a live mapping: it may be dying, but the mapping's frame reference keeps
 * it listed (it owns that frame). Taken with a reference all the same. */
static struct domain *get_granter(const struct maptrack_entry *m)
{
    struct domain *cd = current_domain();
    if (m->domid == cd->domain_id)
        return cd;
    struct domain *rd = domain_get(m->domid);
    if (rd && !rd->grant_table) {
        domain_put(rd);
        rd = NULL;
    }
    return rd;
}

static void unmap_from(struct domain *ld, struct domain *rd, struct maptrack_entry *m,
                       struct lam_gnttab_unmap_grant_ref *op)
{
    struct grant_table *lgt = ld->grant_table;
    /* Xen 4.17 checks the bus address only against a device mapping, with its own code. */
    if (op->dev_bus_addr && (m->flags & LAM_GNTMAP_device_map) &&
        op->dev_bus_addr != (m->mfn << PAGE_SHIFT)) {
        op->status = LAM_GNTST_bad_dev_addr;
        return;
    }
    uint32_t done = 0;
    if (op->host_addr && (m->flags & LAM_GNTMAP_host_map)) {
        int rc = destroy_host_mapping(ld, op->host_addr, m->mfn, m->flags);
        if (rc) {
            op->status = (int16_t)rc;
            return;
        }
        done |= LAM_GNTMAP_host_map;
    }
    if (op->dev_bus_addr && (m->flags & LAM_GNTMAP_device_map))
        done |= LAM_GNTMAP_device_map;
    release_mapping_refs(rd, m->ref, m->mfn, done | (m->flags & LAM_GNTMAP_readonly));
    m->flags &= ~done;
    if (!(m->flags & (LAM_GNTMAP_host_map | LAM_GNTMAP_device_map)))
        put_maptrack_handle(lgt, op->handle);
    op->status = LAM_GNTST_okay;
}

static void unmap_one(struct domain *ld, struct lam_gnttab_unmap_grant_ref *op)
{
    ASSERT_LOCKED(&mm_lock);
    struct grant_table *lgt = ld->grant_table;
    if (op->handle >= lgt->mt_chunks * MAPTRACK_CHUNK || !maptrack_entry(lgt, op->handle)->flags) {
        op->status = LAM_GNTST_bad_handle;
        return;
    }
    struct maptrack_entry *m = maptrack_entry(lgt, op->handle);
    struct domain *rd = get_granter(m);
    if (!rd) {
        op->status = LAM_GNTST_bad_domain;
        return;
    }
    unmap_from(ld, rd, m, op);
    put_domain(rd);
}

void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    if (!gt)
        return;
    mm_lock_global();
    for (uint32_t h = 0; h < gt->mt_chunks * MAPTRACK_CHUNK; h++) {
        struct maptrack_entry *m = maptrack_entry(gt, h);
        if (!m->flags)
            continue;
        struct domain *rd = domain_get(m->domid); /* may be d itself */
        if (!rd || !rd->grant_table) {
            if (rd)
                domain_put(rd);
            continue; /* granter gone: nothing left to unpin */
        }
        if (m->flags & LAM_GNTMAP_host_map) {
            /* Zap the entry if it is still there; either way the frame reference goes. */
            (void)destroy_host_mapping(d, m->host_addr, m->mfn, m->flags);
        }
        release_mapping_refs(rd, m->ref, m->mfn, m->flags);
        put_maptrack_handle(gt, h);
        domain_put(rd);
    }
    mm_unlock_global();
}

/* Caller holds mm_lock, which keeps every listed domain allocated (domain_ref.c). */
void gnttab_audit_mappings(void (*fn)(mfn_t mfn, bool writable, void *arg), void *arg)
{
    ASSERT_LOCKED(&mm_lock);
    for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_list[id];
        const struct grant_table *gt = d ? d->grant_table : NULL;
        if (!gt)
            continue;
        for (uint32_t h = 0; h < gt->mt_chunks * MAPTRACK_CHUNK; h++) {
            const struct maptrack_entry *m = &gt->maptrack[h / MAPTRACK_CHUNK][h % MAPTRACK_CHUNK];
            bool rw = !(m->flags & LAM_GNTMAP_readonly);
            if (m->flags & LAM_GNTMAP_host_map)
                fn(m->mfn, rw, arg);
            if (m->flags & LAM_GNTMAP_device_map)
                fn(m->mfn, rw, arg);
        }
    }
}

/* ---- copy ---- */

struct copy_buf {
    struct domain *d;
    bool is_gref, readonly, have_type;
    uint32_t ref;
    mfn_t mfn; /* INVALID_MFN until claimed (a general reference held) */
};

static int claim_buf(struct domain *ld, const struct lam_gnttab_copy_ptr *p, bool is_gref,
                     struct copy_buf *b)
{
    b->is_gref = is_gref;
    if (is_gref) {
        b->ref = p->u.ref;
        int rc = pin_grant(b->d, b->ref, ld->domain_id, b->readonly,
                           b->readonly ? PIN_HSTR : PIN_HSTW, false, &b->mfn);
        if (rc) {
            b->mfn = INVALID_MFN;
            return rc;
        }
    } else {
        if (p->u.gmfn >= max_mfn || !get_page(mfn_to_page(p->u.gmfn), b->d))
            return LAM_GNTST_bad_page;
        b->mfn = p->u.gmfn;
    }
    if (!b->readonly) {
        if (get_page_type(mfn_to_page(b->mfn), PGT_writable_page))
            return LAM_GNTST_general_error;
        b->have_type = true;
    }
    return LAM_GNTST_okay;
}

static void release_buf(struct copy_buf *b)
{
    if (b->mfn == INVALID_MFN)
        return;
    if (b->have_type)
        put_page_type(mfn_to_page(b->mfn));
    put_page(mfn_to_page(b->mfn));
    if (b->is_gref)
        unpin(b->d->grant_table, b->ref, b->readonly ? PIN_HSTR : PIN_HSTW);
}

static int copy_one(struct domain *ld, const struct lam_gnttab_copy *op)
{
    ASSERT_LOCKED(&mm_lock);
    bool src_gref = op->flags & LAM_GNTCOPY_source_gref;
    bool dst_gref = op->flags & LAM_GNTCOPY_dest_gref;
    if ((op->source.domid != LAM_DOMID_SELF && !src_gref) ||
        (op->dest.domid != LAM_DOMID_SELF && !dst_gref))
        return LAM_GNTST_permission_denied; /* copy by frame only for DOMID_SELF */
    struct copy_buf src = {.d = get_domain(op->source.domid), .readonly = true, .mfn = INVALID_MFN};
    struct copy_buf dst = {.d = get_domain(op->dest.domid), .mfn = INVALID_MFN};
    int rc = !src.d || !dst.d ? LAM_GNTST_bad_domain : claim_buf(ld, &op->source, src_gref, &src);
    if (!rc)
        rc = claim_buf(ld, &op->dest, dst_gref, &dst);
    if (!rc && ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
                (unsigned int)op->dest.offset + op->len > PAGE_SIZE))
        rc = LAM_GNTST_bad_copy_arg;
    if (!rc)
        memmove((char *)mfn_to_virt(dst.mfn) + op->dest.offset,
                (const char *)mfn_to_virt(src.mfn) + op->source.offset, op->len);
    release_buf(&dst);
    release_buf(&src);
    put_domain(dst.d);
    put_domain(src.d);
    return rc;
}

/* ---- table-level ops ---- */

static int16_t setup_table_of(struct domain *d, struct lam_gnttab_setup_table *op)
{
    ASSERT_LOCKED(&mm_lock);
    if (d != current_domain() && !current_domain()->is_privileged)
        return LAM_GNTST_permission_denied;
    if (op->nr_frames > d->grant_table->max_frames || grow_table(d, op->nr_frames))
        return LAM_GNTST_general_error;
    for (uint32_t i = 0; i < op->nr_frames; i++) {
        uint64_t mfn = virt_to_mfn(d->grant_table->shared[i]);
        if (copy_to_guest(op->frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)))
            return LAM_GNTST_bad_virt_addr;
    }
    return LAM_GNTST_okay;
}

/* A dying domain's table grows no more: its frames were given up once, at the kill. */
static int16_t setup_table_locked(struct lam_gnttab_setup_table *op)
{
    struct domain *d = get_domain(op->dom);
    if (!d)
        return LAM_GNTST_bad_domain;
    int16_t rc = setup_table_of(d, op);
    put_domain(d);
    return rc;
}

/* As Xen 4.17: a frame list that does not start in guest memory (checked even for 0
 * frames) is -EFAULT before anything else; a list that leaves it later is a status. */
static long setup_table(guest_ptr_t ops, unsigned int count)
{
    struct lam_gnttab_setup_table op;
    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, ops, sizeof(op)))
        return -EFAULT;
    if (!guest_array_ok(op.frame_list, op.nr_frames, sizeof(uint64_t)))
        return -EFAULT;
    mm_lock_global();
    op.status = setup_table_locked(&op);
    mm_unlock_global();
    if (copy_to_guest(ops + offsetof(struct lam_gnttab_setup_table, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}

static int16_t query_size(struct lam_gnttab_query_size *op)
{
    ASSERT_LOCKED(&mm_lock);
    struct domain *cd = current_domain(), *d = get_domain(op->dom);
    if (!d)
        return LAM_GNTST_bad_domain;
    int16_t rc = LAM_GNTST_permission_denied;
    if (d == cd || cd->is_privileged) {
        op->nr_frames = d->grant_table->nr_frames;
        op->max_nr_frames = d->grant_table->max_frames;
        rc = LAM_GNTST_okay;
    }
    put_domain(d);
    return rc;
}

/* Ops with one argument structure: read it, run fn under mm_lock, write it back. */
#define ONE_STRUCT_OP(type, fn, write_all)                                                         \
    do {                                                                                           \
        type op_;                                                                                  \
        if (count != 1)                                                                            \
            return -EINVAL;                                                                        \
        if (copy_from_guest(&op_, ops, sizeof(op_)))                                               \
            return -EFAULT;                                                                        \
        mm_lock_global();                                                                          \
        op_.status = fn(&op_);                                                                     \
        mm_unlock_global();                                                                        \
        if (write_all                                                                              \
                ? copy_to_guest(ops, &op_, sizeof(op_))                                            \
                : copy_to_guest(ops + offsetof(type, status), &op_.status, sizeof(op_.status)))    \
            return -EFAULT;                                                                        \
        return 0;                                                                                  \
    } while (0)

static long set_version(guest_ptr_t ops, unsigned int count)
{
    struct lam_gnttab_set_version op;
    long rc;
    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, ops, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == 2)
        rc = -ENOSYS; /* Xen 4.17 built or booted with max version 1 answers the same */
    else
        rc = 0;
    op.version = 1;
    if (copy_to_guest(ops, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

/* One element of a batch at guest address p: 0, or -EFAULT when it cannot be read or its
 * result written back. */
static long map_at(struct domain *d, guest_ptr_t p)
{
    struct lam_gnttab_map_grant_ref op;
    if (copy_from_guest(&op, p, sizeof(op)))
        return -EFAULT;
    struct mm_hold h = MM_HOLD_GLOBAL; /* two domains' frames */
    do {
        mm_hold_begin(&h);
        map_one(d, &op);
    } while (mm_hold_end(&h, op.status));
    return copy_to_guest(p, &op, sizeof(op)) ? -EFAULT : 0;
}

static long unmap_at(struct domain *d, guest_ptr_t p)
{
    struct lam_gnttab_unmap_grant_ref op;
    if (copy_from_guest(&op, p, sizeof(op)))
        return -EFAULT;
    mm_lock_global();
    unmap_one(d, &op);
    mm_unlock_global();
    return copy_to_guest(p + offsetof(struct lam_gnttab_unmap_grant_ref, status), &op.status,
                         sizeof(op.status))
               ? -EFAULT
               : 0;
}

static long copy_at(struct domain *d, guest_ptr_t p)
{
    struct lam_gnttab_copy op;
    if (copy_from_guest(&op, p, sizeof(op)))
        return -EFAULT;
    struct mm_hold h = MM_HOLD_GLOBAL; /* two domains' frames */
    do {
        mm_hold_begin(&h);
        op.status = (int16_t)copy_one(d, &op);
    } while (mm_hold_end(&h, op.status));
    return copy_to_guest(p + offsetof(struct lam_gnttab_copy, status), &op.status,
                         sizeof(op.status))
               ? -EFAULT
               : 0;
}

/* v1 has no status frames: Xen 4.17 (built with v2, the table at v1) answers a request for
 * any with general_error, after the same checks as setup_table's. */
static long get_status_frames(guest_ptr_t ops, unsigned int count)
{
    struct lam_gnttab_get_status_frames op;
    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, ops, sizeof(op)))
        return -EFAULT;
    if (!guest_array_ok(op.frame_list, op.nr_frames, sizeof(uint64_t)))
        return -EFAULT;
    mm_lock_global();
    struct domain *d = get_domain(op.dom);
    if (!d)
        op.status = LAM_GNTST_bad_domain;
    else if (d != current_domain() && !current_domain()->is_privileged)
        op.status = LAM_GNTST_permission_denied;
    else
        op.status = op.nr_frames ? LAM_GNTST_general_error : LAM_GNTST_okay;
    put_domain(d);
    mm_unlock_global();
    if (copy_to_guest(ops + offsetof(struct lam_gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}

/* The version of a domain's table (always 1 here; 0 if it has none), as Xen 4.17: a
 * missing domain -ESRCH, another domain's only for a privileged caller (-EPERM). Xen
 * takes no count and answers for a dying domain too. */
static long get_version(guest_ptr_t ops)
{
    struct lam_gnttab_get_version op;
    if (copy_from_guest(&op, ops, sizeof(op)))
        return -EFAULT;
    struct domain *cd = current_domain();
    struct domain *d =
        op.dom == LAM_DOMID_SELF || op.dom == cd->domain_id ? cd : domain_get(op.dom);
    if (!d)
        return -ESRCH;
    long rc = 0;
    if (d != cd && !cd->is_privileged)
        rc = -EPERM;
    else
        op.version = d->grant_table ? 1 : 0;
    if (d != cd)
        domain_put(d);
    if (!rc && copy_to_guest(ops + offsetof(struct lam_gnttab_get_version, version), &op.version,
                             sizeof(op.version)))
        rc = -EFAULT;
    return rc;
}

/* Swap two of the caller's own entries, as Xen 4.17: both references in range
 * (bad_gntref), the same one twice does nothing, and neither may be pinned by a mapping
 * or a copy (eagain): a pinned entry's frame and grantee are fixed while it is. */
static int16_t swap_one(struct domain *d, uint32_t a, uint32_t b)
{
    ASSERT_LOCKED(&mm_lock);
    struct grant_table *gt = d->grant_table;
    if (a >= nr_entries(gt) || b >= nr_entries(gt))
        return LAM_GNTST_bad_gntref;
    if (a == b)
        return LAM_GNTST_okay;
    if (active_entry(gt, a)->pin || active_entry(gt, b)->pin)
        return LAM_GNTST_eagain;
    uint64_t *ea = (uint64_t *)shared_entry(gt, a), *eb = (uint64_t *)shared_entry(gt, b);
    uint64_t va = __atomic_load_n(ea, __ATOMIC_ACQUIRE), vb = __atomic_load_n(eb, __ATOMIC_ACQUIRE);
    __atomic_store_n(ea, vb, __ATOMIC_RELEASE);
    __atomic_store_n(eb, va, __ATOMIC_RELEASE);
    return LAM_GNTST_okay;
}

static long swap_at(struct domain *d, guest_ptr_t p)
{
    struct lam_gnttab_swap_grant_ref op;
    if (copy_from_guest(&op, p, sizeof(op)))
        return -EFAULT;
    mm_lock_global();
    op.status = swap_one(d, op.ref_a, op.ref_b);
    mm_unlock_global();
    return copy_to_guest(p + offsetof(struct lam_gnttab_swap_grant_ref, status), &op.status,
                         sizeof(op.status))
               ? -EFAULT
               : 0;
}

/*
 * A map, unmap, copy or swap batch, preemptible as Xen's: the whole array must be guest memory
 * (-EFAULT before anything is done), and between elements, once the hypercall has used its
 * budget or an event waits, the rest becomes a continuation: the same command with the
 * array pointer moved past the elements done and the count reduced, so the guest sees one
 * call that returns 0 with every element's status written in place. At least one element
 * is done per call, so the batch always finishes.
 */
static long run_batch(struct domain *d, unsigned int cmd, guest_ptr_t ops, unsigned int count,
                      size_t size, long (*one)(struct domain *, guest_ptr_t))
{
    /* Xen's guest_handle_okay refuses an array starting outside guest memory even when
     * count is 0; the whole range is checked here too, before anything is done. */
    if (!guest_array_ok(ops, count, size) || !guest_range_ok(ops, (size_t)count * size))
        return -EFAULT;
    for (unsigned int i = 0; i < count; i++) {
        guest_ptr_t p = ops + (uint64_t)i * size;
        if (i && hypercall_preempt_check()) {
            const uint64_t args[3] = {cmd, p, count - i};
            return hypercall_create_continuation(LAM_HYPERCALL_GRANT_TABLE_OP, 3, args);
        }
        long rc = one(d, p);
        if (rc)
            return rc;
    }
    return 0;
}

/* Xen keeps continuation state of GNTTABOP_cache_flush above the command's low 12 bits
 * and refuses those bits on every other command. */
#define GNTTABOP_CMD_MASK 0xfffu

long hc_grant_table_op(unsigned int cmd, guest_ptr_t ops, unsigned int count)
{
    struct domain *d = current_domain();
    /* As Xen 4.17's do_grant_table_op: a count that is negative as an int is -EINVAL, and so
     * are bits above the command on anything but cache_flush (-ENOSYS here, as before). */
    if ((int)count < 0 ||
        ((cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != LAM_GNTTABOP_cache_flush))
        return -EINVAL;
    cmd &= GNTTABOP_CMD_MASK;
    if (!d->grant_table)
        return -ENOSYS;
    switch (cmd) {
    case LAM_GNTTABOP_map_grant_ref:
        return run_batch(d, cmd, ops, count, sizeof(struct lam_gnttab_map_grant_ref), map_at);
    case LAM_GNTTABOP_unmap_grant_ref:
        return run_batch(d, cmd, ops, count, sizeof(struct lam_gnttab_unmap_grant_ref), unmap_at);
    case LAM_GNTTABOP_copy:
        return run_batch(d, cmd, ops, count, sizeof(struct lam_gnttab_copy), copy_at);
    case LAM_GNTTABOP_setup_table:
        return setup_table(ops, count);
    case LAM_GNTTABOP_query_size:
        ONE_STRUCT_OP(struct lam_gnttab_query_size, query_size, true);
    case LAM_GNTTABOP_set_version:
        return set_version(ops, count);
    case LAM_GNTTABOP_get_status_frames:
        return get_status_frames(ops, count);
    case LAM_GNTTABOP_get_version:
        return get_version(ops);
    case LAM_GNTTABOP_swap_grant_ref:
        return run_batch(d, cmd, ops, count, sizeof(struct lam_gnttab_swap_grant_ref), swap_at);
    default:
        return -ENOSYS;
    }
}

/* ---- the granter's death ---- */

void gnttab_drop_frame_allocations(struct domain *d)
{
    ASSERT_LOCKED(&mm_lock);
    struct grant_table *gt = d->grant_table;
    for (unsigned int i = 0; gt && i < gt->nr_frames; i++) {
        struct page_info *pg = mfn_to_page(virt_to_mfn(gt->shared[i]));
        if (pg->count_info & PGC_allocated) {
            pg->count_info &= ~PGC_allocated;
            put_page(pg);
        }
    }
}

bool gnttab_frames_unreferenced(const struct domain *d)
{
    const struct grant_table *gt = d->grant_table;
    for (unsigned int i = 0; gt && i < gt->nr_frames; i++)
        if (page_count(mfn_to_page(virt_to_mfn(gt->shared[i]))))
            return false;
    return true;
}

/*
 * Free the table of a domain nobody references any more: no mapping of its
 * grants is left (each would hold a frame of it) and it holds none itself
 * (gnttab_release_mappings ran when it was killed).
 */
void gnttab_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    if (!gt)
        return;
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        struct page_info *pg = mfn_to_page(virt_to_mfn(gt->shared[i]));
        pg->owner = NULL;
        pg->count_info &= ~(PGC_xen_heap | PGC_allocated | PGC_count_mask);
        pg->type_info = 0;
        pages_free(gt->shared[i], 0);
        xfree(gt->active[i]);
    }
    for (unsigned int c = 0; c < gt->mt_chunks; c++)
        xfree(gt->maptrack[c]);
    xfree(gt->shared);
    xfree(gt->active);
    xfree(gt->maptrack);
    xfree(gt);
    d->grant_table = NULL;
}
