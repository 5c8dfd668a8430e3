/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hostile blkfront against lamblkback's request path, on the host: two frontends (a
 * hostile one, domain 1, and a bystander, domain 2) each with its ring page, its granted
 * pages and its own raw image, served by the real engine (io.c, io_uring) and the real
 * library (ring, parser, strikes and disconnect decision in device.c). Only Xen is plain
 * memory here: grant copy checks the reference and range against each domain's table
 * (an unknown reference fails as gntdev's copy does), and notifications are counted.
 * Every malformed request class of issue 17 gets an error response (or EOPNOTSUPP for an
 * operation not offered), a frontend that keeps breaking the protocol or moves its index
 * impossibly is disconnected (the device marked dead, its queue stopped as the library's
 * disconnect does), and after each case the bystander writes and reads back its data.
 * Built with ASan/UBSan.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "blkback.h"
#include "internal.h"

#define NPAGES    48
#define DISK_SECT 2048u /* 1 MiB */
#define NR_ENTS   32u

struct fe {
    unsigned domid;
    _Alignas(4096) uint8_t ring[4096];
    _Alignas(4096) uint8_t pages[NPAGES][4096];
    struct lb_dev dev;
    struct lb_queue q;
    struct disk disk;
    char path[64];
    uint32_t rsp_cons;
    bool stopped;
};

static struct fe *bad_fe, *good_fe;
static struct lb the_lb;
static unsigned copies_refused;
static int efd = -1;
static void (*efd_fn)(void *);

/* ---- Xen, as plain memory ---- */
static struct fe *fe_of(unsigned domid)
{
    return domid == bad_fe->domid ? bad_fe : domid == good_fe->domid ? good_fe : NULL;
}

int lb_grant_copy(struct lb *lb, unsigned domid, const struct lb_copy *c, unsigned n)
{
    (void)lb;
    struct fe *f = fe_of(domid);
    assert_non_null(f);
    int err = 0;
    /* Like GNTTABOP_copy: each op succeeds or fails alone; the batch reports a failure. */
    for (unsigned i = 0; i < n; i++) {
        if (c[i].gref >= NPAGES || c[i].offset + c[i].len > 4096) {
            copies_refused++;
            err = EIO;
            continue;
        }
        uint8_t *g = f->pages[c[i].gref] + c[i].offset;
        if (c[i].to_guest)
            memcpy(g, c[i].local, c[i].len);
        else
            memcpy(c[i].local, g, c[i].len);
    }
    return err;
}
int lb_xen_open(struct lb *lb)
{
    (void)lb;
    return 0;
}
void *lb_map_grants(struct lb *lb, unsigned domid, const uint32_t *refs, unsigned n,
                    uint64_t *index)
{
    (void)lb, (void)domid, (void)refs, (void)n, (void)index;
    errno = ENOSYS;
    return NULL;
}
void lb_unmap_grants(struct lb *lb, void *mem, unsigned n, uint64_t index)
{
    (void)lb, (void)mem, (void)n, (void)index;
}
int lb_evtchn_bind(struct lb *lb, unsigned domid, uint32_t remote, uint32_t *local)
{
    (void)lb, (void)domid, (void)remote, (void)local;
    return ENOSYS;
}
void lb_evtchn_unbind(struct lb *lb, uint32_t local)
{
    (void)lb, (void)local;
}
void lb_evtchn_notify(struct lb *lb, uint32_t local)
{
    (void)lb, (void)local;
}
void lb_evtchn_unmask(struct lb *lb, uint32_t local)
{
    (void)lb, (void)local;
}

/* ---- the frontends ---- */
static struct lb_sring *sr(struct fe *f)
{
    return (struct lb_sring *)f->ring;
}

static void put_entry(struct fe *f, const uint8_t *e)
{
    memcpy(sr(f)->ring + (sr(f)->req_prod % NR_ENTS) * LB_BLKIF_ENTRY_SIZE, e, LB_BLKIF_ENTRY_SIZE);
    __atomic_store_n(&sr(f)->req_prod, sr(f)->req_prod + 1, __ATOMIC_RELEASE);
}

static void rw(uint8_t *e, uint8_t op, uint64_t id, uint64_t sector, unsigned nsegs, uint32_t gref)
{
    memset(e, 0, LB_BLKIF_ENTRY_SIZE);
    e[0] = op;
    e[1] = (uint8_t)nsegs;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    for (unsigned i = 0; i < nsegs && i < LB_BLKIF_MAX_SEGS; i++) {
        struct lb_blkif_seg s = {.gref = gref + i, .first_sect = 0, .last_sect = 7};
        memcpy(e + 24 + 8 * i, &s, 8);
    }
}

static void seg(uint8_t *e, unsigned i, uint32_t gref, uint8_t first, uint8_t last)
{
    struct lb_blkif_seg s = {.gref = gref, .first_sect = first, .last_sect = last};
    memcpy(e + 24 + 8 * i, &s, 8);
}

static void indirect(uint8_t *e, uint8_t inner, uint64_t id, uint64_t sector, uint16_t nsegs,
                     const uint32_t *grefs, unsigned ngrefs)
{
    memset(e, 0, LB_BLKIF_ENTRY_SIZE);
    e[0] = LB_BLKIF_OP_INDIRECT;
    e[1] = inner;
    memcpy(e + 2, &nsegs, 2);
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    memcpy(e + 28, grefs, 4 * ngrefs);
}

static void discard(uint8_t *e, uint64_t id, uint64_t sector, uint64_t nr)
{
    memset(e, 0, LB_BLKIF_ENTRY_SIZE);
    e[0] = LB_BLKIF_OP_DISCARD;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    memcpy(e + 24, &nr, 8);
}

static void kick(struct fe *f)
{
    if (!f->stopped)
        io_queue_kick(&f->q);
}

/* Runs the engine until f has `want` unread responses (or 2 s pass); returns how many. */
static uint32_t pump(struct fe *f, uint32_t want)
{
    kick(f);
    for (int i = 0; i < 200 && sr(f)->rsp_prod - f->rsp_cons < want && !f->dev.dead; i++) {
        struct pollfd p = {.fd = efd, .events = POLLIN};
        if (poll(&p, 1, 10) > 0)
            efd_fn(NULL);
    }
    return sr(f)->rsp_prod - f->rsp_cons;
}

static struct lb_blkif_response next_rsp(struct fe *f)
{
    struct lb_blkif_response r;
    memcpy(&r, sr(f)->ring + (f->rsp_cons++ % NR_ENTS) * LB_BLKIF_ENTRY_SIZE, sizeof(r));
    sr(f)->rsp_event = f->rsp_cons + 1;
    return r;
}

/* What the library's disconnect does with a dead device's queue. */
static void disconnect_if_dead(struct fe *f)
{
    if (f->dev.dead && !f->stopped) {
        io_queue_stop(&f->q);
        f->stopped = true;
    }
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 13);
}

