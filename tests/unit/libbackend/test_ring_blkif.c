/* SPDX-License-Identifier: GPL-2.0-only */
/* libbackend's ring and blkif parser on plain memory: a ring page we play the frontend of,
 * and requests built byte by byte as blkfront lays them out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lamback.h"
#include "tests.h"

static _Alignas(4096) uint8_t page[4 * 4096];

static struct lb_sring *fresh_ring(struct lb_ring *r, size_t bytes)
{
    memset(page, 0, sizeof(page));
    struct lb_sring *s = (struct lb_sring *)page;
    s->req_event = s->rsp_event = 1; /* SHARED_RING_INIT */
    lb_ring_attach(r, page, bytes, LB_BLKIF_ENTRY_SIZE);
    return s;
}

static void ring_sizes(void **state)
{
    (void)state;
    assert_int_equal(lb_ring_entries(4096, 112), 32);
    assert_int_equal(lb_ring_entries(2 * 4096, 112), 64);
    assert_int_equal(lb_ring_entries(16 * 4096, 112), 512);
    assert_int_equal(lb_ring_entries(4096, 12), 256);
    assert_int_equal(lb_ring_entries(64, 112), 0);
}

static void ring_consume_and_respond(void **state)
{
    (void)state;
    struct lb_ring r;
    struct lb_sring *s = fresh_ring(&r, 4096);
    uint8_t *slot = s->ring + 3 * 112;
    slot[0] = 0xab;
    s->req_prod = 4;
    uint32_t n = 0;
    assert_int_equal(lb_ring_pending(&r, &n), 0);
    assert_int_equal(n, 4);
    uint8_t buf[112];
    for (int i = 0; i < 4; i++)
        lb_ring_take(&r, buf, sizeof(buf));
    assert_int_equal(buf[0], 0xab);
    assert_int_equal(r.req_cons, 4);
    assert_int_equal(lb_ring_pending(&r, &n), 0);
    assert_int_equal(n, 0);
    /* The frontend waits for the first response (rsp_event 1): notify once. */
    struct lb_blkif_response rsp = {.id = 7};
    lb_ring_put_response(&r, &rsp, sizeof(rsp));
    assert_true(lb_ring_push_responses(&r));
    assert_int_equal(s->rsp_prod, 1);
    /* It did not move rsp_event: the next pushes do not notify. */
    lb_ring_put_response(&r, &rsp, sizeof(rsp));
    assert_false(lb_ring_push_responses(&r));
    s->rsp_event = 3;
    lb_ring_put_response(&r, &rsp, sizeof(rsp));
    assert_true(lb_ring_push_responses(&r));
}

static void ring_prod_overflow_detected(void **state)
{
    (void)state;
    struct lb_ring r;
    struct lb_sring *s = fresh_ring(&r, 4096);
    uint32_t n;
    s->req_prod = 33; /* 33 outstanding in a ring of 32 */
    assert_int_equal(lb_ring_pending(&r, &n), -1);
    s->req_prod = 32;
    assert_int_equal(lb_ring_pending(&r, &n), 0);
    assert_int_equal(n, 32);
    /* Consumed but unanswered requests leave no room for more. */
    uint8_t buf[112];
    for (int i = 0; i < 32; i++)
        lb_ring_take(&r, buf, sizeof(buf));
    s->req_prod = 0xffffffffu; /* wrapped nonsense */
    assert_int_equal(lb_ring_pending(&r, &n), -1);
}

static void ring_final_check_rearms(void **state)
{
    (void)state;
    struct lb_ring r;
    struct lb_sring *s = fresh_ring(&r, 4096);
    s->req_prod = 2;
    uint8_t buf[112];
    assert_true(lb_ring_final_check(&r));
    lb_ring_take(&r, buf, sizeof(buf));
    lb_ring_take(&r, buf, sizeof(buf));
    assert_false(lb_ring_final_check(&r));
    assert_int_equal(s->req_event, 3);
}

static void ring_resume_starts_at_rsp_prod(void **state)
{
    (void)state;
    struct lb_ring r;
    struct lb_sring *s = fresh_ring(&r, 4096);
    s->req_prod = 10;
    s->rsp_prod = 7;
    assert_int_equal(lb_ring_resume(&r, page, 4096, 112), 0);
    assert_int_equal(r.req_cons, 7);
    assert_int_equal(r.rsp_prod_pvt, 7);
    uint32_t n;
    assert_int_equal(lb_ring_pending(&r, &n), 0);
    assert_int_equal(n, 3);
    s->req_prod = 7 + 33;
    assert_int_equal(lb_ring_resume(&r, page, 4096, 112), -1);
}

