/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes what a guest controls in a block backend: the ring page (its indices and
 * entries) and the indirect pages. Input: 8 bytes of limits, then a ring page (the
 * frontend's), then indirect-page bytes. Every request the ring yields is parsed; the
 * checks are the parser's promises: a request it accepts lies within the disk, its
 * segments within their pages, its counts within what was offered.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "lamback.h"

static void check_accepted(const struct lb_blk_req *r, const struct lb_blkif_seg *segs,
                           const struct lb_blk_limits *lim)
{
    if (r->sector > lim->sectors || r->nr_sectors > lim->sectors - r->sector)
        abort();
    uint64_t total = 0;
    for (uint32_t i = 0; i < r->nr_segs; i++) {
        if (segs[i].first_sect > segs[i].last_sect || segs[i].last_sect > 7)
            abort();
        total += segs[i].last_sect - segs[i].first_sect + 1u;
    }
    if (r->op != LB_BLKIF_OP_DISCARD && total != r->nr_sectors)
        abort();
    if (r->nr_segs >
        (lim->max_indirect > LB_BLKIF_MAX_SEGS ? lim->max_indirect : LB_BLKIF_MAX_SEGS))
        abort();
    if (lim->readonly && r->op != LB_BLKIF_OP_READ && r->nr_segs)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static _Alignas(4096) uint8_t ring_page[4096];
    static struct lb_blkif_seg segs[LB_BLK_MAX_SEGS];
    static struct lb_blk_req req;
    if (size < 8)
        return 0;
    struct lb_blk_limits lim = {
        .sectors = (uint64_t)(data[0] | data[1] << 8) << (data[2] & 31),
        .sector_size = 512u << (data[3] & 3),
        .max_indirect = (uint32_t)(data[4] | (data[5] & 0x0f) << 8),
        .readonly = data[6] & 1,
        .flush = data[6] & 2,
        .discard = data[6] & 4,
    };
    if (lim.max_indirect > LB_BLK_MAX_SEGS)
        lim.max_indirect = LB_BLK_MAX_SEGS;
    data += 8;
    size -= 8;
    size_t take = size < sizeof(ring_page) ? size : sizeof(ring_page);
    memset(ring_page, 0, sizeof(ring_page));
    memcpy(ring_page, data, take);
    data += take;
    size -= take;

    struct lb_ring r;
    lb_ring_attach(&r, ring_page, sizeof(ring_page), LB_BLKIF_ENTRY_SIZE);
    /* Half the runs resume (a restarted backend), half start fresh. */
    if ((lim.sector_size & 1024) &&
        lb_ring_resume(&r, ring_page, sizeof(ring_page), LB_BLKIF_ENTRY_SIZE) < 0)
        return 0;
    for (int rounds = 0; rounds < 64; rounds++) {
        uint32_t n;
        if (lb_ring_pending(&r, &n) < 0 || n == 0)
            break;
        if (n > r.nr_ents)
            abort();
        uint8_t entry[LB_BLKIF_ENTRY_SIZE];
        lb_ring_take(&r, entry, sizeof(entry));
        enum lb_blk_verdict v = lb_blk_parse(entry, &lim, &req);
        if (v == LB_BLK_INDIRECT) {
            if (req.nr_indirect_pages == 0 || req.nr_indirect_pages > LB_BLKIF_MAX_INDIRECT_PAGES)
                abort();
            v = lb_blk_parse_indirect(data, size, &lim, &req, segs);
            if (v == LB_BLK_OK)
                check_accepted(&req, segs, &lim);
        } else if (v == LB_BLK_OK) {
            check_accepted(&req, req.seg, &lim);
        }
        struct lb_blkif_response rsp = {.id = req.id, .operation = req.rsp_op};
        lb_ring_put_response(&r, &rsp, sizeof(rsp));
        (void)lb_ring_push_responses(&r);
        if (r.req_cons - r.rsp_prod_pvt > r.nr_ents)
            abort();
    }
    (void)lb_ring_final_check(&r);
    return 0;
}
