/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libxsclient: blocking store client (see xsclient.h), over the daemon's Unix
 * socket or, as Xen's libxenstore does when no daemon socket answers, over
 * the kernel's xenbus device (same wire protocol, relayed by dom0's kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xsclient.h"
#include "xsproto.h"

struct event {
    struct event *next;
    char *path, *token;
};

struct xsc {
    int fd;
    bool device; /* the kernel's xenbus device: write(), not send() */
    uint32_t next_req;
    struct event *ev_head, *ev_tail;
    int timeout_ms;   /* bound on each request, -1: none */
    int64_t deadline; /* CLOCK_MONOTONIC ms the current wait ends at, -1: none */
    int broken;       /* the errno that left the stream out of step, 0: usable */
    /* Pipelined requests between xsc_batch_begin and xsc_batch_end: sent together, their
     * replies read together (one round trip instead of one per request). */
    bool batching;
    char *batch;
    size_t batch_len, batch_cap;
    unsigned int batch_count;
    uint32_t batch_first_req;
    int batch_err; /* the first error among the replies read so far */
};

/* Requests in flight at most: well below the daemon's limit of unread replies. */
#define XSC_BATCH_MAX 32

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits until fd is ready for events or the deadline passes (ETIMEDOUT). */
static int wait_ready(int fd, short events, int64_t deadline)
{
    if (deadline < 0)
        return 0;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 0;
        if (r == 0)
            return ETIMEDOUT;
        if (errno != EINTR)
            return errno;
    }
}

static struct xsc *handle_new(int fd, bool device, int timeout_ms)
{
    struct xsc *h = calloc(1, sizeof(*h));
    if (!h) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    h->fd = fd;
    h->device = device;
    h->next_req = 1;
    h->timeout_ms = timeout_ms;
    h->deadline = -1;
    return h;
}

/* connect() bounded by the deadline: a listener whose backlog is full answers EAGAIN to a
 * non-blocking connect, so it is tried again until the deadline. */
static int connect_bounded(int fd, const struct sockaddr_un *sa, int64_t deadline)
{
    if (deadline < 0)
        return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int err = 0;
    while (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            socklen_t l = sizeof(err);
            err = wait_ready(fd, POLLOUT, deadline);
            if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
                err = errno;
            break;
        }
        if (err != EAGAIN && err != EINTR)
            break;
        if (now_ms() >= deadline) {
            err = ETIMEDOUT;
            break;
        }
        usleep(10000);
        err = 0;
    }
    fcntl(fd, F_SETFL, fl);
    return err;
}

static int socket_connect(const char *path, int timeout_ms)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int err = connect_bounded(fd, &sa, deadline_after(timeout_ms));
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* A character device speaking the protocol (/dev/xen/xenbus, /proc/xen/xenbus). */
static struct xsc *device_open(const char *path, int timeout_ms)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? NULL : handle_new(fd, true, timeout_ms);
}

static bool is_device(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISSOCK(st.st_mode) && !S_ISDIR(st.st_mode);
}

static struct xsc *socket_open(const char *path, int timeout_ms)
{
    int fd = socket_connect(path, timeout_ms);
    return fd < 0 ? NULL : handle_new(fd, false, timeout_ms);
}

struct xsc *xsc_open_timeout(const char *path, int timeout_ms)
{
    if (path)
        return is_device(path) ? device_open(path, timeout_ms) : socket_open(path, timeout_ms);
    const char *env = getenv("XENSTORED_PATH");
    struct xsc *h = socket_open(env ? env : XSC_DEFAULT_SOCKET, timeout_ms);
    if (h || (errno != ENOENT && errno != ECONNREFUSED))
        return h;
    /* No daemon socket: the kernel's device, if this is a Xen domain. */
    int e = errno;
    h = device_open(XSC_XENBUS_DEVICE, timeout_ms);
    if (!h && errno == ENOENT)
        h = device_open(XSC_XENBUS_PROC, timeout_ms);
    if (!h)
        errno = e;
    return h;
}

struct xsc *xsc_open(const char *path)
{
    return xsc_open_timeout(path, -1);
}

struct xsc *xsc_open_socket(const char *path)
{
    return socket_open(path, -1);
}

void xsc_set_timeout(struct xsc *h, int timeout_ms)
{
    h->timeout_ms = timeout_ms;
}

void xsc_close(struct xsc *h)
{
    if (!h)
        return;
    while (h->ev_head) {
        struct event *e = h->ev_head;
        h->ev_head = e->next;
        free(e->path);
        free(e->token);
        free(e);
    }
    close(h->fd);
    free(h->batch);
    free(h);
}

