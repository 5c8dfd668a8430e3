/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypervisor mappings of chosen frames at chosen addresses (arch/x86/vmap.c). */
#ifndef LAMINA_HV_VMAP_H
#define LAMINA_HV_VMAP_H

#include <stdint.h>
#include <asm/frame.h>
#include <asm/page.h>

int hv_map_page(uint64_t va, mfn_t mfn, pte_t leaf_flags, pte_t table_flags);
void hv_unmap_page(uint64_t va);
/* Map n frames at consecutive addresses; NULL if the window is full. */
void *vmap(const mfn_t *mfns, uint64_t n);
/* Map the n device frames from first, uncacheable (PCD|PWT); vunmap undoes it. */
void *vmap_io(mfn_t first, uint64_t n);
void vunmap(void *addr, uint64_t n);

#endif
