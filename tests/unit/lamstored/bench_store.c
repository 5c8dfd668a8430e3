/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Store benchmark over the Unix socket: operations per second and latency
 * percentiles for read, write, directory and 10-write transactions, with
 * 1, 4 and 16 concurrent clients (one connection each, one request in
 * flight per client, as xenbus and libxenstore behave).
 *
 *   bench_store SOCKET [SECONDS_PER_RUN]
 *
 * Prints one line per (operation, clients): ops/s, p50, p99, p99.9 in us.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xsproto.h"

enum op { OP_READ, OP_WRITE, OP_DIRECTORY, OP_TX10, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"read", "write", "directory", "tx10"};

static const char *sock_path;
static unsigned long tx_retries; /* EAGAIN answers to TRANSACTION_END, all clients */
static double run_seconds = 1.0;

struct worker {
    pthread_t thr;
    int id;
    enum op op;
    double *lat; /* microseconds per operation */
    size_t n, cap;
    int failed;
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int connect_store(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static int full_io(int fd, void *buf, size_t len, int writing)
{
    char *p = buf;
    while (len) {
        ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Per-thread receive buffer: one read() usually brings a whole reply. */
static _Thread_local char rxbuf[2 * (sizeof(struct xs_msg_hdr) + XS_PAYLOAD_MAX)];
static _Thread_local size_t rxlen;

static int recv_msg(int fd, struct xs_msg_hdr *h, char *out)
{
    for (;;) {
        if (rxlen >= sizeof(*h)) {
            memcpy(h, rxbuf, sizeof(*h));
            if (h->len > XS_PAYLOAD_MAX)
                return -1;
            size_t need = sizeof(*h) + h->len;
            if (rxlen >= need) {
                memcpy(out, rxbuf + sizeof(*h), h->len);
                memmove(rxbuf, rxbuf + need, rxlen - need);
                rxlen -= need;
                return 0;
            }
        }
        ssize_t n = read(fd, rxbuf + rxlen, sizeof(rxbuf) - rxlen);
        if (n <= 0)
            return -1;
        rxlen += (size_t)n;
    }
}

/* One request/reply round trip; returns the reply type, reply payload in out. */
static int talk(int fd, uint32_t type, uint32_t tx, const void *payload, uint32_t len, char *out,
                uint32_t *outlen)
{
    char buf[sizeof(struct xs_msg_hdr) + XS_PAYLOAD_MAX];
    struct xs_msg_hdr h = {type, 1, tx, len};
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, len);
    if (full_io(fd, buf, sizeof(h) + len, 1))
        return -1;
    do {
        if (recv_msg(fd, &h, out))
            return -1;
    } while (h.type == XS_WATCH_EVENT);
    out[h.len] = '\0';
    if (outlen)
        *outlen = h.len;
    return (int)h.type;
}

static int one_op(int fd, struct worker *w, unsigned i)
{
    char out[XS_PAYLOAD_MAX + 1], msg[256];
    int n;
    switch (w->op) {
    case OP_READ:
        n = snprintf(msg, sizeof(msg), "/bench/c%d/k%u", w->id, i % 10);
        return talk(fd, XS_READ, 0, msg, (uint32_t)n + 1, out, NULL) == XS_READ ? 0 : -1;
    case OP_WRITE:
        n = snprintf(msg, sizeof(msg), "/bench/c%d/k%u%cvalue-%u", w->id, i % 10, 0, i);
        return talk(fd, XS_WRITE, 0, msg, (uint32_t)n, out, NULL) == XS_WRITE ? 0 : -1;
    case OP_DIRECTORY:
        n = snprintf(msg, sizeof(msg), "/bench/c%d", w->id);
        return talk(fd, XS_DIRECTORY, 0, msg, (uint32_t)n + 1, out, NULL) == XS_DIRECTORY ? 0 : -1;
    default:
        break;
    }
    /* A transaction of 10 writes, retried on EAGAIN as clients do. */
    for (int attempt = 0; attempt < 100; attempt++) {
        if (talk(fd, XS_TRANSACTION_START, 0, "", 1, out, NULL) != XS_TRANSACTION_START)
            return -1;
        uint32_t tx = (uint32_t)strtoul(out, NULL, 10);
        for (int k = 0; k < 10; k++) {
            n = snprintf(msg, sizeof(msg), "/bench/tx/c%d/dev%u/k%d%c%u", w->id, i % 4, k, 0, i);
            if (talk(fd, XS_WRITE, tx, msg, (uint32_t)n, out, NULL) != XS_WRITE)
                return -1;
        }
        int r = talk(fd, XS_TRANSACTION_END, tx, "T", 2, out, NULL);
        if (r == XS_TRANSACTION_END)
            return 0;
        if (r != XS_ERROR || strcmp(out, "EAGAIN") != 0)
            return -1;
        __atomic_fetch_add(&tx_retries, 1, __ATOMIC_RELAXED);
    }
    return -1;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int fd = connect_store();
    char out[XS_PAYLOAD_MAX + 1], msg[256];
    rxlen = 0;
    if (fd < 0) {
        w->failed = 1;
        return NULL;
    }
    for (unsigned k = 0; k < 10; k++) { /* the nodes reads and listings hit */
        int n = snprintf(msg, sizeof(msg), "/bench/c%d/k%u%cinitial", w->id, k, 0);
        talk(fd, XS_WRITE, 0, msg, (uint32_t)n, out, NULL);
    }
    double end = now_us() + run_seconds * 1e6;
    for (unsigned i = 0;; i++) {
        double t0 = now_us();
        if (t0 >= end)
            break;
        if (one_op(fd, w, i)) {
            w->failed = 1;
            break;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof(*w->lat));
        }
        w->lat[w->n++] = now_us() - t0;
    }
    close(fd);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int run(enum op op, int clients)
{
    struct worker *ws = calloc((size_t)clients, sizeof(*ws));
    tx_retries = 0;
    double t0 = now_us();
    for (int i = 0; i < clients; i++) {
        ws[i].id = i;
        ws[i].op = op;
        pthread_create(&ws[i].thr, NULL, worker_main, &ws[i]);
    }
    size_t total = 0;
    int failed = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(ws[i].thr, NULL);
        total += ws[i].n;
        failed |= ws[i].failed;
    }
    double secs = (now_us() - t0) / 1e6;
    double *all = malloc((total ? total : 1) * sizeof(*all));
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof(*all));
        k += ws[i].n;
        free(ws[i].lat);
    }
    qsort(all, total, sizeof(*all), cmp_double);
#define PCT(p) (total ? all[(size_t)((p) * (double)(total - 1))] : 0.0)
    printf("%-10s clients=%-3d ops/s=%-10.0f p50_us=%-8.1f p99_us=%-8.1f p999_us=%-8.1f",
           op_names[op], clients, total / secs, PCT(0.50), PCT(0.99), PCT(0.999));
    if (op == OP_TX10)
        printf(" eagain=%lu", tx_retries);
    printf("%s\n", failed ? " ERRORS" : "");
    fflush(stdout);
    free(all);
    free(ws);
    return failed;
}

int main(int argc, char **argv)
{
    static const int clients[] = {1, 4, 16};
    int failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_store SOCKET [SECONDS_PER_RUN]\n");
        return 2;
    }
    sock_path = argv[1];
    if (argc > 2)
        run_seconds = atof(argv[2]);
    for (int op = 0; op < OP_COUNT; op++)
        for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++)
            failed |= run((enum op)op, clients[c]);
    return failed;
}