/* The bystander writes 8 KiB and reads it back into other pages. */
static void bystander_works(uint8_t seed)
{
    struct fe *f = good_fe;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    fill(f->pages[1], 4096, seed);
    fill(f->pages[2], 4096, (uint8_t)(seed + 1));
    rw(e, LB_BLKIF_OP_WRITE, 1000 + seed, 64, 2, 1);
    put_entry(f, e);
    assert_int_equal(pump(f, 1), 1);
    struct lb_blkif_response r = next_rsp(f);
    assert_int_equal(r.id, 1000 + seed);
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    memset(f->pages[5], 0, 2 * 4096);
    rw(e, LB_BLKIF_OP_READ, 2000 + seed, 64, 2, 5);
    put_entry(f, e);
    assert_int_equal(pump(f, 1), 1);
    r = next_rsp(f);
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    assert_memory_equal(f->pages[5], f->pages[1], 4096);
    assert_memory_equal(f->pages[6], f->pages[2], 4096);
    assert_false(f->dev.dead);
}

static int open_fe(struct fe *f, unsigned domid, bool readonly)
{
    memset(f, 0, sizeof(*f));
    f->domid = domid;
    snprintf(f->path, sizeof(f->path), "/tmp/lamblkback-hostile-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0 || ftruncate(fd, (off_t)DISK_SECT * 512))
        return -1;
    close(fd);
    char why[IMG_ERR_MAX];
    if (img_open(f->path, IMG_FORMAT_RAW, 0, &f->disk.img, why))
        return -1;
    f->disk.lim = (struct lb_blk_limits){.sectors = DISK_SECT,
                                         .sector_size = 512,
                                         .max_indirect = BLK_MAX_INDIRECT,
                                         .readonly = readonly,
                                         .flush = !readonly,
                                         .discard = !readonly};
    sr(f)->req_event = sr(f)->rsp_event = 1;
    f->dev = (struct lb_dev){.lb = &the_lb, .fe_domid = domid, .priv = &f->disk, .nr_queues = 1};
    f->q = (struct lb_queue){.dev = &f->dev};
    f->dev.queues = &f->q;
    lb_ring_attach(&f->q.ring, f->ring, sizeof(f->ring), LB_BLKIF_ENTRY_SIZE);
    return io_queue_start(&f->q);
}

static void close_fe(struct fe *f)
{
    if (!f->stopped)
        io_queue_stop(&f->q);
    img_close(f->disk.img);
    unlink(f->path);
    free(f);
}

static int setup_ro(void **state, bool readonly)
{
    (void)state;
    bad_fe = aligned_alloc(4096, sizeof(struct fe));
    good_fe = aligned_alloc(4096, sizeof(struct fe));
    copies_refused = 0;
    if (!bad_fe || !good_fe || open_fe(bad_fe, 1, readonly) || open_fe(good_fe, 2, false))
        return -1;
    bystander_works(1);
    return 0;
}
static int setup(void **state)
{
    return setup_ro(state, false);
}
static int setup_readonly(void **state)
{
    return setup_ro(state, true);
}
static int teardown(void **state)
{
    (void)state;
    close_fe(bad_fe);
    close_fe(good_fe);
    return 0;
}

/* Bytes of the hostile frontend's image at off are all zero (nothing was written). */
static bool image_zero(uint64_t off, size_t n)
{
    static uint8_t buf[65536];
    int fd = open(bad_fe->path, O_RDONLY);
    assert_true(fd >= 0 && n <= sizeof(buf));
    assert_int_equal(pread(fd, buf, n, (off_t)off), (ssize_t)n);
    close(fd);
    for (size_t i = 0; i < n; i++)
        if (buf[i])
            return false;
    return true;
}

/* One request, its answer checked, and whether it counted as a protocol strike (the
 * parser's rejection) or not (refused, not offered, a grant that failed to copy); then a
 * good one, which clears the strikes. */
static void expect_s(const uint8_t *e, int16_t status, uint8_t rsp_op, unsigned strikes,
                     const char *what)
{
    struct fe *f = bad_fe;
    uint64_t id;
    memcpy(&id, e + 8, 8);
    put_entry(f, e);
    if (pump(f, 1) != 1)
        fail_msg("%s: no response", what);
    struct lb_blkif_response r = next_rsp(f);
    if (r.id != id || r.status != status || r.operation != rsp_op)
        fail_msg("%s: response id %llu op %u status %d, wanted id %llu op %u status %d", what,
                 (unsigned long long)r.id, r.operation, r.status, (unsigned long long)id, rsp_op,
                 status);
    if (f->q.strikes != strikes)
        fail_msg("%s: %u strikes, wanted %u", what, f->q.strikes, strikes);
    uint8_t ok[LB_BLKIF_ENTRY_SIZE];
    rw(ok, LB_BLKIF_OP_READ, 77, 0, 1, 0);
    put_entry(f, ok);
    assert_int_equal(pump(f, 1), 1);
    assert_int_equal(next_rsp(f).status, LB_BLKIF_RSP_OKAY);
    assert_false(f->dev.dead);
    assert_int_equal(f->q.strikes, 0);
}

/* A malformed request: an error and a strike. */
static void expect(const uint8_t *e, int16_t status, uint8_t rsp_op, const char *what)
{
    expect_s(e, status, rsp_op, status == LB_BLKIF_RSP_ERROR ? 1 : 0, what);
}

static void bad_grant_refs(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    fill(bad_fe->pages[3], 4096, 9);
    rw(e, LB_BLKIF_OP_WRITE, 1, 0, 2, 3);
    seg(e, 1, 9999, 0, 7); /* the second page never granted */
    expect_s(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, 0, "write, bad gref");
    assert_true(image_zero(0, 8192)); /* a write whose data could not be copied is not done */
    rw(e, LB_BLKIF_OP_READ, 2, 0, 1, 0xffffffffu);
    expect_s(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_READ, 0, "read, bad gref");
    uint32_t g = 9999;
    indirect(e, LB_BLKIF_OP_READ, 3, 0, 4, &g, 1);
    expect_s(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_READ, 1, "indirect page gref");
    /* An indirect page that is fine, listing a data page that is not. */
    struct lb_blkif_seg *s = (struct lb_blkif_seg *)bad_fe->pages[40];
    for (int i = 0; i < 4; i++)
        s[i] = (struct lb_blkif_seg){.gref = i == 2 ? 7777u : 10u + (uint32_t)i, .last_sect = 7};
    g = 40;
    indirect(e, LB_BLKIF_OP_WRITE, 4, 0, 4, &g, 1);
    expect_s(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, 0, "indirect data gref");
    assert_true(image_zero(0, 16384));
    assert_true(copies_refused >= 4);
    bystander_works(2);
}

static void segment_counts(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    static const unsigned direct[] = {0, 12, 33, 255};
    for (unsigned i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
        rw(e, LB_BLKIF_OP_READ, 10 + i, 0, direct[i], 0);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_READ, "direct segment count");
        rw(e, LB_BLKIF_OP_WRITE, 20 + i, 0, direct[i], 0);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, "direct segment count (write)");
    }
    /* Indirect: 0, one more than we advertised (32), and the 16-bit maximum. */
    struct lb_blkif_seg *s = (struct lb_blkif_seg *)bad_fe->pages[40];
    for (int i = 0; i < 512; i++)
        s[i] = (struct lb_blkif_seg){.gref = (uint32_t)i % 30, .last_sect = 7};
    uint32_t g[8] = {40, 40, 40, 40, 40, 40, 40, 40};
    static const uint16_t ind[] = {0, 33, 512, 4096, 65535};
    for (unsigned i = 0; i < sizeof(ind) / sizeof(ind[0]); i++) {
        indirect(e, LB_BLKIF_OP_READ, 30 + i, 0, ind[i], g, 8);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_READ, "indirect segment count");
    }
    /* 32 indirect segments (what we offer) are fine: 128 KiB read. */
    indirect(e, LB_BLKIF_OP_READ, 40, 0, 32, g, 1);
    expect(e, LB_BLKIF_RSP_OKAY, LB_BLKIF_OP_READ, "32 indirect segments");
    bystander_works(3);
}