int xsc_fd(const struct xsc *h)
{
    return h->fd;
}

static int io_all(const struct xsc *h, void *buf, size_t len, bool writing)
{
    char *p = buf;
    int fd = h->fd;
    while (len) {
        ssize_t n;
        /* The kernel's xenbus device never reports POLLOUT (its poll() only knows
         * POLLIN) and its write() queues the request without blocking: only reads wait. */
        int err =
            writing && h->device ? 0 : wait_ready(fd, writing ? POLLOUT : POLLIN, h->deadline);
        if (err)
            return err;
        if (!writing)
            n = read(fd, p, len);
        else if (h->device)
            n = write(fd, p, len);
        else
            n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? ECONNRESET : errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads one message; the payload is malloc'd with a NUL after it. */
static int recv_msg(struct xsc *h, struct xs_msg_hdr *hdr, char **payload)
{
    int err = io_all(h, hdr, sizeof(*hdr), false);
    if (err)
        return err;
    if (hdr->len > XS_PAYLOAD_MAX)
        return EPROTO;
    char *p = malloc(hdr->len + 1);
    if (!p)
        return ENOMEM;
    err = io_all(h, p, hdr->len, false);
    if (err) {
        free(p);
        return err;
    }
    p[hdr->len] = '\0';
    *payload = p;
    return 0;
}

static int queue_event(struct xsc *h, char *payload, uint32_t len)
{
    size_t plen = strnlen(payload, len);
    struct event *e = calloc(1, sizeof(*e));
    if (!e || plen >= len) {
        free(e);
        free(payload);
        return e ? EPROTO : ENOMEM;
    }
    e->path = payload; /* "path\0token\0": path is the start of the block */
    e->token = strdup(payload + plen + 1);
    if (!e->token) {
        free(e);
        free(payload);
        return ENOMEM;
    }
    if (h->ev_tail)
        h->ev_tail->next = e;
    else
        h->ev_head = e;
    h->ev_tail = e;
    return 0;
}

/* A stream error (no reply in time, a reply out of step, a closed connection) leaves the
 * handle unusable: a late reply would otherwise answer the next request. */
static bool breaks_stream(int err)
{
    return err == ETIMEDOUT || err == EPROTO || err == ECONNRESET || err == EPIPE;
}

/* Send the queued requests and read their replies, in order; the first error sticks. */
static int batch_flush(struct xsc *h)
{
    if (!h->batch_count)
        return h->batch_err;
    int err = io_all(h, h->batch, h->batch_len, true);
    for (unsigned int i = 0; !err && i < h->batch_count;) {
        char *payload;
        struct xs_msg_hdr r;
        err = recv_msg(h, &r, &payload);
        if (err)
            break;
        if (r.type == XS_WATCH_EVENT) {
            err = queue_event(h, payload, r.len);
            continue;
        }
        if (r.req_id != h->batch_first_req + i)
            err = EPROTO;
        else if (r.type == XS_ERROR && !h->batch_err)
            h->batch_err = xs_errno_from_name(payload);
        free(payload);
        i++;
    }
    if (err && !h->batch_err)
        h->batch_err = err;
    h->batch_len = 0;
    h->batch_count = 0;
    return h->batch_err;
}

static int batch_add(struct xsc *h, const void *msg, size_t len, uint32_t req_id)
{
    if (h->batch_len + len > h->batch_cap) {
        size_t cap = h->batch_cap ? h->batch_cap * 2 : 16384;
        while (cap < h->batch_len + len)
            cap *= 2;
        char *b = realloc(h->batch, cap);
        if (!b)
            return ENOMEM;
        h->batch = b;
        h->batch_cap = cap;
    }
    if (!h->batch_count)
        h->batch_first_req = req_id;
    memcpy(h->batch + h->batch_len, msg, len);
    h->batch_len += len;
    if (++h->batch_count >= XSC_BATCH_MAX)
        return batch_flush(h);
    return 0;
}

void xsc_batch_begin(struct xsc *h)
{
    h->batching = true;
    h->batch_err = 0;
}

int xsc_batch_end(struct xsc *h)
{
    /* The replies still to come are waited for under the handle's bound, as a request's. */
    int err = h->broken;
    if (!err) {
        h->deadline = deadline_after(h->timeout_ms);
        err = batch_flush(h);
        h->deadline = -1;
        if (breaks_stream(err))
            h->broken = err;
    }
    h->batch_len = 0;
    h->batch_count = 0;
    h->batching = false;
    h->batch_err = 0;
    return err;
}

/* Sends a request made of NUL-separated parts and waits for its reply (in a batch, a request
 * without a wanted reply is only queued). */
static int talk_once(struct xsc *h, uint32_t type, uint32_t tx, const void *const *parts,
                     const uint32_t *lens, int nparts, char **reply, uint32_t *rlen)
{
    char buf[sizeof(struct xs_msg_hdr) + XS_PAYLOAD_MAX];
    uint32_t len = 0;
    for (int i = 0; i < nparts; i++) {
        if (lens[i] > XS_PAYLOAD_MAX - len)
            return E2BIG;
        memcpy(buf + sizeof(struct xs_msg_hdr) + len, parts[i], lens[i]);
        len += lens[i];
    }
    struct xs_msg_hdr hdr = {type, h->next_req++, tx, len};
    memcpy(buf, &hdr, sizeof(hdr));
    if (h->batching && !reply)
        return batch_add(h, buf, sizeof(hdr) + len, hdr.req_id);
    if (h->batching && batch_flush(h))
        return h->batch_err;
    int err = io_all(h, buf, sizeof(hdr) + len, true);
    while (!err) {
        char *payload;
        struct xs_msg_hdr r;
        err = recv_msg(h, &r, &payload);
        if (err)
            break;
        if (r.type == XS_WATCH_EVENT) {
            err = queue_event(h, payload, r.len);
            continue;
        }
        if (r.req_id != hdr.req_id) {
            free(payload);
            return EPROTO;
        }
        if (r.type == XS_ERROR) {
            err = xs_errno_from_name(payload);
            free(payload);
            return err;
        }
        if (reply) {
            *reply = payload;
            if (rlen)
                *rlen = r.len;
        } else {
            free(payload);
        }
        return 0;
    }
    return err;
}

static int talk(struct xsc *h, uint32_t type, uint32_t tx, const void *const *parts,
                const uint32_t *lens, int nparts, char **reply, uint32_t *rlen)
{
    if (h->broken)
        return h->broken;
    h->deadline = deadline_after(h->timeout_ms);
    int err = talk_once(h, type, tx, parts, lens, nparts, reply, rlen);
    h->deadline = -1;
    if (breaks_stream(err))
        h->broken = err;
    return err;
}

/* A request whose payload is NUL-terminated strings. */
static int talk_strings(struct xsc *h, uint32_t type, uint32_t tx, const char *const *strs, int n,
                        char **reply, uint32_t *rlen)
{
    const void *parts[8];
    uint32_t lens[8];
    for (int i = 0; i < n; i++) {
        parts[i] = strs[i];
        lens[i] = (uint32_t)strlen(strs[i]) + 1;
    }
    return talk(h, type, tx, parts, lens, n, reply, rlen);
}

int xsc_read(struct xsc *h, uint32_t tx, const char *path, char **value, uint32_t *len)
{
    return talk_strings(h, XS_READ, tx, &path, 1, value, len);
}

/* Up to XSC_BATCH_MAX reads sent in one go, then their replies read in order. */
static int read_chunk(struct xsc *h, uint32_t tx, const char *const *paths, unsigned n,
                      char **values, int *errs)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t plen = strlen(paths[i]) + 1;
        if (plen > XS_PAYLOAD_MAX)
            return E2BIG;
        total += sizeof(struct xs_msg_hdr) + plen;
    }
    char *buf = malloc(total), *p = buf;
    if (!buf)
        return ENOMEM;
    uint32_t first = h->next_req;
    for (unsigned i = 0; i < n; i++) {
        uint32_t plen = (uint32_t)strlen(paths[i]) + 1;
        struct xs_msg_hdr hdr = {XS_READ, h->next_req++, tx, plen};
        memcpy(p, &hdr, sizeof(hdr));
        memcpy(p + sizeof(hdr), paths[i], plen);
        p += sizeof(hdr) + plen;
    }
    int err = io_all(h, buf, total, true);
    free(buf);
    for (unsigned i = 0; !err && i < n;) {
        char *payload;
        struct xs_msg_hdr r;
        err = recv_msg(h, &r, &payload);
        if (err)
            break;
        if (r.type == XS_WATCH_EVENT) {
            err = queue_event(h, payload, r.len);
            continue;
        }
        if (r.req_id != first + i) {
            free(payload);
            err = EPROTO;
        } else if (r.type == XS_ERROR) {
            errs[i++] = xs_errno_from_name(payload);
            free(payload);
        } else {
            values[i] = payload;
            errs[i++] = 0;
        }
    }
    return err;
}

