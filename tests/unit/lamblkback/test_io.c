/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lamblkback's request engine (io.c) on the host: a ring page we fill as blkfront would,
 * "guest pages" that grant references index, a real raw image (libimage) and a real
 * io_uring. What libbackend does with the hypervisor (grant copy, notify, strikes) is
 * replaced here by plain memory, so every answer can be checked: data in the file, data
 * back in the guest's pages, statuses, and responses in the order requests were taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "blkback.h"

#define GUEST_PAGES 64
static _Alignas(4096) uint8_t guest[GUEST_PAGES][4096];
static _Alignas(4096) uint8_t ring_page[4096];
static struct lb_dev dev;
static struct lb_queue queue;
static struct disk disk;
static char path[64];
static int strikes, fatal, notifies;
static int efd = -1;
static void (*efd_fn)(void *);

/* ---- libbackend, standing in ---- */
int lb_grant_copy(struct lb *lb, unsigned domid, const struct lb_copy *c, unsigned n)
{
    (void)lb;
    (void)domid;
    for (unsigned i = 0; i < n; i++) {
        if (c[i].gref >= GUEST_PAGES || c[i].offset + c[i].len > 4096)
            return EIO;
        uint8_t *g = guest[c[i].gref] + c[i].offset;
        if (c[i].to_guest)
            memcpy(g, c[i].local, c[i].len);
        else
            memcpy(c[i].local, g, c[i].len);
    }
    return 0;
}
void lb_queue_notify(struct lb_queue *q)
{
    if (lb_ring_push_responses(&q->ring))
        notifies++;
}
bool lb_queue_strike(struct lb_queue *q, const char *why)
{
    (void)why;
    if (++strikes >= LB_MAX_STRIKES)
        lb_queue_fatal(q, why);
    return !q->dev->dead;
}
void lb_queue_good(struct lb_queue *q)
{
    (void)q;
}
void lb_queue_fatal(struct lb_queue *q, const char *why)
{
    (void)why;
    fatal++;
    q->dev->dead = true;
}
void lb_log(const char *fmt, ...)
{
    (void)fmt;
}
int lb_add_fd(struct lb *lb, int fd, void (*fn)(void *arg), void *arg)
{
    (void)lb;
    (void)arg;
    efd = fd;
    efd_fn = fn;
    return 0;
}

/* ---- the frontend's side ---- */
static struct lb_sring *sring(void)
{
    return (struct lb_sring *)ring_page;
}

static void put_req(const uint8_t *e)
{
    struct lb_sring *s = sring();
    memcpy(s->ring + (s->req_prod % 32) * 112, e, 112);
    s->req_prod++;
}

static void rw_req(uint8_t *e, uint8_t op, uint64_t id, uint64_t sector, unsigned nsegs,
                   uint32_t first_gref)
{
    memset(e, 0, 112);
    e[0] = op;
    e[1] = (uint8_t)nsegs;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    for (unsigned i = 0; i < nsegs && i < LB_BLKIF_MAX_SEGS; i++) {
        struct lb_blkif_seg s = {.gref = first_gref + i, .first_sect = 0, .last_sect = 7};
        memcpy(e + 24 + 8 * i, &s, 8);
    }
}

static uint32_t rsp_cons;

static struct lb_blkif_response rsp_at(uint32_t i)
{
    struct lb_blkif_response r;
    memcpy(&r, sring()->ring + (i % 32) * 112, sizeof(r));
    return r;
}

/* Runs the backend until `want` responses beyond rsp_cons are there (or 2 s pass). */
static void pump(uint32_t want)
{
    io_queue_kick(&queue);
    for (int i = 0; i < 200 && sring()->rsp_prod - rsp_cons < want; i++) {
        struct pollfd p = {.fd = efd, .events = POLLIN};
        if (poll(&p, 1, 10) > 0)
            efd_fn(NULL);
    }
    assert_int_equal(sring()->rsp_prod - rsp_cons, want);
}

