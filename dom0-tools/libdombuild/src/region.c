/* SPDX-License-Identifier: GPL-2.0-only */
/* The builder's sparse mapping of a new domain's boot region (see region.h). */
#include "region.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096u
/* Unwanted pages mapped anyway to join two runs: one mapping call costs more. */
#define MERGE_GAP 8

int region_init(struct region *r, uint64_t nr)
{
    memset(r, 0, sizeof(*r));
    r->flags = calloc(nr ? nr : 1, 1);
    r->base = r->flags ? hv_reserve(nr) : NULL;
    if (!r->base) {
        free(r->flags);
        r->flags = NULL;
        return -ENOMEM;
    }
    r->nr = nr;
    return 0;
}

void region_free(struct region *r)
{
    hv_unmap(r->base, r->nr);
    free(r->flags);
    memset(r, 0, sizeof(*r));
}

void region_want_pages(struct region *r, uint64_t pfn, uint64_t n)
{
    for (uint64_t p = pfn; p < pfn + n && p < r->nr; p++)
        r->flags[p] |= REGION_WANT;
}

void region_want_bytes(struct region *r, uint64_t pa, uint64_t len)
{
    if (len)
        region_want_pages(r, pa / PAGE, (pa + len + PAGE - 1) / PAGE - pa / PAGE);
}

bool region_all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

void *region_page(const struct region *r, uint64_t pfn)
{
    return pfn < r->nr && (r->flags[pfn] & REGION_MAPPED) ? r->base + pfn * PAGE : NULL;
}

/* The bytes [pa, pa + len) must all be on mapped pages. */
static uint8_t *dest(const struct region *r, uint64_t pa, uint64_t len)
{
    if (!len)
        return r->base + pa;
    for (uint64_t p = pa / PAGE; p <= (pa + len - 1) / PAGE; p++)
        if (!region_page(r, p))
            return NULL;
    return r->base + pa;
}

int region_segment_file(struct region *r, int fd, uint64_t off, uint64_t len, uint64_t pa,
                        bool copy)
{
    uint64_t end = off + len;
    while (off < end) {
        off_t d = lseek(fd, (off_t)off, SEEK_DATA);
        if (d < 0 && errno == ENXIO)
            break; /* a hole to the end of the file */
        if (d < 0)
            d = (off_t)off; /* no hole reporting: all data */
        if ((uint64_t)d >= end)
            break;
        off_t h = lseek(fd, d, SEEK_HOLE);
        uint64_t stop = h < 0 || (uint64_t)h > end ? end : (uint64_t)h;
        uint64_t at = pa + ((uint64_t)d - (end - len));
        uint64_t n = stop - (uint64_t)d;
        if (!copy) {
            region_want_bytes(r, at, n);
        } else {
            uint8_t *dst = dest(r, at, n);
            if (!dst)
                return -EFAULT;
            for (uint64_t done = 0; done < n;) {
                ssize_t got = pread(fd, dst + done, n - done, (off_t)((uint64_t)d + done));
                if (got <= 0)
                    return -EIO;
                done += (uint64_t)got;
            }
        }
        off = stop;
    }
    return 0;
}

int region_segment_mem(struct region *r, const uint8_t *src, uint64_t len, uint64_t pa, bool copy)
{
    for (uint64_t o = 0; o < len;) {
        uint64_t n = PAGE - (pa + o) % PAGE; /* up to the guest page's end */
        if (n > len - o)
            n = len - o;
        if (!region_all_zero(src + o, n)) {
            if (!copy) {
                region_want_bytes(r, pa + o, n);
            } else {
                uint8_t *dst = dest(r, pa + o, n);
                if (!dst)
                    return -EFAULT;
                memcpy(dst, src + o, n);
            }
        }
        o += n;
    }
    return 0;
}

int region_map(struct region *r, struct hv *hv, uint16_t dom, const uint64_t *p2m)
{
    for (uint64_t p = 0; p < r->nr;) {
        if (!(r->flags[p] & REGION_WANT)) {
            p++;
            continue;
        }
        uint64_t last = p;
        for (uint64_t q = p + 1; q < r->nr && q - last <= MERGE_GAP; q++)
            if (r->flags[q] & REGION_WANT)
                last = q;
        int rc = hv_map_at(hv, dom, r->base + p * PAGE, p2m + p, last - p + 1);
        if (rc)
            return rc;
        for (uint64_t q = p; q <= last; q++)
            r->flags[q] |= REGION_MAPPED;
        r->mapped += last - p + 1;
        r->runs++;
        p = last + 1;
    }
    return 0;
}
