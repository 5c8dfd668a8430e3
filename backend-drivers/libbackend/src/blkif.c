/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The blkif request parser: one ring entry (a private copy) in, a checked request out.
 * Layouts are Xen's io/blkif.h for x86-64; sectors are always 512-byte units. Everything
 * is checked here, before any I/O: the operation, the segment count, each segment's
 * sectors within its 4 KiB page, the logical-block alignment and the range within the
 * disk, so the I/O code may trust what it gets.
 */
#include <string.h>

#include "lamback.h"

/* Offsets within the 112-byte entry (computed from Xen's headers). */
#define OFF_OP         0
#define OFF_NSEGS      1
#define OFF_ID         8
#define OFF_SECTOR     16
#define OFF_SEGS       24
#define OFF_DISC_NR    24
#define OFF_IND_OP     1
#define OFF_IND_NSEGS  2
#define OFF_IND_GREFS  28
#define DISCARD_SECURE 1

static uint64_t get64(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static uint16_t get16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

/* The segments' sectors, checked one by one; the total in *nsec. */
static enum lb_blk_verdict check_segs(const struct lb_blkif_seg *segs, uint32_t n,
                                      const struct lb_blk_limits *lim, uint64_t *nsec)
{
    uint32_t lbs = lim->sector_size / 512; /* logical block in sectors */
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct lb_blkif_seg *s = &segs[i];
        if (s->last_sect > 7 || s->first_sect > s->last_sect)
            return LB_BLK_BAD;
        /* With a larger logical block, each segment holds whole blocks (blkback's rule). */
        if (lbs > 1 && (s->first_sect % lbs || (s->last_sect + 1u) % lbs))
            return LB_BLK_BAD;
        total += (uint64_t)(s->last_sect - s->first_sect + 1);
    }
    *nsec = total;
    return LB_BLK_OK;
}

static enum lb_blk_verdict check_range(const struct lb_blk_req *r, const struct lb_blk_limits *lim)
{
    uint32_t lbs = lim->sector_size / 512;
    if (r->sector > lim->sectors || r->nr_sectors > lim->sectors - r->sector)
        return LB_BLK_BAD;
    if (lbs > 1 && ((r->sector | r->nr_sectors) & (lbs - 1)))
        return LB_BLK_BAD;
    return LB_BLK_OK;
}

static enum lb_blk_verdict parse_rw(const uint8_t *e, const struct lb_blk_limits *lim,
                                    struct lb_blk_req *r)
{
    uint32_t n = e[OFF_NSEGS];
    if (n > LB_BLKIF_MAX_SEGS)
        return LB_BLK_BAD;
    /* Only a flush may come without data. */
    if (n == 0 && r->op != LB_BLKIF_OP_FLUSH_DISKCACHE)
        return LB_BLK_BAD;
    r->nr_segs = n;
    memcpy(r->seg, e + OFF_SEGS, n * sizeof(struct lb_blkif_seg));
    enum lb_blk_verdict v = check_segs(r->seg, n, lim, &r->nr_sectors);
    if (v != LB_BLK_OK)
        return v;
    return check_range(r, lim);
}

static enum lb_blk_verdict parse_indirect(const uint8_t *e, const struct lb_blk_limits *lim,
                                          struct lb_blk_req *r)
{
    uint8_t inner = e[OFF_IND_OP];
    if (inner != LB_BLKIF_OP_READ && inner != LB_BLKIF_OP_WRITE)
        return LB_BLK_BAD;
    r->op = inner;
    r->rsp_op = inner; /* blkfront expects the inner operation back */
    uint32_t n = get16(e, OFF_IND_NSEGS);
    if (n == 0 || n > lim->max_indirect)
        return LB_BLK_BAD;
    r->nr_segs = n;
    r->nr_indirect_pages = (n + LB_BLKIF_SEGS_PER_PAGE - 1) / LB_BLKIF_SEGS_PER_PAGE;
    memcpy(r->indirect_grefs, e + OFF_IND_GREFS, sizeof(r->indirect_grefs));
    if (inner == LB_BLKIF_OP_WRITE && lim->readonly)
        return LB_BLK_REFUSED;
    /* The range is checked once the segments are known. */
    if (r->sector > lim->sectors)
        return LB_BLK_BAD;
    return LB_BLK_INDIRECT;
}

enum lb_blk_verdict lb_blk_parse(const void *entry, const struct lb_blk_limits *lim,
                                 struct lb_blk_req *r)
{
    const uint8_t *e = entry;
    memset(r, 0, offsetof(struct lb_blk_req, seg));
    r->op = e[OFF_OP];
    r->rsp_op = r->op;
    r->id = get64(e, OFF_ID);
    r->sector = get64(e, OFF_SECTOR);
    switch (r->op) {
    case LB_BLKIF_OP_READ:
        return parse_rw(e, lim, r);
    case LB_BLKIF_OP_WRITE:
        if (lim->readonly)
            return LB_BLK_REFUSED;
        return parse_rw(e, lim, r);
    case LB_BLKIF_OP_FLUSH_DISKCACHE:
        if (!lim->flush)
            return LB_BLK_UNSUPPORTED;
        if (lim->readonly && e[OFF_NSEGS])
            return LB_BLK_REFUSED;
        return parse_rw(e, lim, r);
    case LB_BLKIF_OP_DISCARD:
        if (!lim->discard)
            return LB_BLK_UNSUPPORTED;
        if (lim->readonly)
            return LB_BLK_REFUSED;
        r->secure = e[OFF_NSEGS] & DISCARD_SECURE; /* the "flag" byte */
        r->nr_sectors = get64(e, OFF_DISC_NR);
        if (r->nr_sectors == 0)
            return LB_BLK_BAD;
        return check_range(r, lim);
    case LB_BLKIF_OP_INDIRECT:
        if (!lim->max_indirect)
            return LB_BLK_UNSUPPORTED;
        return parse_indirect(e, lim, r);
    default: /* barriers included: we never offer feature-barrier */
        return LB_BLK_UNSUPPORTED;
    }
}

enum lb_blk_verdict lb_blk_parse_indirect(const void *pages, size_t bytes,
                                          const struct lb_blk_limits *lim, struct lb_blk_req *r,
                                          struct lb_blkif_seg *segs)
{
    if (!r->nr_indirect_pages || r->nr_segs > lim->max_indirect ||
        bytes < (size_t)r->nr_segs * sizeof(struct lb_blkif_seg))
        return LB_BLK_BAD;
    memcpy(segs, pages, (size_t)r->nr_segs * sizeof(struct lb_blkif_seg));
    enum lb_blk_verdict v = check_segs(segs, r->nr_segs, lim, &r->nr_sectors);
    if (v != LB_BLK_OK)
        return v;
    v = check_range(r, lim);
    if (v != LB_BLK_OK)
        return v;
    r->nr_indirect_pages = 0;
    return LB_BLK_OK;
}