static struct lb_blkif_response next_rsp(void)
{
    return rsp_at(rsp_cons++);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/lamblkback-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 1 << 20))
        return -1;
    close(fd);
    char why[IMG_ERR_MAX];
    if (img_open(path, IMG_FORMAT_RAW, 0, &disk.img, why))
        return -1;
    disk.lim = (struct lb_blk_limits){.sectors = 2048,
                                      .sector_size = 512,
                                      .max_indirect = BLK_MAX_INDIRECT,
                                      .flush = true,
                                      .discard = true};
    memset(ring_page, 0, sizeof(ring_page));
    sring()->req_event = sring()->rsp_event = 1;
    rsp_cons = 0;
    strikes = fatal = notifies = 0;
    dev = (struct lb_dev){.fe_domid = 1, .priv = &disk};
    queue = (struct lb_queue){.dev = &dev};
    lb_ring_attach(&queue.ring, ring_page, sizeof(ring_page), LB_BLKIF_ENTRY_SIZE);
    if (io_init(NULL) || io_queue_start(&queue))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    io_queue_stop(&queue);
    io_fini();
    img_close(disk.img);
    unlink(path);
    return 0;
}

static void file_at(uint64_t off, uint8_t *buf, size_t n)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, n, (off_t)off), (ssize_t)n);
    close(fd);
}

static void write_then_read_back(void **state)
{
    (void)state;
    uint8_t e[112];
    fill(guest[1], 4096, 3);
    fill(guest[2], 4096, 4);
    rw_req(e, LB_BLKIF_OP_WRITE, 100, 8, 2, 1); /* 8 KiB at 4 KiB */
    put_req(e);
    pump(1);
    struct lb_blkif_response r = next_rsp();
    assert_int_equal(r.id, 100);
    assert_int_equal(r.operation, LB_BLKIF_OP_WRITE);
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    assert_true(notifies > 0);
    static uint8_t want[8192], got[8192];
    memcpy(want, guest[1], 4096);
    memcpy(want + 4096, guest[2], 4096);
    file_at(4096, got, sizeof(got));
    assert_memory_equal(got, want, sizeof(got));
    /* Read it back into other pages; a hole next to it reads as zeroes. */
    memset(guest[10], 0xee, 4096 * 3);
    rw_req(e, LB_BLKIF_OP_READ, 101, 8, 3, 10);
    put_req(e);
    pump(1);
    r = next_rsp();
    assert_int_equal(r.id, 101);
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    assert_memory_equal(guest[10], want, 8192);
    static const uint8_t zero[4096];
    assert_memory_equal(guest[12], zero, 4096);
}

static void answers_keep_request_order(void **state)
{
    (void)state;
    uint8_t e[112];
    fill(guest[5], 4096, 9);
    rw_req(e, LB_BLKIF_OP_WRITE, 1, 0, 1, 5); /* goes to io_uring */
    put_req(e);
    rw_req(e, LB_BLKIF_OP_READ, 2, 0, 1, 6);
    e[24 + 5] = 9; /* last_sect 9: malformed, answered at once */
    put_req(e);
    rw_req(e, LB_BLKIF_OP_WRITE_BARRIER, 3, 0, 0, 0); /* not offered */
    put_req(e);
    pump(3);
    struct lb_blkif_response a = next_rsp(), b = next_rsp(), c = next_rsp();
    assert_int_equal(a.id, 1);
    assert_int_equal(a.status, LB_BLKIF_RSP_OKAY);
    assert_int_equal(b.id, 2);
    assert_int_equal(b.status, LB_BLKIF_RSP_ERROR);
    assert_int_equal(c.id, 3);
    assert_int_equal(c.status, LB_BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(strikes, 1);
}

static void bad_grant_is_an_error(void **state)
{
    (void)state;
    uint8_t e[112];
    rw_req(e, LB_BLKIF_OP_WRITE, 7, 0, 1, 500); /* a grant the "guest" never gave */
    put_req(e);
    rw_req(e, LB_BLKIF_OP_READ, 8, 2040, 2, 1); /* past the end of the disk */
    put_req(e);
    pump(2);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_ERROR);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_ERROR);
}

static void protocol_breaker_disconnected(void **state)
{
    (void)state;
    uint8_t e[112];
    for (int i = 0; i < LB_MAX_STRIKES; i++) {
        rw_req(e, LB_BLKIF_OP_READ, (uint64_t)i, 0, 12, 1); /* 12 direct segments */
        put_req(e);
    }
    io_queue_kick(&queue);
    assert_int_equal(fatal, 1);
    assert_true(dev.dead);
    /* An impossible index is fatal at once. */
    dev.dead = false;
    fatal = 0;
    sring()->req_prod += 1000;
    io_queue_kick(&queue);
    assert_int_equal(fatal, 1);
}