int xsc_read_many(struct xsc *h, uint32_t tx, const char *const *paths, unsigned n, char **values,
                  int *errs)
{
    for (unsigned i = 0; i < n; i++) {
        values[i] = NULL;
        errs[i] = EIO;
    }
    if (h->broken)
        return h->broken;
    if (h->device || h->batching) {
        /* The kernel's xenbus device takes one message per write(); a batch of writes
         * must keep its order. One request at a time, then. */
        for (unsigned i = 0; i < n; i++) {
            errs[i] = xsc_read(h, tx, paths[i], &values[i], NULL);
            if (breaks_stream(errs[i]))
                return errs[i];
        }
        return 0;
    }
    int err = 0;
    for (unsigned done = 0; !err && done < n;) {
        unsigned k = n - done < XSC_BATCH_MAX ? n - done : XSC_BATCH_MAX;
        h->deadline = deadline_after(h->timeout_ms);
        err = read_chunk(h, tx, paths + done, k, values + done, errs + done);
        h->deadline = -1;
        done += k;
    }
    if (err) {
        for (unsigned i = 0; i < n; i++) {
            free(values[i]);
            values[i] = NULL;
        }
        if (breaks_stream(err))
            h->broken = err;
    }
    return err;
}

int xsc_write(struct xsc *h, uint32_t tx, const char *path, const void *value, uint32_t len)
{
    const void *parts[2] = {path, value};
    uint32_t lens[2] = {(uint32_t)strlen(path) + 1, len};
    return talk(h, XS_WRITE, tx, parts, lens, 2, NULL, NULL);
}

