/* SPDX-License-Identifier: GPL-2.0-only */
/* Direct paging for PV guests: page types, reference counts, validated updates. */
#ifndef LAMINA_HV_PV_MM_H
#define LAMINA_HV_PV_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/domain.h>
#include <asm/frame.h>
#include <asm/page.h>
#include <hv/spinlock.h>

/*
 * mm_lock, one lock for the whole machine, covers: every frame's owner, type
 * and counts (count_info, type_info and the partial-table fields), every write
 * to a guest page table, the vCPUs' frame references (guest_table*,
 * old_guest_table, GDT frames, a registered vcpu_info), every grant table and
 * maptrack and the references its mappings hold, and domain_list[] entries
 * read without a reference (the reaper unlists under it). Taken with
 * interrupts on; a TLB flush may be sent while holding it. Lock order:
 * reap_lock (trylock only), mm_lock, then d->lock. Why it is not split per
 * domain: docs/architecture.md, "Locking and SMP".
 */
extern spinlock_t mm_lock;

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

/* Same, but only if the slot still holds old: 0, -errno, or 1 if it changed. */
int mod_pt_entry_cmpxchg(pte_t *slot, unsigned int level, pte_t old, pte_t new,
                         const struct domain *d);

/* The L1 slot mapping va in the vCPU's kernel page tables (no superpages), or NULL when the
 * walk does not end in a validated L1 table of the vCPU's domain (caller holds mm_lock). */
pte_t *guest_l1_slot(const struct vcpu *v, uint64_t va);
/* Drop the references v's GDT frames hold (caller holds mm_lock). */
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