static void sectors_outside_the_page(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    static const uint8_t fl[][2] = {{8, 8}, {0, 8}, {5, 2}, {255, 255}, {7, 255}, {0, 200}};
    for (unsigned i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
        rw(e, LB_BLKIF_OP_WRITE, 50 + i, 0, 2, 0);
        seg(e, 1, 1, fl[i][0], fl[i][1]);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, "first/last sector");
    }
    /* The same in an indirect page. */
    struct lb_blkif_seg *s = (struct lb_blkif_seg *)bad_fe->pages[40];
    s[0] = (struct lb_blkif_seg){.gref = 1, .first_sect = 3, .last_sect = 9};
    uint32_t g = 40;
    indirect(e, LB_BLKIF_OP_WRITE, 60, 0, 1, &g, 1);
    expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, "indirect first/last sector");
    assert_true(image_zero(0, 65536));
    bystander_works(4);
}

static void ranges_past_the_end(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    static const uint64_t start[] = {DISK_SECT,        DISK_SECT - 4,       DISK_SECT + 1000,
                                     UINT64_MAX - 3,   UINT64_MAX,          1ull << 55,
                                     (1ull << 63) + 1, UINT64_MAX / 512 + 1};
    for (unsigned i = 0; i < sizeof(start) / sizeof(start[0]); i++) {
        rw(e, LB_BLKIF_OP_READ, 70 + i, start[i], 1, 0);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_READ, "read range");
        rw(e, LB_BLKIF_OP_WRITE, 80 + i, start[i], 1, 0);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_WRITE, "write range");
    }
    /* Discards: past the end, wrapping around, empty. */
    static const uint64_t disc[][2] = {
        {DISK_SECT - 8, 16}, {8, UINT64_MAX}, {UINT64_MAX - 7, 16}, {DISK_SECT, 1}, {0, 0}};
    for (unsigned i = 0; i < sizeof(disc) / sizeof(disc[0]); i++) {
        discard(e, 90 + i, disc[i][0], disc[i][1]);
        expect(e, LB_BLKIF_RSP_ERROR, LB_BLKIF_OP_DISCARD, "discard range");
    }
    /* The last 4 KiB of the disk are fine. */
    rw(e, LB_BLKIF_OP_WRITE, 99, DISK_SECT - 8, 1, 0);
    expect(e, LB_BLKIF_RSP_OKAY, LB_BLKIF_OP_WRITE, "last page");
    bystander_works(5);
}

