/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sparse bitmap of guest frame numbers, for log-dirty mode (pv/logdirty.c).
 *
 * Shaped as Xen's: three levels of 512-pointer nodes above leaf pages of 32768 bits,
 * so 2^42 frames are covered and a frame number is taken modulo that (Xen's indices
 * wrap the same way); nodes and leaves come into being on the first bit set under them.
 * A read hands the caller the bitmap's bytes in leaf-sized chunks (zeros where no leaf
 * exists) and may clear each leaf once it was handed out, which is what CLEAN does.
 * Not locked: the owner serialises (the domain's memory lock).
 */
#ifndef LAMINA_HV_DIRTY_BITMAP_H
#define LAMINA_HV_DIRTY_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIRTY_BITMAP_LEAF_BITS 32768ULL     /* one 4 KiB page of bits */
#define DIRTY_BITMAP_MAX_BITS  (1ULL << 42) /* 512^3 leaves */

struct dirty_bitmap {
    void *(*page_alloc)(void); /* a zeroed 4 KiB page, or NULL */
    void (*page_free)(void *page);
    void **top;                  /* NULL until the first bit is set */
    unsigned long failed_allocs; /* bits that could not be recorded (no memory, or max_pages) */
    unsigned long pages;         /* nodes and leaves held */
    unsigned long max_pages;     /* at most this many (0: no limit) */
};

/* Set frame pfn's bit; true if it was clear (a newly dirty frame). */
bool dirty_bitmap_set(struct dirty_bitmap *b, uint64_t pfn);
bool dirty_bitmap_test(const struct dirty_bitmap *b, uint64_t pfn);

/*
 * Hand out the bytes of bits [0, min(nbits, DIRTY_BITMAP_MAX_BITS)): out(ctx, offset, src,
 * len) once per leaf (len at most 4096), and once per stretch with no leaf (src NULL: all
 * zero, len as long as the missing node's reach, so a sparse bitmap is read in a few
 * calls whatever nbits is). A non-zero
 * return stops the walk and is returned. With clear, each leaf is zeroed after it was
 * handed out. *covered: the bits handed out (nbits, or the maximum when nbits is beyond it).
 */
int dirty_bitmap_read(struct dirty_bitmap *b, uint64_t nbits, bool clear,
                      int (*out)(void *ctx, uint64_t offset, const uint8_t *src, size_t len),
                      void *ctx, uint64_t *covered);

/* Give every node and leaf back; the bitmap is empty (and usable) afterwards. */
void dirty_bitmap_free(struct dirty_bitmap *b);

#endif