/* ---- blkif ---- */
static const struct lb_blk_limits lim = {
    .sectors = 2048, .sector_size = 512, .max_indirect = 32, .flush = true, .discard = true};

static void rw(uint8_t *e, uint8_t op, uint8_t nsegs, uint64_t id, uint64_t sector)
{
    memset(e, 0, 112);
    e[0] = op;
    e[1] = nsegs;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    for (unsigned i = 0; i < nsegs && i < 11; i++) {
        struct lb_blkif_seg s = {.gref = 100 + i, .first_sect = 0, .last_sect = 7};
        memcpy(e + 24 + 8 * i, &s, 8);
    }
}

static void seg_at(uint8_t *e, unsigned i, uint8_t first, uint8_t last)
{
    e[24 + 8 * i + 4] = first;
    e[24 + 8 * i + 5] = last;
}

static void blk_good_read(void **state)
{
    (void)state;
    uint8_t e[112];
    struct lb_blk_req r;
    rw(e, LB_BLKIF_OP_READ, 11, 42, 100);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_OK);
    assert_int_equal(r.id, 42);
    assert_int_equal(r.nr_segs, 11);
    assert_int_equal(r.nr_sectors, 88);
    assert_int_equal(r.seg[10].gref, 110);
    assert_int_equal(r.rsp_op, LB_BLKIF_OP_READ);
}

static void blk_segment_rules(void **state)
{
    (void)state;
    uint8_t e[112];
    struct lb_blk_req r;
    rw(e, LB_BLKIF_OP_READ, 12, 1, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* > 11 direct */
    rw(e, LB_BLKIF_OP_READ, 0, 1, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* no data */
    rw(e, LB_BLKIF_OP_READ, 2, 1, 0);
    seg_at(e, 1, 0, 8);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* beyond the page */
    seg_at(e, 1, 5, 4);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* first > last */
    seg_at(e, 1, 3, 3);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_OK);
    assert_int_equal(r.nr_sectors, 9);
}

static void blk_range_rules(void **state)
{
    (void)state;
    uint8_t e[112];
    struct lb_blk_req r;
    rw(e, LB_BLKIF_OP_WRITE, 1, 1, 2040);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_OK); /* the last 8 sectors */
    rw(e, LB_BLKIF_OP_WRITE, 1, 1, 2041);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD);
    rw(e, LB_BLKIF_OP_READ, 1, 1, UINT64_MAX - 3);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* no wrap-around */
    struct lb_blk_limits big = lim;
    big.sector_size = 4096;
    rw(e, LB_BLKIF_OP_READ, 1, 1, 8);
    assert_int_equal(lb_blk_parse(e, &big, &r), LB_BLK_OK);
    rw(e, LB_BLKIF_OP_READ, 1, 1, 4);
    assert_int_equal(lb_blk_parse(e, &big, &r), LB_BLK_BAD); /* not block aligned */
    rw(e, LB_BLKIF_OP_READ, 1, 1, 8);
    seg_at(e, 0, 0, 3);
    assert_int_equal(lb_blk_parse(e, &big, &r), LB_BLK_BAD);
}

static void blk_ops_offered_or_not(void **state)
{
    (void)state;
    uint8_t e[112];
    struct lb_blk_req r;
    struct lb_blk_limits ro = lim;
    ro.readonly = true;
    rw(e, LB_BLKIF_OP_WRITE, 1, 9, 0);
    assert_int_equal(lb_blk_parse(e, &ro, &r), LB_BLK_REFUSED);
    assert_int_equal(r.id, 9);
    rw(e, LB_BLKIF_OP_READ, 1, 9, 0);
    assert_int_equal(lb_blk_parse(e, &ro, &r), LB_BLK_OK);
    rw(e, LB_BLKIF_OP_FLUSH_DISKCACHE, 0, 9, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_OK);
    assert_int_equal(r.nr_sectors, 0);
    struct lb_blk_limits plain = {.sectors = 2048, .sector_size = 512};
    assert_int_equal(lb_blk_parse(e, &plain, &r), LB_BLK_UNSUPPORTED);
    rw(e, LB_BLKIF_OP_WRITE_BARRIER, 0, 9, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_UNSUPPORTED);
    rw(e, 77, 1, 9, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_UNSUPPORTED);
    assert_int_equal(r.rsp_op, 77);
}