static void operations_not_offered(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    static const uint8_t ops[] = {LB_BLKIF_OP_WRITE_BARRIER, 4, 7, 8, 100, 255};
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        rw(e, ops[i], 110 + i, 0, 1, 0);
        expect_s(e, LB_BLKIF_RSP_EOPNOTSUPP, ops[i], 0, "unknown operation");
    }
    /* An indirect request whose inner operation is not a read or write. */
    uint32_t g = 40;
    static const uint8_t inner[] = {LB_BLKIF_OP_INDIRECT, LB_BLKIF_OP_DISCARD,
                                    LB_BLKIF_OP_FLUSH_DISKCACHE, 200};
    for (unsigned i = 0; i < sizeof(inner) / sizeof(inner[0]); i++) {
        indirect(e, inner[i], 120 + i, 0, 1, &g, 1);
        put_entry(bad_fe, e);
        assert_int_equal(pump(bad_fe, 1), 1);
        struct lb_blkif_response r = next_rsp(bad_fe);
        assert_int_equal(r.id, 120 + i);
        assert_true(r.status == LB_BLKIF_RSP_ERROR || r.status == LB_BLKIF_RSP_EOPNOTSUPP);
    }
    assert_false(bad_fe->dev.dead);
    bystander_works(6);
}

static void garbage_indirect_pages(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    srandom(17);
    unsigned errors = 0, oks = 0;
    for (int round = 0; round < 200; round++) {
        for (int p = 40; p < 48; p++)
            for (int i = 0; i < 4096; i++)
                bad_fe->pages[p][i] = (uint8_t)random();
        uint32_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = round % 4 ? 40 + (uint32_t)i : (uint32_t)random();
        indirect(e, round & 1 ? LB_BLKIF_OP_WRITE : LB_BLKIF_OP_READ, (uint64_t)round,
                 (uint64_t)random() % DISK_SECT, (uint16_t)(1 + random() % 32), g, 8);
        put_entry(bad_fe, e);
        assert_int_equal(pump(bad_fe, 1), 1);
        struct lb_blkif_response r = next_rsp(bad_fe);
        assert_int_equal(r.id, (uint64_t)round);
        if (r.status == LB_BLKIF_RSP_OKAY)
            oks++;
        else
            errors++;
        if (bad_fe->dev.dead)
            break;
        /* A good request now and then keeps it from being disconnected. */
        if (round % 4 == 3) {
            uint8_t ok[LB_BLKIF_ENTRY_SIZE];
            rw(ok, LB_BLKIF_OP_READ, 7, 0, 1, 0);
            put_entry(bad_fe, ok);
            assert_int_equal(pump(bad_fe, 1), 1);
            assert_int_equal(next_rsp(bad_fe).status, LB_BLKIF_RSP_OKAY);
        }
    }
    assert_false(bad_fe->dev.dead);
    assert_true(errors > 150); /* random segment lists are almost never valid */
    print_message("garbage indirect pages: %u errors, %u accepted\n", errors, oks);
    bystander_works(7);
}

