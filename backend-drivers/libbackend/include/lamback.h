/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libbackend: what every split-driver backend in dom0 user space shares.
 *
 *  - the shared ring (Xen's io/ring.h rules): consuming requests with a single copy out of
 *    shared memory, pushing responses with the notify check, the final check before
 *    sleeping, and the frontend's index checked against the ring size;
 *  - the blkif request parser (io/blkif.h), which trusts nothing the guest wrote;
 *  - the xenbus state machine of the backend side (lb_xenbus_next), as a pure function;
 *  - the frontend's store keys (ring-page-order, ring-refN, event-channel, queues) read
 *    and checked;
 *  - the event loop (epoll): the store watch on /local/domain/0/backend/TYPE, every
 *    device of every domain, rings mapped through /dev/xen/gntdev in one batch, event
 *    channels through /dev/xen/evtchn, and data moved with gntdev's grant copy.
 *
 * The pure parts (ring, blkif, xenbus, keys) are tested on plain memory and fuzzed; the
 * loop runs in dom0 (tests/system/dom0/disk.sh).
 */
#ifndef LAMINA_LAMBACK_H
#define LAMINA_LAMBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LB_PAGE_SIZE 4096u

/* ---- the shared ring ---- */
struct lb_sring {
    uint32_t req_prod, req_event; /* the frontend's index; the backend's wake-up threshold */
    uint32_t rsp_prod, rsp_event; /* the backend's index; the frontend's threshold */
    uint8_t pad[48];
    uint8_t ring[];
};
_Static_assert(__builtin_offsetof(struct lb_sring, ring) == 64, "ring entries @64");

struct lb_ring {
    struct lb_sring *s;
    size_t entry_size;
    uint32_t nr_ents; /* a power of two */
    uint32_t req_cons, rsp_prod_pvt;
};

/* Entries in a ring of bytes (io/ring.h's __RING_SIZE): round_down_pow2((bytes-64)/entry). */
uint32_t lb_ring_entries(size_t bytes, size_t entry_size);
/* The backend never initialises the page: the frontend did (SHARED_RING_INIT). */
void lb_ring_attach(struct lb_ring *r, void *mem, size_t bytes, size_t entry_size);
/*
 * A restarted backend takes over a ring a previous one served: it starts at the responses
 * the frontend has seen (rsp_prod), so every request not answered yet is consumed again.
 * This is exact because responses are published in the order requests were consumed (see
 * lb_ring_put_response): the slots from rsp_prod to req_prod still hold those requests.
 * -1 when the indices are impossible.
 */
int lb_ring_resume(struct lb_ring *r, void *mem, size_t bytes, size_t entry_size);
/*
 * Requests that can be consumed now. -1 when the frontend's req_prod is impossible (more
 * requests than the ring holds beyond the responses we produced): a protocol violation.
 */
int lb_ring_pending(struct lb_ring *r, uint32_t *n);
/* Copies the next request out of shared memory once (the copy is what gets checked). */
void lb_ring_take(struct lb_ring *r, void *dst, size_t len);
/* Writes one response (len <= entry_size) in the next response slot. Callers answer
 * requests in the order they took them (a later request that completes first waits), so
 * that a restarted backend can find every unanswered request (lb_ring_resume). */
void lb_ring_put_response(struct lb_ring *r, const void *rsp, size_t len);
/* Publishes the responses written; true when the frontend asked to be notified. */
bool lb_ring_push_responses(struct lb_ring *r);
/* Before sleeping: re-arms req_event and re-checks. true = more requests arrived (or the
 * index is broken: lb_ring_pending says which). */
bool lb_ring_final_check(struct lb_ring *r);

/* ---- blkif (io/blkif.h, x86-64 layout) ---- */
#define LB_BLKIF_OP_READ            0
#define LB_BLKIF_OP_WRITE           1
#define LB_BLKIF_OP_WRITE_BARRIER   2
#define LB_BLKIF_OP_FLUSH_DISKCACHE 3
#define LB_BLKIF_OP_DISCARD         5
#define LB_BLKIF_OP_INDIRECT        6
#define LB_BLKIF_MAX_SEGS           11
#define LB_BLKIF_MAX_INDIRECT_PAGES 8
#define LB_BLKIF_SEGS_PER_PAGE      512
#define LB_BLKIF_ENTRY_SIZE         112
#define LB_BLKIF_RSP_OKAY           0
#define LB_BLKIF_RSP_ERROR          (-1)
#define LB_BLKIF_RSP_EOPNOTSUPP     (-2)
#define LB_VDISK_CDROM              0x1
#define LB_VDISK_REMOVABLE          0x2
#define LB_VDISK_READONLY           0x4

struct lb_blkif_seg {
    uint32_t gref;
    uint8_t first_sect, last_sect;
    uint16_t pad;
};
_Static_assert(sizeof(struct lb_blkif_seg) == 8, "blkif segment is 8 bytes");

struct lb_blkif_response {
    uint64_t id;
    uint8_t operation;
    uint8_t pad;
    int16_t status;
    uint32_t pad2;
};
_Static_assert(sizeof(struct lb_blkif_response) == 16, "blkif response is 16 bytes");

/* What the device allows: requests are checked against it. */
struct lb_blk_limits {
    uint64_t sectors;      /* disk size in 512-byte units */
    uint32_t sector_size;  /* logical block size: 512 or a larger power of two */
    uint32_t max_indirect; /* segments per indirect request we advertised (0: none) */
    bool readonly, flush, discard;
};

#define LB_BLK_MAX_SEGS (LB_BLKIF_MAX_INDIRECT_PAGES * LB_BLKIF_SEGS_PER_PAGE)

/* A request, once checked. */
struct lb_blk_req {
    uint64_t id;
    uint8_t op;                  /* READ, WRITE, FLUSH_DISKCACHE (maybe with data), DISCARD */
    uint8_t rsp_op;              /* what the response carries (an indirect request's inner op) */
    bool secure;                 /* discard: BLKIF_DISCARD_SECURE asked */
    uint64_t sector, nr_sectors; /* 512-byte units, within the disk */
    uint32_t nr_segs;
    uint32_t nr_indirect_pages; /* > 0: the segments are still in these pages */
    uint32_t indirect_grefs[LB_BLKIF_MAX_INDIRECT_PAGES];
    struct lb_blkif_seg seg[LB_BLKIF_MAX_SEGS]; /* direct ones; indirect: the caller's array */
};

enum lb_blk_verdict {
    LB_BLK_OK,       /* well formed */
    LB_BLK_INDIRECT, /* well formed so far: read the indirect pages, then lb_blk_parse_indirect */
    LB_BLK_BAD,      /* malformed: answer BLKIF_RSP_ERROR (counts as a protocol strike) */
    LB_BLK_UNSUPPORTED, /* an operation not offered: answer BLKIF_RSP_EOPNOTSUPP */
    LB_BLK_REFUSED,     /* valid but not allowed (write to a read-only disk): ERROR, no strike */
};

/* Checks one ring entry (the private copy of LB_BLKIF_ENTRY_SIZE bytes). out->id and
 * out->rsp_op are set whatever the verdict, so every request can be answered. */
enum lb_blk_verdict lb_blk_parse(const void *entry, const struct lb_blk_limits *lim,
                                 struct lb_blk_req *out);
/* For LB_BLK_INDIRECT: the segments, copied out of the indirect pages (npages * 4096 bytes,
 * already a private copy), are checked and placed in segs (at least req->nr_segs). */
enum lb_blk_verdict lb_blk_parse_indirect(const void *pages, size_t bytes,
                                          const struct lb_blk_limits *lim, struct lb_blk_req *req,
                                          struct lb_blkif_seg *segs);

/* ---- the xenbus state machine, backend side ---- */
enum lb_xb_state {
    LB_XB_UNKNOWN = 0,
    LB_XB_INITIALISING = 1,
    LB_XB_INITWAIT = 2,
    LB_XB_INITIALISED = 3,
    LB_XB_CONNECTED = 4,
    LB_XB_CLOSING = 5,
    LB_XB_CLOSED = 6,
};

struct lb_xb_view {
    int be;         /* our state as we last wrote it */
    int fe;         /* the frontend's state (0: missing or unreadable) */
    bool removing;  /* the toolstack asked: "online" is not 1, or it wrote 5/6 in our state */
    bool fe_exists; /* the frontend's directory is there */
    bool connected; /* rings mapped and event channels bound */
};

enum lb_xb_action {
    LB_XB_NOTHING,
    LB_XB_INIT_WAIT,  /* publish InitWait keys, state 2 */
    LB_XB_CONNECT,    /* read the frontend's keys, map, bind, publish connect keys, state 4;
                       * with our state already 4 (a restarted backend), resume the rings */
    LB_XB_CLOSE,      /* state 5 */
    LB_XB_DISCONNECT, /* unmap, unbind, finish I/O, state 6 */
    LB_XB_REMOVE,     /* disconnect if needed, state 6, forget the device */
};

enum lb_xb_action lb_xenbus_next(const struct lb_xb_view *v);

/* ---- the frontend's keys ---- */
#define LB_MAX_RING_ORDER 4
#define LB_MAX_QUEUES     16

/* A decimal number in [0, max] with nothing else around it. */
bool lb_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* What a frontend asked for: ring pages and an event channel per queue. */
struct lb_fe_queue {
    uint32_t refs[1u << LB_MAX_RING_ORDER];
    uint32_t port;
};
struct lb_fe_config {
    unsigned ring_order, nr_queues;
    struct lb_fe_queue q[LB_MAX_QUEUES];
};
/* Reads one key of the frontend's directory ("ring-ref", "queue-1/event-channel"): 0 with
 * *out malloc'd, or an errno (ENOENT when absent). */
typedef int (*lb_key_reader)(void *ctx, const char *key, char **out);
/*
 * Reads and checks the frontend's ring keys against what we published (max_order,
 * max_queues): ring-page-order, multi-queue-num-queues, ring-ref / ring-refN and
 * event-channel (per queue-N/ with several queues), protocol (only x86_64-abi, the
 * native layout). 0, or an errno with the reason in why.
 */
int lb_fe_config_read(lb_key_reader rd, void *ctx, unsigned max_order, unsigned max_queues,
                      struct lb_fe_config *cfg, char *why, size_t why_len);

/* ---- the loop ---- */
struct lb;
struct lb_dev;
struct lb_queue;

struct lb_backend_ops {
    const char *type;        /* backend/TYPE in the store */
    size_t entry_size;       /* ring entry bytes */
    unsigned max_ring_order; /* published as max-ring-page-order */
    unsigned max_queues;     /* published as multi-queue-max-queues */
    /* A new device: open what it serves; write InitWait-time keys with lb_dev_write. 0 or
     * an errno (the device then goes to Closed). */
    int (*probe)(struct lb_dev *d);
    /* Before state 4: publish connect-time keys (sectors, info, ...). */
    int (*connect)(struct lb_dev *d);
    /* A queue's ring is mapped and its port bound. */
    int (*queue_start)(struct lb_queue *q);
    /* The frontend notified, or lb_queue_kick asked: consume the ring. */
    void (*queue_kick)(struct lb_queue *q);
    /* Before the ring is unmapped: finish or abandon every request (nothing may touch
     * the ring or the guest's grants afterwards). */
    void (*queue_stop)(struct lb_queue *q);
    /* The device is forgotten (after queue_stop of every queue). */
    void (*remove)(struct lb_dev *d);
};

struct lb_queue {
    struct lb_dev *dev;
    unsigned index;
    struct lb_ring ring;
    void *ring_mem;
    uint64_t gnt_index;
    unsigned ring_pages;
    uint32_t remote_port, local_port;
    unsigned strikes; /* malformed requests since the last good one */
    void *priv;
};

struct lb_dev {
    struct lb *lb;
    unsigned fe_domid, devid;
    char be_path[96], fe_path[128];
    int be_state;
    bool connected, dead;
    unsigned ring_order, nr_queues;
    struct lb_queue *queues;
    void *priv;     /* the backend's */
    void *priv_lib; /* the library's */
    struct lb_dev *next;
};

/* Frontends that send this many malformed requests in a row are disconnected. */
#define LB_MAX_STRIKES 8

/* Opens the store, gntdev and evtchn and watches backend/TYPE. NULL with a message on
 * stderr. */
struct lb *lb_open(const struct lb_backend_ops *ops);
void lb_close(struct lb *lb);
/* Runs until lb_stop (a signal handler may call it). */
int lb_run(struct lb *lb);
void lb_stop(struct lb *lb);
/* Another descriptor in the same loop (the backend's io_uring eventfd). */
int lb_add_fd(struct lb *lb, int fd, void (*fn)(void *arg), void *arg);
const struct lb_backend_ops *lb_ops(const struct lb *lb);
/* Every device the loop serves (fn must not remove it). */
void lb_for_each_dev(struct lb *lb, void (*fn)(struct lb_dev *d, void *arg), void *arg);

/* Store access for a device's keys (relative to its backend or frontend directory). */
int lb_dev_write(struct lb_dev *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* *out is malloc'd; ENOENT when absent. */
int lb_dev_read_be(struct lb_dev *d, const char *key, char **out);
int lb_dev_read_fe(struct lb_dev *d, const char *key, char **out);

/* Responses pushed: notify the frontend if it asked. */
void lb_queue_notify(struct lb_queue *q);
/* A malformed request: counts, and disconnects the device after LB_MAX_STRIKES. Returns
 * false when the device is being disconnected (stop consuming). */
bool lb_queue_strike(struct lb_queue *q, const char *why);
void lb_queue_good(struct lb_queue *q);
/* The ring itself is broken (impossible index): disconnect now. */
void lb_queue_fatal(struct lb_queue *q, const char *why);

/* Grant copy between the guest's pages and ours: one batch. */
struct lb_copy {
    uint32_t gref;
    uint16_t offset, len; /* within the guest's page; offset + len <= 4096 */
    void *local;
    bool to_guest;
};
/* 0 when every copy succeeded; else EIO (a bad grant) or the ioctl's errno. */
int lb_grant_copy(struct lb *lb, unsigned domid, const struct lb_copy *c, unsigned n);

void lb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
