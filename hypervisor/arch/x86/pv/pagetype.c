/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page types and reference counts: the heart of PV isolation.
 *
 * Every frame has a general reference count (who points at it at all) and a
 * type with a type count (what it is being used as). The invariants:
 *
 *  - A frame may be referenced from a guest page table only if the domain
 *    owns it (or, for L1 entries of a privileged domain, the foreign
 *    domain it names owns it).
 *  - A frame has one type at a time: writable, L1, L2, L3, L4 or segment
 *    descriptor. A present writable L1 entry holds a "writable" type
 *    reference on its target; an entry of a validated Ln table holds an
 *    "L(n-1)" type reference on its target; a pin or a CR3 load holds an
 *    "Ln" reference. A frame changes type only when its type count is zero,
 *    so a page-table frame can never also be mapped writable.
 *  - Validation happens when a frame's type count goes from 0 to 1 as a
 *    table: every present entry is checked and takes its references; if an
 *    entry in the middle fails, the references taken for the entries before
 *    it are released again and the frame is left untyped. When the type
 *    count drops back to 0 the table is "devalidated": the references its
 *    entries hold are released.
 *
 * Tables form a DAG by level (L4 -> L3 -> L2 -> L1 -> data), so validation
 * recursion is bounded by four levels. An entry that points at a table of
 * its own level (a "linear" or recursive mapping) asks for the wrong type and
 * is refused, as is any superpage bit: guests get 4 KiB mappings only.
 *
 * Preemption (Xen's PGT_partial, in our own terms). Validating or tearing
 * down a populated tree can take long, so the *_preemptible variants stop
 * between entries of an L2-L4 table when hypercall_preempt_check() says so
 * (never before the first entry they handle: every call makes progress) and
 * return -ERESTART; the hypercall then continues itself. A table is always in
 * one of these states:
 *
 *   free        type count 0; nothing is held for its entries.
 *   validated   PGT_validated, count >= 1: every entry holds its references.
 *   working     count 1, neither flag: being (de)validated right now, by the
 *               holder of that one reference (only inside one hypercall,
 *               under a memory lock; nobody else can see it).
 *   partial     count 1, PGT_partial: (de)validation stopped. Entries
 *               [0, nr_validated) hold their references; if partial_child,
 *               entry nr_validated holds a *general* reference on its child,
 *               which is itself partial (or was finished by someone else
 *               since). The count of 1 belongs to the table itself.
 *
 * Validation moves nr_validated up, devalidation moves it down, so a partial
 * table can be picked up in either direction by whoever comes next: a
 * get_page_type() of the same type takes the count over (it stays 1) and
 * resumes validation; a parent being torn down, or the vCPU's deferred
 * teardown (old_guest_table, pv/mm.c), takes it over and resumes
 * devalidation. A partial table is not validated, so it is not a table for
 * mmu_update, cannot be mapped writable or retyped (count 1), is not a
 * linear-mapping target and cannot be given back (decrease_reservation).
 * Whoever stops with -ERESTART keeps or drops its own general reference as
 * its caller needs (a parent keeps it as partial_child; a pin drops it, as
 * Xen's does). Error paths (a bad entry found while resuming) unwind
 * everything the table holds, including the partial child's reference, and
 * leave the table free. The audit (pv/mm_audit.c) counts a partial table's own
 * type reference, its entries [0, nr_validated) and a partial child's
 * general reference.
 */
#include <asm/pv/mm.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/grant_table.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/logdirty.h>
#include <asm/mm.h>
#include <hv/panic.h>
#include <asm/smp.h>
#include <asm/tlbclock.h>
#include <asm/pv/descriptor.h>
#include <asm/pv/iomem.h>

/* Bits a guest may never set, per level; PWT/PCD/PAT allowed in L1 with I/O privilege. */
#define L1_DISALLOW_UNPRIV (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT | PTE_GRANT_MAPPING)
#define L1_DISALLOW_PRIV   PTE_GRANT_MAPPING /* grant entries come from grant_table.c only */
#define LN_DISALLOW        (_PAGE_PWT | _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL)
#define PTE_FLAGS_MASK     (~PTE_ADDR_MASK)

uint64_t pt_level_type(unsigned int level)
{
    static const uint64_t t[] = {PGT_writable_page, PGT_l1_page_table, PGT_l2_page_table,
                                 PGT_l3_page_table, PGT_l4_page_table};
    return level <= 4 ? t[level] : PGT_none;
}

unsigned int pt_type_level(uint64_t type)
{
    switch (type) {
    case PGT_l1_page_table:
        return 1;
    case PGT_l2_page_table:
        return 2;
    case PGT_l3_page_table:
        return 3;
    case PGT_l4_page_table:
        return 4;
    default:
        return 0;
    }
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    if (page_get_owner(pg) != d || !(pg->count_info & PGC_allocated))
        return false;
    if (page_count(pg) >= PGC_count_mask - 1)
        return false; /* refuse rather than overflow */
    pg->count_info++;
    return true;
}

void put_page(struct page_info *pg)
{
    BUG_ON(page_count(pg) == 0);
    pg->count_info--;
    /* The last reference to a frame its dying owner gave up: it can go now. */
    if (page_count(pg) == 0 && !(pg->count_info & PGC_allocated) && page_get_owner(pg))
        domain_page_released(pg);
}

static int validate_table(struct page_info *pg, unsigned int level, bool preemptible);
static int devalidate_table(struct page_info *pg, unsigned int level, bool preemptible);

/*
 * Retype flushes put off until the memory lock is dropped (the hold's lock's). A flush
 * waits for other CPUs to answer an IPI; sent while holding a memory lock, it made
 * every operation behind that lock wait. So where the holder can back out (a hold, see
 * asm/pv/mm.h), the retype fails instead, the CPUs it needed are noted here, and
 * mm_hold_end flushes them with the lock dropped and has the operation run again,
 * which finds them flushed (Xen's _get_page_type also flushes with no lock held, then
 * commits the type only if nothing changed meanwhile).
 */
struct mm_retype_flush global_retype_flush;

/* The put-off flushes of the hold this CPU is in, for a retype of pg: the global lock's,
 * or the owner's (under a domain's own lock only that domain's frames are retyped). Not
 * in a hold, allowed is false: the flush is sent in place. */
static struct mm_retype_flush *retype_flush_of(const struct page_info *pg)
{
    struct domain *owner = page_get_owner(pg);
    return !owner || mm_locked_global() ? &global_retype_flush : &owner->retype_flush;
}

/* A retype flush was put off during this hold: the operation is failing on purpose. */
static bool retype_flush_deferred(const struct page_info *pg)
{
    return retype_flush_of(pg)->cpus != 0;
}

/*
 * The frame is about to take a new type: no CPU may still translate through or to it as
 * what it was (a writable translation the guest never flushed would write into a page
 * table or descriptor page; a cached walk through an old table would read a writable
 * page as entries). The CPUs that may cache its owner's translations and have not
 * flushed since its type count last dropped to 0 (arch/x86/flushtlb.c) are flushed
 * here, or (0 CPUs left) the retype may go ahead. -ERETYPEFLUSH: put off (see above).
 */
static int flush_before_retype(const struct page_info *pg)
{
    const struct domain *owner = page_get_owner(pg);
    if (!owner)
        return 0;
    cpumask_t stale = tlbflush_filter(__atomic_load_n(&owner->dirty_cpumask, __ATOMIC_SEQ_CST),
                                      pg->tlbflush_timestamp);
    if (!stale)
        return 0;
    struct mm_retype_flush *r = retype_flush_of(pg);
    if (!r->allowed) {
        flush_tlb_mask(stale);
        return 0;
    }
    r->cpus |= stale;
    return -ERETYPEFLUSH;
}

/* The type count is 0 again: from now on no mapping or table use needs the frame. */
static void type_released(struct page_info *pg, uint64_t type_info)
{
    pg->type_info = type_info;
    page_set_tlbflush_timestamp(pg);
    logdirty_type_released(pg); /* whatever wrote through the reference is over */
}

/* Leave a table whose work stopped in the partial state (see the notes at the top). */
static int left_partial(struct page_info *pg)
{
    pg->type_info |= PGT_partial;
    preempt_stats.partial_tables++;
    return -ERESTART;
}

static int take_type_ref(struct page_info *pg, uint64_t type, bool preemptible)
{
    uint64_t x = pg->type_info;
    uint64_t count = x & PGT_count_mask;

    if (count >= PGT_count_mask - 1)
        return -EOVERFLOW;
    if (count == 0) {
        /* A put-off flush stops a preemptible validation as preemption does: the parent
         * keeps what it did (and its general reference on this frame, still free). */
        int rc = (x & PGT_type_mask) != type ? flush_before_retype(pg) : 0;
        if (rc)
            return preemptible ? -ERESTART : rc;
        pg->nr_validated = 0;
        pg->partial_child = 0;
        pg->type_info = type + 1;
    } else if ((x & PGT_type_mask) != type) {
        return -EINVAL; /* in use as something else (Xen's answer too) */
    } else if (x & PGT_validated) {
        pg->type_info = x + 1;
        return 0;
    } else if (x & PGT_partial) {
        pg->type_info = x & ~PGT_partial; /* the table's own count is ours now: resume */
        preempt_stats.resumed_tables++;
    } else {
        return -EBUSY; /* being (de)validated further up this very call chain */
    }
    unsigned int level = pt_type_level(type);
    if (level || type == PGT_seg_desc_page) {
        int rc = level ? validate_table(pg, level, preemptible) : validate_descriptor_page(pg);
        if (rc == -ERESTART)
            return left_partial(pg);
        if (rc) {
            pg->type_info = 0;
            /* An L1 below failed for a put-off flush: stop, this frame free (above). */
            return preemptible && retype_flush_deferred(pg) ? -ERESTART : rc;
        }
    }
    pg->type_info |= PGT_validated;
    return 0;
}

int get_page_type(struct page_info *pg, uint64_t type)
{
    return take_type_ref(pg, type, false);
}

int get_page_type_preemptible(struct page_info *pg, uint64_t type)
{
    return take_type_ref(pg, type, true);
}

/* The caller holds a working table's only type reference: finish tearing it down. */
static int finish_devalidation(struct page_info *pg, bool preemptible)
{
    uint64_t type = page_type(pg);
    int rc = devalidate_table(pg, pt_type_level(type), preemptible);
    if (rc == -ERESTART)
        return left_partial(pg);
    type_released(pg, type); /* count 0, free */
    return 0;
}

static int drop_type_ref(struct page_info *pg, bool preemptible)
{
    uint64_t x = pg->type_info;
    BUG_ON((x & PGT_count_mask) == 0);
    BUG_ON(x & PGT_partial); /* nobody but the table itself holds a partial table's count */
    if ((x & PGT_count_mask) > 1) {
        pg->type_info = x - 1;
        return 0;
    }
    if (!pt_type_level(x & PGT_type_mask) || !(x & PGT_validated)) {
        type_released(pg, x & PGT_type_mask);
        return 0;
    }
    /* The last reference to a validated table: tear it down from the top entry. */
    pg->type_info = x & ~PGT_validated; /* working, count 1 */
    pg->nr_validated = PT_ENTRIES;
    pg->partial_child = 0;
    return finish_devalidation(pg, preemptible);
}

void put_page_type(struct page_info *pg)
{
    (void)drop_type_ref(pg, false);
}

int put_page_type_preemptible(struct page_info *pg)
{
    return drop_type_ref(pg, true);
}

int finish_partial_teardown(struct page_info *pg, bool preemptible)
{
    if (!(pg->type_info & PGT_partial))
        return 0; /* someone picked it up since; only the general reference is ours */
    BUG_ON(page_type_count(pg) != 1);
    pg->type_info &= ~PGT_partial;
    preempt_stats.resumed_tables++;
    return finish_devalidation(pg, preemptible);
}

static int take_page_and_type(mfn_t mfn, const struct domain *d, uint64_t type, bool preemptible)
{
    if (mfn >= max_mfn)
        return -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    if (!get_page(pg, d))
        return -EINVAL;
    int rc = take_type_ref(pg, type, preemptible);
    if (rc)
        put_page(pg); /* on -ERESTART too: the partial table holds its own type count */
    return rc;
}

int get_page_and_type(mfn_t mfn, const struct domain *d, uint64_t type)
{
    return take_page_and_type(mfn, d, type, false);
}

int get_page_and_type_preemptible(mfn_t mfn, const struct domain *d, uint64_t type)
{
    return take_page_and_type(mfn, d, type, true);
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/* ---- one entry ---- */

static int check_flags(pte_t e, unsigned int level, const struct domain *d)
{
    pte_t bad;
    if (level == 1)
        bad = d->is_privileged ? L1_DISALLOW_PRIV : L1_DISALLOW_UNPRIV;
    else
        bad = LN_DISALLOW;
    return (e & bad) ? -EINVAL : 0;
}

/*
 * A frame that is not RAM (beyond the frame table, or in a firmware hole): I/O memory,
 * which L1 entries may map without references where pv/iomem.c permits it.
 */
static bool is_mmio(mfn_t mfn)
{
    if (mfn >= max_mfn)
        return true;
    return page_state(mfn_to_page(mfn)) == PGC_state_reserv && !page_get_owner(mfn_to_page(mfn)) &&
           !mfn_is_ram(mfn);
}

/*
 * A read-only entry may point at a table of its own level ("linear page
 * table"), as Xen allows: the target must already be a validated table of
 * that level, and gets a type reference without being validated again; an
 * entry pointing at its own table takes no reference at all.
 */
static int get_linear_refs(pte_t e, unsigned int level, mfn_t self, const struct domain *d)
{
    mfn_t mfn = pte_mfn(e);
    if (e & _PAGE_RW)
        return -EINVAL;
    if (mfn == self)
        return 0;
    struct page_info *pg = mfn_to_page(mfn), *tab = mfn_to_page(self);
    /* One level only: the target holds no linear entries, the table is no linear target. */
    if (pg->linear_entries || tab->linear_uses || tab->linear_entries == UINT16_MAX ||
        pg->linear_uses == UINT16_MAX)
        return -EINVAL;
    if (page_type(pg) != pt_level_type(level) || !page_type_count(pg) || !page_type_validated(pg) ||
        page_type_count(pg) >= PGT_count_mask - 1 || !get_page(pg, d))
        return -EINVAL;
    pg->type_info++;
    pg->linear_uses++;
    tab->linear_entries++;
    return 0;
}

/*
 * An L1 entry of the table `self` took (+1) or dropped (-1) its references on another
 * domain's frame (a privileged domain's foreign mapping). Its owner's count says whether
 * dropping what its tables hold can reach other domains' frames (asm/pv/mm.h). Foreign
 * mappings come and go only under the global memory lock: a domain whose count is not 0
 * tears tables down under it, and its L1 changes that drop one ask for it.
 */
static void count_foreign_ref(mfn_t self, long delta)
{
    ASSERT(mm_locked_global());
    struct domain *d = page_get_owner(mfn_to_page(self));
    BUG_ON(delta < 0 && !d->foreign_refs);
    d->foreign_refs += delta;
}

/* How an entry's references are taken or released. */
#define ENT_PREEMPTIBLE 1u /* a child table's (de)validation may stop with -ERESTART */
#define ENT_PARTIAL     2u /* the entry is a partial_child: it holds only a general reference */

/*
 * Take the references a present entry of the table `self` needs. fd is the owner
 * allowed for the frames an L1 entry maps (d itself, or a foreign domain for
 * privileged callers). -ERESTART: the child table was left partial and the
 * general reference on it is kept (the caller records or drops it).
 */
static int get_entry_refs(pte_t e, unsigned int level, mfn_t self, const struct domain *d,
                          const struct domain *fd, unsigned int flags)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    int rc = check_flags(e, level, d);
    if (rc)
        return rc;
    mfn_t mfn = pte_mfn(e);
    if (level > 1) {
        if (mfn >= max_mfn)
            return -EINVAL;
        struct page_info *pg = mfn_to_page(mfn);
        bool partial = flags & ENT_PARTIAL;
        /* A live table of the entry's own level: a linear mapping. A stale type at
         * count 0 is not: the frame may become the next level down. */
        if (!partial &&
            (mfn == self || (page_type(pg) == pt_level_type(level) && page_type_count(pg))))
            return get_linear_refs(e, level, self, d);
        if (!partial && !get_page(pg, d))
            return -EINVAL;
        rc = take_type_ref(pg, pt_level_type(level - 1), flags & ENT_PREEMPTIBLE);
        if (rc && rc != -ERESTART)
            put_page(pg);
        return rc;
    }
    if (is_mmio(mfn)) { /* both the table's owner and the foreign domain need the right */
        rc = iomem_permitted(fd, mfn);
        return rc ? rc : iomem_permitted(d, mfn);
    }
    struct page_info *pg = mfn_to_page(mfn);
    const struct domain *owner = page_get_owner(pg);
    if ((owner != d && owner != fd) || !get_page(pg, owner))
        return -EBUSY; /* Xen's answer for frames the domain may not map */
    if (e & _PAGE_RW) {
        rc = get_page_type(pg, PGT_writable_page);
        if (rc) {
            put_page(pg);
            return -EBUSY; /* a page table or descriptor page: never writable */
        }
    }
    if (owner != d) /* d: the table's owner, as for put_entry_refs */
        count_foreign_ref(self, 1);
    return 0;
}

/* Release what a present entry of d's table self holds. -ERESTART: the child table was
 * left partial and the general reference on it is still held (the caller records it). */
static int put_entry_refs(pte_t e, unsigned int level, mfn_t self, const struct domain *d,
                          unsigned int flags)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    mfn_t mfn = pte_mfn(e);
    if (level == 1 && (is_mmio(mfn) || (e & PTE_GRANT_MAPPING)))
        return 0; /* MMIO holds nothing; a grant entry's references belong to its maptrack entry */
    if (level > 1 && mfn == self)
        return 0; /* self-referencing linear entry: took nothing */
    struct page_info *pg = mfn_to_page(mfn);
    if (flags & ENT_PARTIAL) {
        int rc = finish_partial_teardown(pg, flags & ENT_PREEMPTIBLE);
        if (rc)
            return rc;
        put_page(pg);
        return 0;
    }
    if (level > 1 && page_type(pg) == pt_level_type(level)) {
        /* A linear entry: the target's type cannot have changed while we referenced it. */
        pg->linear_uses--;
        mfn_to_page(self)->linear_entries--;
    }
    if (level > 1 || (e & _PAGE_RW)) {
        int rc = drop_type_ref(pg, flags & ENT_PREEMPTIBLE);
        if (rc)
            return rc;
    }
    if (level == 1 && page_get_owner(pg) != d)
        count_foreign_ref(self, -1);
    put_page(pg);
    return 0;
}

/* Hardware needs U on every level for ring-3 access; guests see it when reading back. An I/O
 * frame's entry as pv/iomem.c has it (read-only frames, uncacheable). */
static pte_t adjust_entry(pte_t e, unsigned int level)
{
    if (!(e & _PAGE_PRESENT))
        return e;
    if (level == 1 && is_mmio(pte_mfn(e)))
        e = iomem_adjust_l1e(e);
    e |= _PAGE_USER;
    if (level == 4)
        e |= _PAGE_ACCESSED;
    return e;
}

static bool is_hv_slot(unsigned int level, unsigned int i)
{
    return level == 4 && i >= HV_SLOT_FIRST && i <= HV_SLOT_LAST;
}

/* Stop before a present entry? Only in a table above L1 (an L1 is cheap), and only once
 * this call has done some of it, so that every call makes progress. */
static bool stop_here(bool preemptible, unsigned int level, bool progress)
{
    return preemptible && level > 1 && progress && hypercall_preempt_check();
}

/* Take the references of entries [nr_validated, 512) (see the notes at the top). */
static int validate_table(struct page_info *pg, unsigned int level, bool preemptible)
{
    pte_t *t = mfn_to_virt(page_to_mfn(pg));
    const struct domain *d = page_get_owner(pg);
    mfn_t self = page_to_mfn(pg);
    unsigned int flags = preemptible ? ENT_PREEMPTIBLE : 0;
    unsigned int i = pg->nr_validated, start = i;
    bool partial = pg->partial_child;
    int rc = 0;

    pg->partial_child = 0;
    for (; i < PT_ENTRIES; i++) {
        if (is_hv_slot(level, i))
            continue;
        if ((t[i] & _PAGE_PRESENT) && stop_here(preemptible, level, i > start)) {
            pg->nr_validated = (uint16_t)i;
            return -ERESTART;
        }
        rc = get_entry_refs(t[i], level, self, d, d, flags | (partial ? ENT_PARTIAL : 0));
        partial = false;
        if (rc == -ERESTART) {
            pg->nr_validated = (uint16_t)i;
            pg->partial_child = 1;
            return rc;
        }
        if (rc)
            break;
        t[i] = adjust_entry(t[i], level);
    }
    pg->nr_validated = 0;
    if (rc) {
        if (!retype_flush_deferred(pg)) /* a put-off flush is no refusal: it runs again */
            log_printf(LOG_DEBUG, "d%u: L%u table %#lx: entry %u (%#lx) refused (%d)",
                       d ? d->domain_id : 0xffff, level, (unsigned long)self, i,
                       (unsigned long)t[i], rc);
        while (i-- > 0)
            if (!is_hv_slot(level, i))
                (void)put_entry_refs(t[i], level, self, d, 0);
        return rc;
    }
    if (level == 4)
        init_guest_l4_slots(t);
    return 0;
}

/* Release the references of entries [0, nr_validated) and of a partial child, top down. */
static int devalidate_table(struct page_info *pg, unsigned int level, bool preemptible)
{
    pte_t *t = mfn_to_virt(page_to_mfn(pg));
    const struct domain *d = page_get_owner(pg);
    mfn_t self = page_to_mfn(pg);
    unsigned int flags = preemptible ? ENT_PREEMPTIBLE : 0;
    unsigned int i = pg->nr_validated;
    bool progress = false;

    if (level == 1) { /* nothing below to stop in: the plain loop (hot in unpin) */
        while (i-- > 0)
            (void)put_entry_refs(t[i], 1, self, d, 0);
        pg->nr_validated = 0;
        return 0;
    }
    if (pg->partial_child) {
        int rc = put_entry_refs(t[i], level, self, d, flags | ENT_PARTIAL);
        if (rc)
            return rc; /* still partial_child at i */
        pg->partial_child = 0;
        progress = true;
    }
    while (i-- > 0) {
        if (is_hv_slot(level, i))
            continue;
        if ((t[i] & _PAGE_PRESENT) && stop_here(preemptible, level, progress)) {
            pg->nr_validated = (uint16_t)(i + 1);
            return -ERESTART;
        }
        int rc = put_entry_refs(t[i], level, self, d, flags);
        if (rc) {
            pg->nr_validated = (uint16_t)i;
            pg->partial_child = 1;
            return rc;
        }
        progress = true;
    }
    pg->nr_validated = 0;
    return 0;
}

void pt_put_l1_entry_refs(pte_t e, mfn_t table)
{
    (void)put_entry_refs(e, 1, table, page_get_owner(mfn_to_page(table)), 0);
}

/* A live grant mapping: only unmap_grant_ref may change or remove it (Xen crashes a
 * guest that removes one implicitly; we refuse the update instead). */
static bool is_grant_entry(pte_t e, unsigned int level)
{
    return level == 1 && (e & _PAGE_PRESENT) && (e & PTE_GRANT_MAPPING);
}

static int change_entry(pte_t *slot, unsigned int level, pte_t new, const struct domain *d,
                        const struct domain *fd, bool preserve_ad, struct page_info **deferred)
{
    unsigned int index = (unsigned int)(((uintptr_t)slot & (PAGE_SIZE - 1)) / sizeof(pte_t));
    unsigned int flags = deferred ? ENT_PREEMPTIBLE : 0;
    if (is_hv_slot(level, index))
        return -EINVAL;
    mfn_t self = virt_to_mfn(slot);
    pte_t old = *slot;
    if (is_grant_entry(old, level))
        return -EINVAL;
    if (preserve_ad)
        new |= old &(_PAGE_ACCESSED | _PAGE_DIRTY);
    /* Same frame, same permissions that matter: no reference changes needed. */
    if ((old & _PAGE_PRESENT) && (new &_PAGE_PRESENT) && pte_mfn(old) == pte_mfn(new) &&
        ((old ^ new) & _PAGE_RW) == 0) {
        int rc = check_flags(new, level, d);
        if (rc)
            return rc;
        __atomic_store_n(slot, adjust_entry(new, level), __ATOMIC_RELEASE);
        return 0;
    }
    int rc = get_entry_refs(new, level, self, d, fd, flags);
    if (rc == -ERESTART)
        put_page(mfn_to_page(pte_mfn(new))); /* the child stays partial; the retry resumes it */
    if (rc)
        return rc;
    pte_t prev = __atomic_exchange_n(slot, adjust_entry(new, level), __ATOMIC_ACQ_REL);
    if (put_entry_refs(prev, level, self, d, flags) == -ERESTART)
        *deferred = mfn_to_page(pte_mfn(prev)); /* its teardown goes on later */
    return 0;
}

int mod_pt_entry(pte_t *slot, unsigned int level, pte_t new, const struct domain *d,
                 const struct domain *fd, bool preserve_ad)
{
    return change_entry(slot, level, new, d, fd, preserve_ad, NULL);
}

int mod_pt_entry_preemptible(pte_t *slot, unsigned int level, pte_t new, const struct domain *d,
                             const struct domain *fd, bool preserve_ad, struct page_info **deferred)
{
    return change_entry(slot, level, new, d, fd, preserve_ad, deferred);
}

bool pt_entry_is_own(pte_t old, const struct domain *d)
{
    if (!(old & _PAGE_PRESENT) || is_grant_entry(old, 1) || is_mmio(pte_mfn(old)))
        return true; /* no references, or none mod_pt_entry drops */
    return page_get_owner(mfn_to_page(pte_mfn(old))) == d;
}

/*
 * As mod_pt_entry, but install only if the slot still holds `old`.
 * Returns 0, a negative error, or 1 when the slot changed (caller retries).
 */
int mod_pt_entry_cmpxchg(pte_t *slot, unsigned int level, pte_t old, pte_t new,
                         const struct domain *d)
{
    mfn_t self = virt_to_mfn(slot);
    if (is_grant_entry(old, level))
        return -EINVAL;
    int rc = get_entry_refs(new, level, self, d, d, 0);
    if (rc)
        return rc;
    pte_t expected = old;
    if (!__atomic_compare_exchange_n(slot, &expected, adjust_entry(new, level), false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        (void)put_entry_refs(new, level, self, d, 0);
        return 1;
    }
    (void)put_entry_refs(old, level, self, d, 0);
    return 0;
}
