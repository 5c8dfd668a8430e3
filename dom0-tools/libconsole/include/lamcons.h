/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libconsole: the pieces of the console service that need no hypervisor, so they are
 * tested on plain memory (tests/unit/libconsole) and fuzzed (tests/fuzz/console):
 *  - the guest's console ring page (Xen's struct xencons_interface): reading what the
 *    guest wrote, writing what dom0 types, with every index the guest controls checked;
 *  - a bounded byte queue (a client that reads slowly, a guest that does not drain its
 *    input, the history replayed on attach: nothing grows without bound);
 *  - the per-domain log file, capped in size and rotated;
 *  - the event rate limit (xenconsoled's: 30 events per 200 ms window);
 *  - which domain names may become file names;
 *  - the client side of lamconsoled's attach socket (used by `lam console`).
 */
#ifndef LAMINA_LAMCONS_H
#define LAMINA_LAMCONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the ring page: Xen's public io/console.h, one 4 KiB page ---- */
#define LCONS_IN_SIZE  1024 /* dom0 -> guest */
#define LCONS_OUT_SIZE 2048 /* guest -> dom0 */
struct lcons_page {
    char in[LCONS_IN_SIZE];
    char out[LCONS_OUT_SIZE];
    uint32_t in_cons, in_prod;   /* in_cons: the guest's; in_prod: ours */
    uint32_t out_cons, out_prod; /* out_cons: ours; out_prod: the guest's */
    uint8_t connection;          /* LCONS_CONNECTED once the backend serves the ring */
};
_Static_assert(__builtin_offsetof(struct lcons_page, in_cons) == 3072, "in_cons @3072");
_Static_assert(__builtin_offsetof(struct lcons_page, out_prod) == 3084, "out_prod @3084");
_Static_assert(__builtin_offsetof(struct lcons_page, connection) == 3088, "connection @3088");
#define LCONS_CONNECTED    0
#define LCONS_DISCONNECTED 1

/* What a guest left in its indices when they made no sense (prod - cons > ring size). */
struct lcons_bad {
    uint32_t cons, prod;
};

/*
 * Takes up to max bytes the guest wrote (out[] from out_cons) into dst and advances
 * out_cons. Returns the bytes taken (0: nothing new), or -1 when the guest's indices are
 * inconsistent (*bad says what they were; nothing is taken or changed). Each index is
 * loaded once, so a guest changing them meanwhile cannot make us read outside out[].
 */
ssize_t lcons_take_output(struct lcons_page *p, void *dst, size_t max, struct lcons_bad *bad);
/*
 * Puts up to len bytes into in[] at in_prod and advances in_prod. Returns the bytes put
 * (0: the guest has not drained in[]), or -1 when the indices are inconsistent.
 */
ssize_t lcons_put_input(struct lcons_page *p, const void *src, size_t len, struct lcons_bad *bad);

/* ---- a bounded byte queue ---- */
struct lcons_buf {
    char *data;
    size_t cap, head, len;
    uint64_t dropped; /* bytes refused (lcons_buf_put) since the last lcons_buf_take_dropped */
};
int lcons_buf_init(struct lcons_buf *b, size_t cap); /* 0, or -1 (no memory) */
void lcons_buf_free(struct lcons_buf *b);
/* Appends what fits; the rest is counted in b->dropped. Returns the bytes appended. */
size_t lcons_buf_put(struct lcons_buf *b, const void *src, size_t n);
/* Appends all n bytes, forgetting the oldest ones to make room (a history). */
void lcons_buf_put_overwrite(struct lcons_buf *b, const void *src, size_t n);
/* The oldest contiguous run of queued bytes (*len 0 when empty). */
const char *lcons_buf_peek(const struct lcons_buf *b, size_t *len);
void lcons_buf_consume(struct lcons_buf *b, size_t n);
/* Copies everything queued in from (oldest first) into to, as lcons_buf_put does. */
void lcons_buf_copy(struct lcons_buf *to, const struct lcons_buf *from);
static inline size_t lcons_buf_space(const struct lcons_buf *b)
{
    return b->cap - b->len;
}
/* Returns and clears the dropped count. */
uint64_t lcons_buf_take_dropped(struct lcons_buf *b);

/* ---- the log file: DIR/NAME.log, capped, the previous one kept as NAME.log.1 ---- */
#define LCONS_LOG_CAP_DEFAULT (1024 * 1024)
#define LCONS_LOG_CAP_MIN     4096
struct lcons_log {
    int fd;
    off_t size, cap;
    char path[512];
};
/* Opens (appending) DIR/NAME.log. 0, or an errno value. */
int lcons_log_open(struct lcons_log *l, const char *dir, const char *name, off_t cap);
/* Appends n bytes; when the file would pass the cap it is first renamed to NAME.log.1
 * (replacing the older one) and a new NAME.log started. 0, or an errno value. */
int lcons_log_write(struct lcons_log *l, const void *src, size_t n);
void lcons_log_close(struct lcons_log *l);

/* ---- the event rate limit: at most LCONS_RATE_EVENTS per LCONS_RATE_WINDOW_MS ---- */
#define LCONS_RATE_EVENTS    30
#define LCONS_RATE_WINDOW_MS 200
struct lcons_rate {
    uint64_t window_start;
    unsigned events;
};
/* Counts one event at now_ms; false when the window's budget is spent (the caller leaves
 * the port masked until lcons_rate_resume_at()). */
bool lcons_rate_event(struct lcons_rate *r, uint64_t now_ms);
uint64_t lcons_rate_resume_at(const struct lcons_rate *r);

/* ---- names ---- */
#define LCONS_NAME_MAX 64
/* A name usable as a file name and on the attach socket: 1-64 of [A-Za-z0-9._+-], not
 * starting with '.' or '-'. */
bool lcons_name_ok(const char *name);

/* ---- the attach socket (lamconsoled) ---- */
#define LCONS_SOCKET  "/run/lamina/console.sock"
#define LCONS_LOG_DIR "/var/log/lamina/console"
/*
 * The protocol: the client sends one line "ATTACH <name or id>\n"; the daemon answers
 * "OK <domid> <name>\n" followed by the domain's recent output (its history) and then
 * the live stream both ways, or "ERR <why>\n" and closes. The daemon closes the
 * connection when the domain is gone.
 */
#define LCONS_LINE_MAX 256

/* Connects to sock and asks for dom, waiting at most timeout_ms in all. Returns the
 * connected descriptor (the stream follows), or -1 with a message in why: errno is
 * ENOENT/ECONNREFUSED (no daemon), ETIMEDOUT (a daemon that does not answer) or 0 (the
 * daemon refused: why is its reason). */
int lcons_attach(const char *sock, const char *dom, int timeout_ms, unsigned *domid, char *name,
                 size_t name_len, char *why, size_t why_len);

#endif
