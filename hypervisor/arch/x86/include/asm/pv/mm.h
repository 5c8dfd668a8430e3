/* SPDX-License-Identifier: GPL-2.0-only */
/* Direct paging for PV guests: page types, reference counts, validated updates. */
#ifndef LAMINA_HV_PV_MM_H
#define LAMINA_HV_PV_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/domain.h>
#include <asm/frame.h>
#include <asm/page.h>
#include <asm/smp.h>
#include <hv/spinlock.h>

/*
 * The memory locks (pv/mm_lock.c). Together they cover: every frame's owner,
 * type and counts (count_info, type_info and the partial-table fields), every
 * write to a guest page table, the vCPUs' frame references (guest_table*,
 * old_guest_table, GDT frames, a registered vcpu_info), every grant table and
 * maptrack and the references its mappings hold, and domain_list[] entries
 * read without a reference (the reaper unlists under the global one).
 *
 *  - d->mm_local_lock, a domain's own: for an operation that touches the
 *    frames, tables and vCPUs of d alone. Other domains' frames it may only
 *    look at to refuse them (an owner check), never count or type.
 *  - mm_lock, the global one (mm_lock_global): excludes every domain's lock
 *    as well; for anything that may touch two domains' frames: grant
 *    operations, foreign mappings and whatever may drop them (while a
 *    privileged domain's tables map other domains' frames, d->foreign_refs,
 *    its table teardowns and L2-L4 changes), reservations, building,
 *    destruction, the audit.
 *
 * Taken with interrupts on. Lock order: reap_lock (trylock only), one of the
 * two, then d->lock; never both, never two domains' locks.
 *
 * An operation runs under a hold, which also makes the TLB flush a retype
 * needs wait until the lock is dropped (a flush waits for other CPUs to answer
 * an IPI; nobody should wait behind that):
 *
 *     struct mm_hold h = MM_HOLD_FOR(d);    // or MM_HOLD_DOMAIN(d), MM_HOLD_GLOBAL
 *     do {
 *         mm_hold_begin(&h);
 *         rc = op(...);      // fails, or -ERESTART, when a retype needs a flush;
 *                            // -EMMGLOBAL when a domain's lock is not enough
 *     } while (mm_hold_end(&h, rc));   // flushes with the lock dropped: true = again
 *
 * op must leave nothing behind when it fails (the rule for every error path) and
 * may be run again after -ERESTART (the rule for preemption); one that succeeded
 * all the same (it took another way) is not run again. Under a plain
 * mm_lock_global() a retype still flushes while holding it, as after the last
 * attempt of a hold.
 */
extern spinlock_t mm_lock;
void mm_lock_global(void);
bool mm_trylock_global(void);
void mm_unlock_global(void);
/* Does this CPU hold the global lock (or, below, d's or the global)? */
bool mm_locked_global(void);
static inline bool mm_locked_for(const struct domain *d)
{
    return spin_is_locked_by_me(&d->mm_local_lock) || mm_locked_global();
}
#define ASSERT_MM_LOCKED(d) ASSERT(mm_locked_for(d))

struct mm_hold {
    struct domain *d; /* whose lock; NULL: the global one */
    bool tears_down;  /* may drop what d's tables hold: d's lock only without foreign_refs */
    unsigned int attempt;
};
#define MM_HOLD_DOMAIN(dom) ((struct mm_hold){.d = (dom)})
#define MM_HOLD_GLOBAL      ((struct mm_hold){.d = NULL})
/* An operation that may tear d's tables down (unpin, base pointers, a pin's unwinding): d's
 * lock while its tables map no other domain's frames (d->foreign_refs), else the global. */
#define MM_HOLD_FOR(dom) ((struct mm_hold){.d = (dom), .tears_down = true})
void mm_hold_begin(struct mm_hold *h);
bool mm_hold_end(struct mm_hold *h, long rc);
/* For several operations under one hold (a batch): after each, true when it must run again
 * (the hold was dropped for the flush, or became global, and was taken again). */
bool mm_hold_again(struct mm_hold *h, long rc);
#define MM_DEFER_ATTEMPTS 4
/* Internal answers, never seen by a guest (the operation runs again): a non-preemptible
 * retype put its flush off; an operation under a domain's lock needs the global one. */
#define ERETYPEFLUSH 4095
#define EMMGLOBAL    4094

/* The retype flushes put off during a hold (pv/pagetype.c): the held domain lock's
 * (d->retype_flush) or the global lock's. Begin after taking the lock (allowed: may they
 * be put off at all), end before dropping it. */
