/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One struct page_info per machine frame (the frame table).
 *
 * count_info (who holds the frame, and how many references it has):
 *
 *   bit  63     PGC_allocated   the owner holds its allocation reference
 *                               (set when a domain is given the page)
 *   bit  62     PGC_buddy_head  first frame of a free buddy block; `order`
 *                               is the block's order
 *   bits 61-60  PGC_state       heap state: reserved (never handed to the
 *                               allocator: holes, the hypervisor image,
 *                               boot modules), inuse (allocated), free
 *                               (inside a block on a buddy free list)
 *   bit  59     PGC_xen_heap    a hypervisor allocation shared with its
 *                               owner (shared_info, grant-table frames): not
 *                               on the owner's page list nor in tot_pages;
 *                               freed with the domain, not when unreferenced;
 *                               typed writable for good (a type count of 1
 *                               nobody drops), never a table or GDT page
 *   bit  58     PGC_zeroed      the frame holds only zeros: set by the idle
 *                               scrubber on a free frame, cleared when the
 *                               frame is freed again or its new owner takes
 *                               the fact (page_take_zeroed); stale on a
 *                               frame allocated by anyone else, who ignore it
 *   bits 57-48  reserved, zero
 *   bits 47-0   PGC_count       general reference count
 *
 * type_info (what the frame may be used as; see get_page_type):
 *
 *   bits 63-61  PGT_type        none, L1..L4 page table, segment
 *                               descriptor page (GDT/LDT), writable
 *   bit  60     PGT_validated   contents checked for the current type
 *   bit  59     PGT_pinned      type reference held by a guest pin
 *   bit  58     PGT_partial     a table whose validation or devalidation
 *                               was preempted; its type count of 1 is
 *                               held by that unfinished work (pv/pagetype.c)
 *   bits 57-48  reserved, zero
 *   bits 47-0   PGT_count       type reference count
 *
 * A frame's type can only change while its type count is zero; that is
 * what keeps a page-table page from also being mapped writable.
 *
 * tlbflush_timestamp: the TLB-flush clock's value when the frame's last
 * mapping may have gone (type count down to 0, or freed to the heap); 0 when
 * no CPU can hold a translation of it. See arch/x86/flushtlb.c.
 */
#ifndef LAMINA_HV_FRAME_H
#define LAMINA_HV_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/list.h>

typedef uint64_t mfn_t;
#define INVALID_MFN (~(mfn_t)0)

struct domain;

struct page_info {
    struct list_head list; /* buddy free list, or the owner's page list */
    struct domain *owner;
    uint64_t count_info;
    uint64_t type_info;
    uint8_t order;         /* buddy block order (free head, or allocated head) */
    uint8_t partial_child; /* see nr_validated (here: it packs with order) */
    /* Linear page tables (pv/pagetype.c): entries of this table pointing at a table of
     * its own level, and such entries elsewhere pointing at this table. At most one of
     * the two is non-zero, which keeps linear mappings to a single level (no chains or
     * loops that devalidation would recurse through). */
    uint16_t linear_entries;
    uint16_t linear_uses;
    /* Preemptible (de)validation of a table (pv/pagetype.c): entries [0, nr_validated)
     * hold their references; if partial_child, entry nr_validated holds a general
     * reference on a table whose own (de)validation was preempted. */
    uint16_t nr_validated;
    uint64_t tlbflush_timestamp; /* arch/x86/flushtlb.c */
};

#define PGC_allocated    (1ULL << 63)
#define PGC_buddy_head   (1ULL << 62)
#define PGC_state_shift  60
#define PGC_state_mask   (3ULL << PGC_state_shift)
#define PGC_state_reserv (0ULL << PGC_state_shift)
#define PGC_state_inuse  (1ULL << PGC_state_shift)
#define PGC_state_free   (2ULL << PGC_state_shift)
#define PGC_xen_heap     (1ULL << 59)
#define PGC_zeroed       (1ULL << 58)
#define PGC_count_mask   ((1ULL << 48) - 1)

#define PGT_type_shift    61
#define PGT_type_mask     (7ULL << PGT_type_shift)
#define PGT_none          (0ULL << PGT_type_shift)
#define PGT_l1_page_table (1ULL << PGT_type_shift)
#define PGT_l2_page_table (2ULL << PGT_type_shift)
#define PGT_l3_page_table (3ULL << PGT_type_shift)
#define PGT_l4_page_table (4ULL << PGT_type_shift)
#define PGT_seg_desc_page (5ULL << PGT_type_shift)
#define PGT_writable_page (7ULL << PGT_type_shift)
#define PGT_validated     (1ULL << 60)
#define PGT_pinned        (1ULL << 59)
#define PGT_partial       (1ULL << 58)
#define PGT_count_mask    ((1ULL << 48) - 1)

static inline uint64_t page_state(const struct page_info *pg)
{
    return pg->count_info & PGC_state_mask;
}

static inline void page_set_state(struct page_info *pg, uint64_t state)
{
    pg->count_info = (pg->count_info & ~PGC_state_mask) | (state & PGC_state_mask);
}

static inline bool page_is_free(const struct page_info *pg)
{
    return page_state(pg) == PGC_state_free;
}

static inline bool page_is_inuse(const struct page_info *pg)
{
    return page_state(pg) == PGC_state_inuse;
}

static inline uint64_t page_count(const struct page_info *pg)
{
    return pg->count_info & PGC_count_mask;
}

static inline uint64_t page_type(const struct page_info *pg)
{
    return pg->type_info & PGT_type_mask;
}

static inline uint64_t page_type_count(const struct page_info *pg)
{
    return pg->type_info & PGT_count_mask;
}

static inline bool page_type_validated(const struct page_info *pg)
{
    return (pg->type_info & PGT_validated) != 0;
}

static inline struct domain *page_get_owner(const struct page_info *pg)
{
    return pg->owner;
}

static inline void page_set_owner(struct page_info *pg, struct domain *d)
{
    pg->owner = d;
}

#endif