int xsc_mkdir(struct xsc *h, uint32_t tx, const char *path)
{
    return talk_strings(h, XS_MKDIR, tx, &path, 1, NULL, NULL);
}

int xsc_rm(struct xsc *h, uint32_t tx, const char *path)
{
    return talk_strings(h, XS_RM, tx, &path, 1, NULL, NULL);
}

/* Turns "a\0b\0" (len bytes, malloc'd) into a NULL-terminated array in one block. */
static int split_strings(char *block, uint32_t len, char ***out, unsigned *count)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < len; i++)
        n += block[i] == '\0';
    char **arr = malloc((n + 1) * sizeof(char *) + len + 1);
    if (!arr) {
        free(block);
        return ENOMEM;
    }
    char *copy = (char *)(arr + n + 1);
    memcpy(copy, block, len);
    copy[len] = '\0';
    free(block);
    for (unsigned i = 0, off = 0; i < n; i++) {
        arr[i] = copy + off;
        off += (unsigned)strlen(copy + off) + 1;
    }
    arr[n] = NULL;
    *out = arr;
    *count = n;
    return 0;
}

static int directory_part(struct xsc *h, uint32_t tx, const char *path, char **all,
                          uint32_t *alllen)
{
    char offstr[16], gen[32] = "";
    char *acc = NULL;
    uint32_t off = 0;
    for (int restarts = 0; restarts < 16;) {
        snprintf(offstr, sizeof(offstr), "%u", off);
        const char *strs[2] = {path, offstr};
        char *r;
        uint32_t rl;
        int err = talk_strings(h, XS_DIRECTORY_PART, tx, strs, 2, &r, &rl);
        if (err) {
            free(acc);
            return err;
        }
        size_t gl = strnlen(r, rl);
        if (gl >= rl || gl >= sizeof(gen)) {
            free(r);
            free(acc);
            return EPROTO;
        }
        if (off && strcmp(gen, r) != 0) { /* the list changed: start again */
            free(r);
            off = 0;
            restarts++;
            continue;
        }
        memcpy(gen, r, gl + 1);
        uint32_t chunk = rl - (uint32_t)gl - 1;
        if (chunk == 0) { /* every reply carries at least the end marker */
            free(r);
            free(acc);
            return EPROTO;
        }
        char *grown = realloc(acc, off + chunk + 1);
        if (!grown) {
            free(r);
            free(acc);
            return ENOMEM;
        }
        acc = grown;
        memcpy(acc + off, r + gl + 1, chunk);
        free(r);
        off += chunk;
        /* The last chunk ends with an extra NUL. */
        if ((off >= 2 && acc[off - 1] == '\0' && acc[off - 2] == '\0') ||
            (off == 1 && acc[0] == '\0')) {
            *all = acc;
            *alllen = off - 1;
            return 0;
        }
    }
    free(acc);
    return EAGAIN;
}

