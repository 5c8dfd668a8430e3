/* SPDX-License-Identifier: GPL-2.0-only */
/* Machine memory: the frame table, the page heap and the hypervisor's own mappings. */
#ifndef LAMINA_HV_MM_H
#define LAMINA_HV_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/frame.h>
#include <asm/memlayout.h>

extern struct page_info *frame_table;
extern mfn_t max_mfn; /* one past the highest machine frame with a descriptor */

void mm_init(void);
/* Frames from the heap; INVALID_MFN when none is left. */
mfn_t frames_alloc(unsigned int order);
void frames_free(mfn_t mfn, unsigned int order);
/* 2^order frames that will be freed one at a time with frames_free(mfn, 0). */
mfn_t frames_alloc_split(unsigned int order);
/* The same, wholly below frame limit (a DMA buffer below 4 GiB). */
mfn_t frames_alloc_split_below(unsigned int order, mfn_t limit);
/* Idle work: zero a few dirty free frames (buddy_scrub), with interrupts on or off. Off
 * with idle_scrub=0 on the command line (then every new domain frame is cleared when
 * handed out, as before). */
void frames_scrub_idle(void);
/* Whether free frames are left to scrub. */
bool frames_scrub_pending(void);
extern bool opt_idle_scrub;
/* Whether the frame, just allocated by the caller, was handed out zeroed (see buddy.h). */
bool frame_take_zeroed(mfn_t mfn);
/* The same, through the direct map; NULL when none is left. Zeroed variants clear the memory. */
void *pages_alloc(unsigned int order);
void *pages_zalloc(unsigned int order);
void pages_free(void *va, unsigned int order);
mfn_t heap_free_frames(void);
mfn_t heap_total_frames(void);

static inline struct page_info *mfn_to_page(mfn_t mfn)
{
    return &frame_table[mfn];
}
static inline mfn_t page_to_mfn(const struct page_info *pg)
{
    return (mfn_t)(pg - frame_table);
}
static inline void *mfn_to_virt(mfn_t mfn)
{
    return __va(mfn << PAGE_SHIFT);
}
static inline mfn_t virt_to_mfn(const void *va)
{
    return __pa(va) >> PAGE_SHIFT;
}
/* Physical address of any hypervisor virtual address (image or direct map). */
uint64_t hv_virt_to_phys(const void *va);

/* Is the frame inside a RAM range of the boot memory map? */
bool mfn_is_ram(mfn_t mfn);
/* One past the highest frame number the CPU's physical address width allows. */
mfn_t max_phys_mfn(void);

/* Is mfn ordinary RAM known to the frame table? */
int mfn_valid(mfn_t mfn);

#endif