static void blk_discard(void **state)
{
    (void)state;
    uint8_t e[112] = {0};
    struct lb_blk_req r;
    uint64_t sector = 100, nr = 1948, id = 5;
    e[0] = LB_BLKIF_OP_DISCARD;
    e[1] = 1; /* secure */
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    memcpy(e + 24, &nr, 8);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_OK);
    assert_true(r.secure);
    assert_int_equal(r.nr_sectors, 1948);
    nr = 1949;
    memcpy(e + 24, &nr, 8);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD);
    nr = 0;
    memcpy(e + 24, &nr, 8);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD);
    struct lb_blk_limits nodisc = lim;
    nodisc.discard = false;
    assert_int_equal(lb_blk_parse(e, &nodisc, &r), LB_BLK_UNSUPPORTED);
}

static void indirect(uint8_t *e, uint8_t inner, uint16_t nsegs, uint64_t sector)
{
    memset(e, 0, 112);
    e[0] = LB_BLKIF_OP_INDIRECT;
    e[1] = inner;
    memcpy(e + 2, &nsegs, 2);
    uint64_t id = 77;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    uint32_t g = 900;
    memcpy(e + 28, &g, 4);
}

static void blk_indirect(void **state)
{
    (void)state;
    uint8_t e[112];
    struct lb_blk_req r;
    static struct lb_blkif_seg segs[LB_BLK_MAX_SEGS], page_segs[512];
    indirect(e, LB_BLKIF_OP_WRITE, 32, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_INDIRECT);
    assert_int_equal(r.rsp_op, LB_BLKIF_OP_WRITE); /* blkfront wants the inner op back */
    assert_int_equal(r.nr_indirect_pages, 1);
    assert_int_equal(r.indirect_grefs[0], 900);
    for (int i = 0; i < 512; i++)
        page_segs[i] = (struct lb_blkif_seg){.gref = (uint32_t)i, .first_sect = 0, .last_sect = 7};
    assert_int_equal(lb_blk_parse_indirect(page_segs, 4096, &lim, &r, segs), LB_BLK_OK);
    assert_int_equal(r.nr_sectors, 256);
    assert_int_equal(segs[31].gref, 31);
    /* A bad segment inside the indirect page. */
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_INDIRECT);
    page_segs[20].last_sect = 9;
    assert_int_equal(lb_blk_parse_indirect(page_segs, 4096, &lim, &r, segs), LB_BLK_BAD);
    page_segs[20].last_sect = 7;
    /* Past the end of the disk once the segments are counted. */
    indirect(e, LB_BLKIF_OP_READ, 32, 2000);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_INDIRECT);
    assert_int_equal(lb_blk_parse_indirect(page_segs, 4096, &lim, &r, segs), LB_BLK_BAD);
    indirect(e, LB_BLKIF_OP_READ, 33, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD); /* more than advertised */
    indirect(e, LB_BLKIF_OP_READ, 0, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD);
    indirect(e, LB_BLKIF_OP_DISCARD, 1, 0);
    assert_int_equal(lb_blk_parse(e, &lim, &r), LB_BLK_BAD);
    struct lb_blk_limits noind = lim;
    noind.max_indirect = 0;
    indirect(e, LB_BLKIF_OP_READ, 1, 0);
    assert_int_equal(lb_blk_parse(e, &noind, &r), LB_BLK_UNSUPPORTED);
}

const struct CMUnitTest ring_blkif_tests[] = {
    cmocka_unit_test(ring_sizes),
    cmocka_unit_test(ring_consume_and_respond),
    cmocka_unit_test(ring_prod_overflow_detected),
    cmocka_unit_test(ring_final_check_rearms),
    cmocka_unit_test(ring_resume_starts_at_rsp_prod),
    cmocka_unit_test(blk_good_read),
    cmocka_unit_test(blk_segment_rules),
    cmocka_unit_test(blk_range_rules),
    cmocka_unit_test(blk_ops_offered_or_not),
    cmocka_unit_test(blk_discard),
    cmocka_unit_test(blk_indirect),
};
const size_t ring_blkif_count = sizeof(ring_blkif_tests) / sizeof(ring_blkif_tests[0]);
