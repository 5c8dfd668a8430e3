/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Requests: taken from the ring, checked (lb_blk_parse), their data moved between the
 * guest's pages and a buffer of ours with grant copy, and the buffer read or written with
 * io_uring at the file extents libimage maps. Responses are published in the order the
 * requests were taken, so a restarted backend finds every unanswered one still in the ring
 * (lb_ring_resume). Flush and discard are synchronous (fdatasync, hole punching).
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "blkback.h"

#define URING_DEPTH 256

struct breq {
    struct bqueue *bq;
    struct lb_blk_req r;
    struct lb_blkif_seg *segs; /* r.seg, or the indirect request's own array */
    uint8_t *buf;
    size_t len;
    unsigned ios; /* io_uring operations not completed */
    int16_t status;
    bool busy, done;
};

/* One io_uring operation: a piece of a request's buffer at one file extent. */
struct bio {
    struct breq *rq;
    uint32_t len;
};

static struct io_uring ring;
static bool have_uring;
static int efd = -1;
static struct lb *the_lb;

static void complete(struct breq *rq, int16_t status);
static void publish(struct bqueue *bq);

/* ---- data between the guest's pages and our buffer ---- */
static int copy_segs(struct breq *rq, bool to_guest)
{
    struct lb_dev *d = rq->bq->q->dev;
    struct lb_copy c[LB_BLKIF_MAX_SEGS];
    size_t pos = 0;
    for (uint32_t i = 0; i < rq->r.nr_segs;) {
        unsigned n = 0;
        for (; n < LB_BLKIF_MAX_SEGS && i < rq->r.nr_segs; n++, i++) {
            const struct lb_blkif_seg *s = &rq->segs[i];
            uint16_t len = (uint16_t)((s->last_sect - s->first_sect + 1) * 512);
            c[n] = (struct lb_copy){s->gref, (uint16_t)(s->first_sect * 512), len, rq->buf + pos,
                                    to_guest};
            pos += len;
        }
        int err = lb_grant_copy(the_lb, d->fe_domid, c, n);
        if (err)
            return err;
    }
    return 0;
}

static int read_indirect(struct breq *rq)
{
    struct lb_dev *d = rq->bq->q->dev;
    uint32_t n = rq->r.nr_indirect_pages;
    size_t bytes = (size_t)rq->r.nr_segs * sizeof(struct lb_blkif_seg);
    uint8_t *pages = malloc(bytes);
    rq->segs = malloc(bytes);
    if (!pages || !rq->segs) {
        free(pages);
        return ENOMEM;
    }
    struct lb_copy c[LB_BLKIF_MAX_INDIRECT_PAGES];
    for (uint32_t i = 0; i < n; i++) {
        size_t off = (size_t)i * LB_PAGE_SIZE;
        size_t len = bytes - off < LB_PAGE_SIZE ? bytes - off : LB_PAGE_SIZE;
        c[i] = (struct lb_copy){rq->r.indirect_grefs[i], 0, (uint16_t)len, pages + off, false};
    }
    int err = lb_grant_copy(the_lb, d->fe_domid, c, n);
    if (!err) {
        const struct disk *k = rq->bq->disk;
        if (lb_blk_parse_indirect(pages, bytes, &k->lim, &rq->r, rq->segs) != LB_BLK_OK)
            err = EINVAL;
    }
    free(pages);
    return err;
}