static void indirect_write_flush_discard(void **state)
{
    (void)state;
    /* 16 segments listed in an indirect page (gref 40), data in grefs 20..35. */
    struct lb_blkif_seg *segs = (struct lb_blkif_seg *)guest[40];
    for (int i = 0; i < 16; i++) {
        segs[i] = (struct lb_blkif_seg){.gref = 20 + (uint32_t)i, .first_sect = 0, .last_sect = 7};
        fill(guest[20 + i], 4096, (uint8_t)i);
    }
    uint8_t e[112] = {0};
    uint16_t n = 16;
    uint64_t id = 55, sector = 256;
    uint32_t g = 40;
    e[0] = LB_BLKIF_OP_INDIRECT;
    e[1] = LB_BLKIF_OP_WRITE;
    memcpy(e + 2, &n, 2);
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    memcpy(e + 28, &g, 4);
    put_req(e);
    rw_req(e, LB_BLKIF_OP_FLUSH_DISKCACHE, 56, 0, 0, 0);
    put_req(e);
    pump(2);
    struct lb_blkif_response r = next_rsp();
    assert_int_equal(r.id, 55);
    assert_int_equal(r.operation, LB_BLKIF_OP_WRITE); /* the inner op, as blkfront checks */
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    r = next_rsp();
    assert_int_equal(r.id, 56);
    assert_int_equal(r.status, LB_BLKIF_RSP_OKAY);
    static uint8_t got[4096];
    file_at(256 * 512 + 15 * 4096, got, 4096);
    assert_memory_equal(got, guest[35], 4096);
    /* Discard the first 8 of those pages: zeroes there, the rest kept. */
    memset(e, 0, sizeof(e));
    uint64_t nr = 64;
    id = 57;
    e[0] = LB_BLKIF_OP_DISCARD;
    memcpy(e + 8, &id, 8);
    memcpy(e + 16, &sector, 8);
    memcpy(e + 24, &nr, 8);
    put_req(e);
    pump(1);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_OKAY);
    static const uint8_t zero[4096];
    file_at(256 * 512, got, 4096);
    assert_memory_equal(got, zero, 4096);
    file_at(256 * 512 + 8 * 4096, got, 4096);
    assert_memory_equal(got, guest[28], 4096);
}

static void readonly_disk_refuses_writes(void **state)
{
    (void)state;
    disk.lim.readonly = true;
    uint8_t e[112];
    rw_req(e, LB_BLKIF_OP_WRITE, 9, 0, 1, 1);
    put_req(e);
    rw_req(e, LB_BLKIF_OP_READ, 10, 0, 1, 1);
    put_req(e);
    pump(2);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_ERROR);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_OKAY);
    assert_int_equal(strikes, 0); /* refused, not malformed */
}

/* The same engine on a qcow2 image qemu-img made: clusters allocated as the guest writes,
 * the data back, and qemu-img check finds the image clean. Skipped without qemu-img. */
static void qcow2_write_read_check(void **state)
{
    (void)state;
    char q[96], cmd[256];
    snprintf(q, sizeof(q), "%s.qcow2", path);
    snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 %s 1M >/dev/null 2>&1", q);
    if (system(cmd) != 0) {
        skip();
        return;
    }
    struct img *raw = disk.img;
    char why[IMG_ERR_MAX];
    assert_int_equal(img_open(q, IMG_FORMAT_PROBE, 0, &disk.img, why), 0);
    assert_int_equal(img_format(disk.img), IMG_FORMAT_QCOW2);
    uint8_t e[112];
    fill(guest[3], 4096, 21);
    fill(guest[4], 4096, 22);
    rw_req(e, LB_BLKIF_OP_WRITE, 1, 1000, 2, 3); /* 8 KiB across two 64 KiB clusters */
    put_req(e);
    rw_req(e, LB_BLKIF_OP_FLUSH_DISKCACHE, 2, 0, 0, 0);
    put_req(e);
    pump(2);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_OKAY);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_OKAY);
    memset(guest[8], 0, 2 * 4096);
    rw_req(e, LB_BLKIF_OP_READ, 3, 1000, 2, 8);
    put_req(e);
    pump(1);
    assert_int_equal(next_rsp().status, LB_BLKIF_RSP_OKAY);
    assert_memory_equal(guest[8], guest[3], 4096);
    assert_memory_equal(guest[9], guest[4], 4096);
    img_close(disk.img);
    disk.img = raw;
    snprintf(cmd, sizeof(cmd), "qemu-img check -q %s >/dev/null 2>&1", q);
    int rc = system(cmd);
    unlink(q);
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_then_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(answers_keep_request_order, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_grant_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(protocol_breaker_disconnected, setup, teardown),
        cmocka_unit_test_setup_teardown(indirect_write_flush_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_disk_refuses_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(qcow2_write_read_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
