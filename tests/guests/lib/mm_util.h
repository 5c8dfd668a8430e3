/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-table helpers for the PV-memory test kernels (tests/guests/mm-*).
 *
 * A test kernel runs on the builder's bootstrap tables: one contiguous region
 * at 0xffffffff80000000 maps PFN n at VIRT_BASE + n * 4 KiB, page tables
 * included (read-only). Everything here relies on that: a table frame is read
 * through its region address (found via the M2P), and fresh pages come from
 * the unused tail of the region, so each one has exactly one mapping, which
 * mm_page_set_ro/rw flip with update_va_mapping before and after it serves as
 * a page table.
 */
#ifndef LAM_GUEST_MM_UTIL_H
#define LAM_GUEST_MM_UTIL_H

#include <stdint.h>

#include <lamina/errno.h>
#include <lamina/memory_layout.h>
#include <lamina/mmu.h>

#include "lam.h"

#define MM_VIRT_BASE 0xffffffff80000000UL
#define MM_PTE_FLAGS (LAM_PTE_PRESENT | LAM_PTE_RW | LAM_PTE_ACCESSED | LAM_PTE_DIRTY)
#define MM_PTE_RO    (LAM_PTE_PRESENT | LAM_PTE_ACCESSED)

/* Find the region and the free pages; call first. */
void mm_init(void);

/* Machine frame of the current kernel L4 (tracked: NEW_BASEPTR goes through mm_new_baseptr). */
extern uint64_t mm_cur_l4_mfn;
/* PFNs [0, mm_region_pfns) are mapped in the region. */
extern uint64_t mm_region_pfns;

uint64_t mm_pfn_to_mfn(uint64_t pfn);
uint64_t mm_m2p(uint64_t mfn);         /* reads the read-only M2P */
uint64_t mm_va_to_mfn(const void *va); /* region addresses only */
uint64_t mm_va_to_ma(const void *va);
int mm_mfn_is_ours(uint64_t mfn); /* p2m and M2P agree on it */
/* Region address of a frame of ours, or NULL if it is not in the region. */
void *mm_mfn_to_va(uint64_t mfn);

/* Slot index of va at level (1..4). */
static inline unsigned mm_slot(uint64_t va, int level)
{
    return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}
/* Canonical address of L4 slot l4, L3 slot l3, L2 slot l2, L1 slot l1. */
uint64_t mm_make_va(unsigned l4, unsigned l3, unsigned l2, unsigned l1);

/*
 * Machine address of the level-N entry that maps va in the current tables,
 * or 0 when a higher-level entry is absent (or its table is not readable).
 */
uint64_t mm_entry_ma(uint64_t va, int level);
/* The entry at machine address ma (a table frame in the region). */
uint64_t mm_read_entry_ma(uint64_t ma);

/* A zeroed page of the region, mapped RW; NULL when none are left. */
void *mm_alloc_page(void);
/* A PFN of ours that no page table maps (above the region); 0 if none. */
uint64_t mm_alloc_unmapped_pfn(void);

/* update_va_mapping of a region page to its own frame, read-only / writable. */
long mm_page_set_ro(void *page);
long mm_page_set_rw(void *page);

/* Single-entry wrappers. */
long mm_update(uint64_t ptr, uint64_t val);
long mm_update_dom(uint64_t ptr, uint64_t val, unsigned foreigndom);
long mm_ext(unsigned cmd, uint64_t arg1);
long mm_ext2(unsigned cmd, uint64_t arg1, uint64_t arg2);
long mm_new_baseptr(uint64_t mfn); /* tracks mm_cur_l4_mfn on success */

/* Checks: print one line each; a mismatch is a FAILURE naming the check. */
void mm_expect_rc(const char *what, long got, long want);
void mm_expect_err(const char *what, long got); /* any negative value */
void mm_expect(int cond, const char *what);

/*
 * Three fresh tables hung below L4 slot `slot` of the current L4: L3 -> L2 ->
 * L1, all zero but the chain, so va = mm_make_va(slot, 0, 0, i) is mapped by
 * l1 entry i. mm_tree_build returns 0 or the first failing rc;
 * mm_tree_destroy clears the L4 slot and makes the pages RW again.
 */
struct mm_tree {
    unsigned slot;
    uint64_t *l3, *l2, *l1;
    uint64_t base; /* mm_make_va(slot, 0, 0, 0) */
};
long mm_tree_build(struct mm_tree *t, unsigned slot);
long mm_tree_destroy(struct mm_tree *t);
/* Machine address of entry i of a tree table. */
uint64_t mm_tab_ma(const uint64_t *table, unsigned i);

/* Read / write one quadword, reporting a fault instead of panicking: 0 ok, -1 fault. */
int mm_try_read(const volatile uint64_t *p, uint64_t *out);
int mm_try_write(volatile uint64_t *p, uint64_t val);

#endif /* LAM_GUEST_MM_UTIL_H */