/* ---- file I/O ---- */
static int sync_io(const struct breq *rq, int fd, uint8_t *p, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = rq->r.op == LB_BLKIF_OP_READ ? pread(fd, p, len, (off_t)off)
                                                 : pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int submit_extent(struct breq *rq, int fd, uint8_t *p, size_t len, uint64_t off)
{
    struct io_uring_sqe *sqe = have_uring ? io_uring_get_sqe(&ring) : NULL;
    if (!sqe && have_uring) {
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    struct bio *b = sqe ? malloc(sizeof(*b)) : NULL;
    if (!b) {
        if (sqe)
            io_uring_prep_nop(sqe); /* an sqe taken must be used; its cqe has no data */
        return sync_io(rq, fd, p, len, off);
    }
    *b = (struct bio){rq, (uint32_t)len};
    if (rq->r.op == LB_BLKIF_OP_READ)
        io_uring_prep_read(sqe, fd, p, (unsigned)len, off);
    else
        io_uring_prep_write(sqe, fd, p, (unsigned)len, off);
    io_uring_sqe_set_data(sqe, b);
    rq->ios++;
    rq->bq->inflight++;
    return 0;
}

static int start_rw(struct breq *rq)
{
    const struct disk *k = rq->bq->disk;
    bool write = rq->r.op != LB_BLKIF_OP_READ;
    rq->len = rq->r.nr_sectors * 512;
    if (posix_memalign((void **)&rq->buf, LB_PAGE_SIZE, rq->len ? rq->len : LB_PAGE_SIZE))
        return ENOMEM;
    if (write) {
        int err = copy_segs(rq, false);
        if (err)
            return err;
    }
    uint64_t off = rq->r.sector * 512;
    for (size_t pos = 0; pos < rq->len;) {
        struct img_extent ext;
        int err = img_map(k->img, off + pos, rq->len - pos, write ? IMG_MAP_WRITE : 0, &ext);
        if (err)
            return -err;
        if (ext.length == 0 || ext.length > rq->len - pos)
            return EIO;
        if (ext.kind == IMG_EXT_ZERO) {
            if (write)
                return EIO; /* a write mapping always has somewhere to go */
            memset(rq->buf + pos, 0, ext.length);
        } else {
            err = submit_extent(rq, ext.fd, rq->buf + pos, ext.length, ext.offset);
            if (err)
                return err;
        }
        pos += ext.length;
    }
    return 0;
}

/* ---- one request ---- */
static void finish_io(struct breq *rq, int err)
{
    if (!err && rq->r.op == LB_BLKIF_OP_READ && copy_segs(rq, true))
        err = EIO;
    complete(rq, err ? LB_BLKIF_RSP_ERROR : LB_BLKIF_RSP_OKAY);
}

/* A request the guest got wrong: answered with an error; too many in a row and the
 * frontend is disconnected. */
static void bad(struct breq *rq, const char *why)
{
    complete(rq, LB_BLKIF_RSP_ERROR);
    lb_queue_strike(rq->bq->q, why);
}

static void start(struct breq *rq, const uint8_t *entry)
{
    const struct disk *k = rq->bq->disk;
    rq->segs = rq->r.seg;
    switch (lb_blk_parse(entry, &k->lim, &rq->r)) {
    case LB_BLK_BAD:
        bad(rq, "malformed requests");
        return;
    case LB_BLK_UNSUPPORTED:
        complete(rq, LB_BLKIF_RSP_EOPNOTSUPP);
        return;
    case LB_BLK_REFUSED:
        complete(rq, LB_BLKIF_RSP_ERROR);
        return;
    case LB_BLK_INDIRECT:
        if (read_indirect(rq)) {
            bad(rq, "bad indirect requests");
            return;
        }
        break;
    case LB_BLK_OK:
        break;
    }
    lb_queue_good(rq->bq->q);
    int err = 0;
    switch (rq->r.op) {
    case LB_BLKIF_OP_DISCARD:
        err = -img_discard(k->img, rq->r.sector * 512, rq->r.nr_sectors * 512);
        complete(rq, err ? LB_BLKIF_RSP_ERROR : LB_BLKIF_RSP_OKAY);
        return;
    case LB_BLKIF_OP_FLUSH_DISKCACHE:
        /* Everything completed before is made durable first (Linux blkback's preflush);
         * data it carries is then written like any write. */
        err = -img_flush(k->img);
        if (err || rq->r.nr_segs == 0) {
            complete(rq, err ? LB_BLKIF_RSP_ERROR : LB_BLKIF_RSP_OKAY);
            return;
        }
        break;
    default:
        break;
    }
    err = start_rw(rq);
    if (rq->ios == 0)
        finish_io(rq, err);
    else if (err)
        rq->status = LB_BLKIF_RSP_ERROR; /* what was submitted completes, then the error */
}

static void complete(struct breq *rq, int16_t status)
{
    if (rq->status == LB_BLKIF_RSP_OKAY)
        rq->status = status;
    rq->done = true;
    free(rq->buf);
    rq->buf = NULL;
    if (rq->segs != rq->r.seg)
        free(rq->segs);
    rq->segs = NULL;
}

/* Answers the completed requests at the head, in the order they were taken. */
static void publish(struct bqueue *bq)
{
    struct lb_ring *r = &bq->q->ring;
    bool any = false;
    while (r->rsp_prod_pvt != r->req_cons) {
        struct breq *rq = &bq->slots[r->rsp_prod_pvt & (r->nr_ents - 1)];
        if (!rq->done)
            break;
        struct lb_blkif_response rsp = {
            .id = rq->r.id, .operation = rq->r.rsp_op, .status = rq->status};
        lb_ring_put_response(r, &rsp, sizeof(rsp));
        rq->busy = rq->done = false;
        any = true;
    }
    if (any)
        lb_queue_notify(bq->q);
}

/* Takes every request there is, then the final check; io_uring work is submitted once. */
static void consume(struct bqueue *bq)
{
    struct lb_ring *r = &bq->q->ring;
    for (;;) {
        uint32_t n;
        if (lb_ring_pending(r, &n) < 0) {
            lb_queue_fatal(bq->q, "impossible ring index");
            return;
        }
        for (uint32_t i = 0; i < n && !bq->q->dev->dead; i++) {
            struct breq *rq = &bq->slots[r->req_cons & (r->nr_ents - 1)];
            uint8_t entry[LB_BLKIF_ENTRY_SIZE];
            lb_ring_take(r, entry, sizeof(entry));
            *rq = (struct breq){.bq = bq, .busy = true};
            start(rq, entry);
        }
        if (bq->q->dev->dead || !lb_ring_final_check(r))
            break;
    }
    if (have_uring)
        io_uring_submit(&ring);
    publish(bq);
}

void io_queue_kick(struct lb_queue *q)
{
    struct bqueue *bq = q->priv;
    if (bq && !bq->stopping && !q->dev->dead)
        consume(bq);
}

/* ---- completions ---- */
static void reap(void)
{
    struct io_uring_cqe *cqe;
    while (io_uring_peek_cqe(&ring, &cqe) == 0) {
        struct bio *b = io_uring_cqe_get_data(cqe);
        int res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
        if (!b)
            continue;
        struct breq *rq = b->rq;
        struct bqueue *bq = rq->bq;
        if (res < 0 || (uint32_t)res != b->len)
            rq->status = LB_BLKIF_RSP_ERROR; /* short transfers included */
        free(b);
        bq->inflight--;
        if (--rq->ios == 0) {
            finish_io(rq, rq->status != LB_BLKIF_RSP_OKAY);
            publish(bq);
            /* Answers made room: take what the frontend queued meanwhile. */
            if (!bq->stopping && !bq->q->dev->dead)
                consume(bq);
        }
    }
}

static void on_eventfd(void *arg)
{
    (void)arg;
    uint64_t v;
    if (read(efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        lb_log("io_uring eventfd: %s", strerror(errno));
    reap();
}

/* ---- queues ---- */
int io_queue_start(struct lb_queue *q)
{
    struct bqueue *bq = calloc(1, sizeof(*bq));
    if (!bq)
        return ENOMEM;
    bq->slots = calloc(q->ring.nr_ents, sizeof(*bq->slots));
    if (!bq->slots) {
        free(bq);
        return ENOMEM;
    }
    bq->q = q;
    bq->disk = q->dev->priv;
    q->priv = bq;
    return 0;
}

void io_queue_stop(struct lb_queue *q)
{
    struct bqueue *bq = q->priv;
    if (!bq)
        return;
    /* Nothing may touch the ring or the guest's grants once it is unmapped: wait for
     * this queue's I/O (answering it, the frontend may still be there). */
    bq->stopping = true;
    while (bq->inflight && have_uring) {
        struct io_uring_cqe *cqe;
        io_uring_submit(&ring);
        int err = io_uring_wait_cqe(&ring, &cqe);
        if (err < 0 && err != -EINTR) {
            /* Completions would land in freed memory: keep it (a leak, not a crash). */
            lb_log("io_uring: %s while stopping a queue", strerror(-err));
            q->priv = NULL;
            return;
        }
        reap();
    }
    publish(bq);
    free(bq->slots);
    free(bq);
    q->priv = NULL;
}

int io_init(struct lb *lb)
{
    the_lb = lb;
    int err = io_uring_queue_init(URING_DEPTH, &ring, 0);
    if (err < 0) {
        lb_log("io_uring: %s; doing I/O synchronously", strerror(-err));
        return 0;
    }
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0 || io_uring_register_eventfd(&ring, efd) < 0 ||
        lb_add_fd(lb, efd, on_eventfd, NULL)) {
        lb_log("io_uring eventfd: %s", strerror(errno));
        io_uring_queue_exit(&ring);
        return -1;
    }
    have_uring = true;
    return 0;
}

void io_fini(void)
{
    if (have_uring)
        io_uring_queue_exit(&ring);
    have_uring = false;
    if (efd >= 0)
        close(efd);
    efd = -1;
}