extern struct mm_retype_flush global_retype_flush;
static inline void retype_flush_begin(struct mm_retype_flush *rf, bool allowed)
{
    rf->allowed = allowed;
    rf->cpus = 0;
}
static inline cpumask_t retype_flush_end(struct mm_retype_flush *rf)
{
    cpumask_t cpus = rf->cpus;
    rf->allowed = false;
    rf->cpus = 0;
    return cpus;
}

/* General reference: the frame must belong to d. */
bool get_page(struct page_info *pg, const struct domain *d);
void put_page(struct page_info *pg);
/* Type reference of `type` (PGT_*), validating the frame on first use as a table. */
int get_page_type(struct page_info *pg, uint64_t type);
void put_page_type(struct page_info *pg);
int get_page_and_type(mfn_t mfn, const struct domain *d, uint64_t type);
void put_page_and_type(struct page_info *pg);

/*
 * Preemptible forms (pv/pagetype.c, "Preemption"): they may stop a table's
 * validation or teardown and return -ERESTART, leaving the table partial.
 * get_page_and_type_preemptible() then holds nothing (retrying resumes the
 * table); put_page_type_preemptible() leaves the caller's general reference
 * held, to be passed to finish_partial_teardown() later and then put.
 */
int get_page_type_preemptible(struct page_info *pg, uint64_t type);
int get_page_and_type_preemptible(mfn_t mfn, const struct domain *d, uint64_t type);
int put_page_type_preemptible(struct page_info *pg);
/* Go on tearing down a partial table (0 when done, or if it is no longer partial). */
int finish_partial_teardown(struct page_info *pg, bool preemptible);

/* Validated change of one entry of a table of the given level (1-4) at slot. */
int mod_pt_entry(pte_t *slot, unsigned int level, pte_t new, const struct domain *d,
                 const struct domain *fd, bool preserve_ad);

/* Same, preemptible: -ERESTART when validating the new entry's table stopped (retry the
 * update); when tearing down the old entry's table stopped, the update is done and
 * *deferred gets that table (with a general reference) to finish later. */
int mod_pt_entry_preemptible(pte_t *slot, unsigned int level, pte_t new, const struct domain *d,
                             const struct domain *fd, bool preserve_ad,
                             struct page_info **deferred);

/*
 * May replacing old (an entry of a level-`level` table of d, new entries' frames from fd)
 * run under d's own memory lock? Only if every reference it may take or drop is on d's
 * frames: a new entry of fd == d names only d's (others are refused before anything is
 * counted), and old must be d's, or hold nothing (absent, I/O, a grant mapping, which
 * mod_pt_entry refuses). Above L1, old's teardown may reach any frame its tables map:
 * other domains' only in a privileged domain's.
 */
bool pt_entry_is_own(pte_t old, const struct domain *d);
static inline bool pt_change_is_local(pte_t old, unsigned int level, const struct domain *d,
                                      const struct domain *fd)
{
    /* Without foreign_refs none of d's tables maps another domain's frame. */
    return fd == d && (!d->foreign_refs || (level == 1 && pt_entry_is_own(old, d)));
}

/* Same, but only if the slot still holds old: 0, -errno, or 1 if it changed. */
int mod_pt_entry_cmpxchg(pte_t *slot, unsigned int level, pte_t old, pte_t new,
                         const struct domain *d);

/* The L1 slot mapping va in the vCPU's kernel page tables (no superpages), or NULL when the
 * walk does not end in a validated L1 table of the vCPU's domain (caller holds a memory lock
 * for it). */
pte_t *guest_l1_slot(const struct vcpu *v, uint64_t va);
/* Drop the references v's GDT frames hold (caller holds a memory lock for v's domain). */
void pv_vcpu_release_gdt(struct vcpu *v);
/* MOV to CR3 by the guest kernel: 0, -ERESTART (run it again) or an error (#GP). */
int pv_write_cr3(struct vcpu *v, uint64_t val);

/* Which PGT_* type a table of this level has. */
uint64_t pt_level_type(unsigned int level);
/* Level of a page-table type, 0 if not a table. */
unsigned int pt_type_level(uint64_t type);

/* Machine-to-phys table. */
uint64_t m2p_get(mfn_t mfn);
uint64_t m2p_virt_end(void);
void m2p_init(void);
void m2p_set(mfn_t mfn, uint64_t pfn);
#define M2P_INVALID (~0ull)

/* Install the hypervisor's slots (256-271) into a guest L4 page. */
void init_guest_l4_slots(pte_t *l4);

/* Walk every frame and check that its counts match what references it. Returns errors found. */
unsigned long audit_domain_frames(const struct domain *d, bool verbose);

#endif