static void writes_on_a_readonly_disk(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    fill(bad_fe->pages[0], 4096, 3);
    for (int i = 0; i < 3 * LB_MAX_STRIKES; i++) {
        rw(e, LB_BLKIF_OP_WRITE, (uint64_t)i, (uint64_t)i * 8, 1, 0);
        put_entry(bad_fe, e);
    }
    discard(e, 100, 0, 8);
    put_entry(bad_fe, e);
    rw(e, LB_BLKIF_OP_FLUSH_DISKCACHE, 101, 0, 1, 0); /* a flush carrying data */
    put_entry(bad_fe, e);
    uint32_t n = 3 * LB_MAX_STRIKES + 2;
    assert_int_equal(pump(bad_fe, n), n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_not_equal(next_rsp(bad_fe).status, LB_BLKIF_RSP_OKAY);
    /* Refused, not malformed: never disconnected for it, and the file is untouched. */
    assert_false(bad_fe->dev.dead);
    assert_int_equal(bad_fe->q.strikes, 0);
    assert_true(image_zero(0, 65536));
    rw(e, LB_BLKIF_OP_READ, 200, 0, 1, 0);
    expect_s(e, LB_BLKIF_RSP_OKAY, LB_BLKIF_OP_READ, 0, "read on a read-only disk");
    bystander_works(8);
}

static void duplicate_and_looping_ids(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    /* Five full rings of requests all carrying id 7, reads and writes mixed. */
    for (int round = 0; round < 5; round++) {
        for (unsigned i = 0; i < NR_ENTS; i++) {
            rw(e, i & 1 ? LB_BLKIF_OP_WRITE : LB_BLKIF_OP_READ, 7, i * 8, 1, i % 8);
            put_entry(bad_fe, e);
        }
        assert_int_equal(pump(bad_fe, NR_ENTS), NR_ENTS);
        for (unsigned i = 0; i < NR_ENTS; i++) {
            struct lb_blkif_response r = next_rsp(bad_fe);
            assert_int_equal(r.id, 7);
            assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
        }
    }
    assert_false(bad_fe->dev.dead);
    bystander_works(9);
}

static void malformed_in_a_row_disconnects(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    for (int i = 0; i < LB_MAX_STRIKES + 4; i++) {
        rw(e, LB_BLKIF_OP_READ, (uint64_t)i, 0, 12, 0);
        put_entry(bad_fe, e);
    }
    kick(bad_fe);
    assert_true(bad_fe->dev.dead);
    /* It was stopped at the 8th: the rest are not taken. */
    assert_int_equal(bad_fe->q.ring.req_cons, LB_MAX_STRIKES);
    disconnect_if_dead(bad_fe);
    /* Whatever it does now is not looked at. */
    rw(e, LB_BLKIF_OP_READ, 500, 0, 1, 0);
    put_entry(bad_fe, e);
    kick(bad_fe);
    bystander_works(10);
}

static void req_prod_far_ahead(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    rw(e, LB_BLKIF_OP_READ, 1, 0, 1, 0);
    put_entry(bad_fe, e);
    assert_int_equal(pump(bad_fe, 1), 1);
    next_rsp(bad_fe);
    uint32_t rsp = sr(bad_fe)->rsp_prod;
    sr(bad_fe)->req_prod += 1000;
    kick(bad_fe);
    assert_true(bad_fe->dev.dead);
    assert_int_equal(sr(bad_fe)->rsp_prod, rsp); /* nothing answered past the garbage */
    disconnect_if_dead(bad_fe);
    bystander_works(11);
    /* Going backwards is as impossible (a huge unsigned distance). */
    assert_int_equal(teardown(NULL), 0);
    assert_int_equal(setup(NULL), 0);
    sr(bad_fe)->req_prod = (uint32_t)-5;
    kick(bad_fe);
    assert_true(bad_fe->dev.dead);
    disconnect_if_dead(bad_fe);
    bystander_works(12);
}

/* The frontend never reads a response and keeps moving req_prod on, so the backend reads
 * its own old responses as requests; one step further than the ring allows while every
 * slot is still owed an answer is an impossible index. */
static void ring_never_drained(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    for (unsigned i = 0; i < NR_ENTS; i++) {
        rw(e, LB_BLKIF_OP_READ, i, 0, 1, 0);
        put_entry(bad_fe, e);
    }
    assert_int_equal(pump(bad_fe, NR_ENTS), NR_ENTS);
    unsigned rounds = 0;
    for (; rounds < 50 && !bad_fe->dev.dead; rounds++) {
        uint32_t before = sr(bad_fe)->rsp_prod;
        __atomic_store_n(&sr(bad_fe)->req_prod, sr(bad_fe)->req_prod + NR_ENTS, __ATOMIC_RELEASE);
        uint32_t got = pump(bad_fe, (sr(bad_fe)->rsp_prod - bad_fe->rsp_cons) + NR_ENTS);
        (void)got;
        assert_true(sr(bad_fe)->rsp_prod == before + NR_ENTS || bad_fe->dev.dead);
        bystander_works((uint8_t)(20 + rounds % 50));
    }
    print_message("ring never drained: %u rounds, %s\n", rounds,
                  bad_fe->dev.dead ? "disconnected" : "answered");
    disconnect_if_dead(bad_fe);
    /* Fresh: 32 requests held by the backend is the ring's limit; a 33rd is impossible. */
    assert_int_equal(teardown(NULL), 0);
    assert_int_equal(setup(NULL), 0);
    for (unsigned i = 0; i < NR_ENTS; i++) {
        rw(e, LB_BLKIF_OP_READ, i, 0, 1, 0);
        put_entry(bad_fe, e);
    }
    assert_int_equal(pump(bad_fe, NR_ENTS), NR_ENTS);
    sr(bad_fe)->req_prod = sr(bad_fe)->rsp_prod + NR_ENTS + 1;
    kick(bad_fe);
    assert_true(bad_fe->dev.dead);
    disconnect_if_dead(bad_fe);
    bystander_works(13);
}

/* Random ring entries (random grefs, counts, sectors, ops) a few thousand times, with the
 * strike counter reset by a good request now and then; a disconnect ends the run. */
static void random_entries(void **state)
{
    (void)state;
    uint8_t e[LB_BLKIF_ENTRY_SIZE];
    srandom(4242);
    unsigned answered = 0;
    for (int i = 0; i < 3000 && !bad_fe->dev.dead; i++) {
        for (size_t b = 0; b < sizeof(e); b++)
            e[b] = (uint8_t)random();
        e[0] = (uint8_t)(random() % 8); /* mostly known operations */
        if (random() % 2) {
            uint64_t sec = (uint64_t)random() % (DISK_SECT + 64);
            memcpy(e + 16, &sec, 8);
        }
        if (random() % 2)
            e[1] = (uint8_t)(random() % 13);
        put_entry(bad_fe, e);
        if (i % 5 == 4) {
            uint8_t ok[LB_BLKIF_ENTRY_SIZE];
            rw(ok, LB_BLKIF_OP_READ, 7, 0, 1, 0);
            put_entry(bad_fe, ok);
        }
        uint32_t want = sr(bad_fe)->req_prod - bad_fe->rsp_cons;
        if (want >= NR_ENTS / 2 || i % 7 == 0) {
            uint32_t got = pump(bad_fe, want);
            if (!bad_fe->dev.dead)
                assert_int_equal(got, want);
            while (bad_fe->rsp_cons != sr(bad_fe)->rsp_prod) {
                next_rsp(bad_fe);
                answered++;
            }
        }
    }
    print_message("random entries: %u answered, %s\n", answered,
                  bad_fe->dev.dead ? "then disconnected" : "still connected");
    disconnect_if_dead(bad_fe);
    bystander_works(14);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    the_lb.epfd = epoll_create1(EPOLL_CLOEXEC);
    the_lb.evtchn = the_lb.gntdev = -1;
    if (the_lb.epfd < 0 || io_init(&the_lb))
        return 1;
    /* The engine added its io_uring eventfd to the loop (lb_add_fd): polled here. */
    if (the_lb.nfds == 1) {
        efd = the_lb.fds[0].fd;
        efd_fn = the_lb.fds[0].fn;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_grant_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(segment_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(sectors_outside_the_page, setup, teardown),
        cmocka_unit_test_setup_teardown(ranges_past_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(operations_not_offered, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_indirect_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(writes_on_a_readonly_disk, setup_readonly, teardown),
        cmocka_unit_test_setup_teardown(duplicate_and_looping_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_in_a_row_disconnects, setup, teardown),
        cmocka_unit_test_setup_teardown(req_prod_far_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(ring_never_drained, setup, teardown),
        cmocka_unit_test_setup_teardown(random_entries, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
    io_fini();
    close(the_lb.epfd);
    return rc;
}
