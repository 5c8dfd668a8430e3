/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The new domain's boot region as the builder maps it: only the pages it writes.
 *
 * Fresh frames come zeroed from both hypervisors (Lamina clears or idle-scrubs them
 * before handing them out, Xen scrubs what a domain frees), so a page that is to hold
 * only zeros needs no mapping. In a PV dom0 each mapped page costs an entry of an
 * mmu_update hypercall and each unmapped one a trapped page-table write, which made the
 * mapping the largest part of a create: Debian's kernel spans 19800 pages of a 128 MiB
 * guest, of which 16 MiB below the kernel and half the kernel's own pages (bss, brk,
 * zero-filled data) are zeros. The builder marks what it will write (region_want*),
 * maps those pages in runs (region_map), and reaches them through region_page, which is
 * NULL for a page left unmapped.
 */
#ifndef LAMINA_DOMBUILD_REGION_H
#define LAMINA_DOMBUILD_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"

#define REGION_WANT   1u /* flags[pfn]: the build writes it */
#define REGION_MAPPED 2u /* ... and it is mapped at base + pfn * 4096 */

struct region {
    uint8_t *base;   /* pfn p at base + p * 4096 (an address space reservation) */
    uint64_t nr;     /* pfns [0, nr) */
    uint8_t *flags;  /* per pfn: REGION_WANT, REGION_MAPPED */
    uint64_t mapped; /* pages mapped */
    unsigned runs;   /* privcmd mappings made */
};

int region_init(struct region *r, uint64_t nr);
/* Release the mappings and the bookkeeping (safe on a zeroed or released region). */
void region_free(struct region *r);
/* Mark pfns [pfn, pfn + n) to be mapped. */
void region_want_pages(struct region *r, uint64_t pfn, uint64_t n);
/* Mark the pages of len bytes at pseudo-physical address pa. */
void region_want_bytes(struct region *r, uint64_t pa, uint64_t len);
/*
 * Where the bytes of a kernel segment (len bytes of src, or of the file fd from offset off,
 * going to pseudo-physical address pa) are not all zero: the file's data extents
 * (SEEK_DATA/SEEK_HOLE: a cached kernel is stored sparse), the memory's non-zero pages.
 * With copy false the pages are marked wanted; with copy true the data is copied into
 * them (they must be mapped). 0 or -errno.
 */
int region_segment_file(struct region *r, int fd, uint64_t off, uint64_t len, uint64_t pa,
                        bool copy);
int region_segment_mem(struct region *r, const uint8_t *src, uint64_t len, uint64_t pa, bool copy);
/* Map every wanted page (runs of them, short gaps included) of domain dom. */
int region_map(struct region *r, struct hv *hv, uint16_t dom, const uint64_t *p2m);
/* The mapped page pfn, or NULL. */
void *region_page(const struct region *r, uint64_t pfn);
/* Whether len bytes at p are all zero. */
bool region_all_zero(const uint8_t *p, size_t len);

#endif
