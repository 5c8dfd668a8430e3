/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buddy allocator of machine frames.
 *
 * Free memory is kept as naturally aligned blocks of 2^order frames, one
 * free list per order. Allocation splits the smallest sufficient block,
 * freeing merges a block with its buddy (the block at mfn ^ 2^order) as
 * long as the buddy is free and of the same order. The bookkeeping lives
 * in the frame table (struct page_info, see frame.h): every frame of a
 * free block is in state free, the first carries PGC_buddy_head and the
 * order; an allocated block's first frame keeps the order it was handed
 * out with, so buddy_free() can check its caller.
 *
 * Misuse (double free, freeing a frame the allocator never handed out,
 * wrong order, adding a range twice) is a hypervisor bug: BUG_ON.
 */
#ifndef LAMINA_HV_BUDDY_H
#define LAMINA_HV_BUDDY_H

#include <asm/frame.h>
#include <hv/list.h>
#include <hv/spinlock.h>

/* Largest block: 2^18 frames = 1 GiB. */
#define BUDDY_MAX_ORDER 18

struct buddy {
    spinlock_t lock; /* the free lists, free_frames and the state of each frame it manages */
    struct page_info *frames; /* frames[mfn] for mfn < nr_frames */
    mfn_t nr_frames;
    mfn_t free_frames;
    mfn_t dirty_frames; /* free frames not known to be zero (no PGC_zeroed) */
    mfn_t scrub_cursor; /* where the idle scrubber looks next */
    struct list_head free[BUDDY_MAX_ORDER + 1];
};

/* Every frame starts reserved; nothing is free until added. */
void buddy_init(struct buddy *b, struct page_info *frames, mfn_t nr_frames);
/* Hand the frames [start, start + count) to the allocator. */
void buddy_add_free_range(struct buddy *b, mfn_t start, mfn_t count);
/* A block of 2^order frames, aligned to its size; INVALID_MFN when none. */
mfn_t buddy_alloc(struct buddy *b, unsigned int order);
/* Same, but the whole block lies below max_mfn (for DMA or 32-bit users). */
mfn_t buddy_alloc_below(struct buddy *b, unsigned int order, mfn_t max_mfn);
void buddy_free(struct buddy *b, mfn_t mfn, unsigned int order);
/*
 * Turn an allocated block of 2^order frames into 2^order allocated order-0
 * blocks, each then freed on its own (domain memory that a guest balloons
 * back page by page); the frees coalesce as usual.
 */
void buddy_split(struct buddy *b, mfn_t mfn, unsigned int order);
mfn_t buddy_free_frames(const struct buddy *b);

/*
 * Scrubbing, as Xen scrubs in its idle loop: frames come to the allocator dirty (added at
 * boot, or freed), and buddy_scrub() zeroes free ones in the background and marks them
 * PGC_zeroed, so that whoever must hand out zeroed memory (a new domain's) clears only the
 * frames still dirty (page_take_zeroed). buddy_scrub looks at up to `scan` frames from
 * where it stopped last and zeroes up to `max_zero` of them, one at a time under the lock;
 * returns how many it zeroed. zero_page(mfn) clears one frame (the direct map's business).
 */
mfn_t buddy_scrub(struct buddy *b, mfn_t scan, mfn_t max_zero, void (*zero_page)(mfn_t mfn));
mfn_t buddy_dirty_frames(const struct buddy *b);

/* Whether an allocated frame was known to be zero when it was handed out; forgets it (its
 * owner is about to write it). Only the allocating caller may ask, before using it. */
static inline bool page_take_zeroed(struct page_info *pg)
{
    bool z = pg->count_info & PGC_zeroed;
    pg->count_info &= ~PGC_zeroed;
    return z;
}

#endif