int xsc_directory(struct xsc *h, uint32_t tx, const char *path, char ***names, unsigned *count)
{
    char *r;
    uint32_t rl;
    int err = talk_strings(h, XS_DIRECTORY, tx, &path, 1, &r, &rl);
    if (err == E2BIG)
        err = directory_part(h, tx, path, &r, &rl);
    return err ? err : split_strings(r, rl, names, count);
}

int xsc_get_perms(struct xsc *h, uint32_t tx, const char *path, char ***perms, unsigned *count)
{
    char *r;
    uint32_t rl;
    int err = talk_strings(h, XS_GET_PERMS, tx, &path, 1, &r, &rl);
    return err ? err : split_strings(r, rl, perms, count);
}

int xsc_set_perms(struct xsc *h, uint32_t tx, const char *path, const char *const *perms,
                  unsigned count)
{
    char buf[XS_PAYLOAD_MAX];
    uint32_t len = 0;
    for (unsigned i = 0; i < count; i++) {
        size_t l = strlen(perms[i]) + 1;
        if (l > sizeof(buf) - len)
            return E2BIG;
        memcpy(buf + len, perms[i], l);
        len += (uint32_t)l;
    }
    const void *parts[2] = {path, buf};
    uint32_t lens[2] = {(uint32_t)strlen(path) + 1, len};
    return talk(h, XS_SET_PERMS, tx, parts, lens, 2, NULL, NULL);
}

int xsc_watch(struct xsc *h, const char *path, const char *token)
{
    const char *strs[2] = {path, token};
    return talk_strings(h, XS_WATCH, 0, strs, 2, NULL, NULL);
}

int xsc_unwatch(struct xsc *h, const char *path, const char *token)
{
    const char *strs[2] = {path, token};
    return talk_strings(h, XS_UNWATCH, 0, strs, 2, NULL, NULL);
}

int xsc_read_watch(struct xsc *h, int timeout_ms, char **path, char **token)
{
    while (!h->ev_head) {
        if (h->broken)
            return h->broken;
        struct pollfd p = {.fd = h->fd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            return ETIMEDOUT;
        struct xs_msg_hdr hdr;
        char *payload;
        /* An event has started to arrive: the rest of it is bounded like a reply. */
        h->deadline = deadline_after(h->timeout_ms);
        int err = recv_msg(h, &hdr, &payload);
        h->deadline = -1;
        if (!err && hdr.type != XS_WATCH_EVENT) {
            free(payload);
            err = EPROTO;
        }
        if (breaks_stream(err))
            h->broken = err;
        if (err)
            return err;
        err = queue_event(h, payload, hdr.len);
        if (err)
            return err;
    }
    struct event *e = h->ev_head;
    h->ev_head = e->next;
    if (!h->ev_head)
        h->ev_tail = NULL;
    *path = e->path;
    *token = e->token;
    free(e);
    return 0;
}

int xsc_transaction_start(struct xsc *h, uint32_t *tx)
{
    const char *empty = "";
    char *r;
    int err = talk_strings(h, XS_TRANSACTION_START, 0, &empty, 1, &r, NULL);
    if (err)
        return err;
    *tx = (uint32_t)strtoul(r, NULL, 10);
    free(r);
    return *tx ? 0 : EPROTO;
}

int xsc_transaction_end(struct xsc *h, uint32_t tx, bool commit)
{
    const char *what = commit ? "T" : "F";
    return talk_strings(h, XS_TRANSACTION_END, tx, &what, 1, NULL, NULL);
}

int xsc_introduce(struct xsc *h, unsigned domid, unsigned long mfn, unsigned port)
{
    char d[16], m[24], p[16];
    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%lu", mfn);
    snprintf(p, sizeof(p), "%u", port);
    const char *strs[3] = {d, m, p};
    return talk_strings(h, XS_INTRODUCE, 0, strs, 3, NULL, NULL);
}

int xsc_release(struct xsc *h, unsigned domid)
{
    char d[16];
    snprintf(d, sizeof(d), "%u", domid);
    const char *strs[1] = {d};
    return talk_strings(h, XS_RELEASE, 0, strs, 1, NULL, NULL);
}

int xsc_control(struct xsc *h, const char *cmd, const char *arg, char **reply, uint32_t *len)
{
    const char *strs[2] = {cmd, arg};
    return talk_strings(h, XS_CONTROL, 0, strs, arg ? 2 : 1, reply, len);
}
