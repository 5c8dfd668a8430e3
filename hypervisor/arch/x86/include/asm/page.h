/* SPDX-License-Identifier: GPL-2.0-only */
/* x86-64 page-table entry bits and helpers. */
#ifndef LAMINA_HV_PAGE_H
#define LAMINA_HV_PAGE_H

#include <stdint.h>

typedef uint64_t pte_t;

#define _PAGE_PRESENT     (1ull << 0)
#define _PAGE_RW          (1ull << 1)
#define _PAGE_USER        (1ull << 2)
#define _PAGE_PWT         (1ull << 3)
#define _PAGE_PCD         (1ull << 4)
#define _PAGE_ACCESSED    (1ull << 5)
#define _PAGE_DIRTY       (1ull << 6)
#define _PAGE_PSE         (1ull << 7) /* superpage at L2/L3; PAT at L1 */
#define _PAGE_PAT         (1ull << 7)
#define _PAGE_GLOBAL      (1ull << 8)
#define _PAGE_AVAIL_SHIFT 9
#define _PAGE_AVAIL       (7ull << _PAGE_AVAIL_SHIFT) /* bits 9-11: for software */
#define _PAGE_NX          (1ull << 63)

#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define L1_SHIFT   12
#define L2_SHIFT   21
#define L3_SHIFT   30
#define L4_SHIFT   39
#define PT_ENTRIES 512

static inline unsigned int pt_index(uint64_t va, unsigned int level)
{
    return (unsigned int)(va >> (12 + 9 * (level - 1))) & 0x1ff;
}

static inline uint64_t pte_mfn(pte_t e)
{
    return (e & PTE_ADDR_MASK) >> 12;
}

#endif
