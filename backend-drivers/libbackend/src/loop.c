/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one epoll set for the store connection, the event-channel device and
 * whatever the backend adds (its io_uring's eventfd). Store watches: backend/TYPE (new
 * devices, the toolstack's online/state writes), each device's frontend state, and
 * @releaseDomain (a guest gone without its toolstack cleaning up). While the store is away
 * (store.c) the rings are served as before and the store's work waits for the reconnection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "device.h"
#include "xsclient.h"
#include "xsproto.h"

const struct lb_backend_ops *lb_ops(const struct lb *lb)
{
    return lb->ops;
}

void lb_for_each_dev(struct lb *lb, void (*fn)(struct lb_dev *d, void *arg), void *arg)
{
    for (struct lb_dev *d = lb->devs; d; d = d->next)
        fn(d, arg);
}

struct lb *lb_open(const struct lb_backend_ops *ops)
{
    struct lb *lb = calloc(1, sizeof(*lb));
    if (!lb)
        return NULL;
    lb->ops = ops;
    lb->evtchn = lb->gntdev = lb->epfd = -1;
    snprintf(lb->base, sizeof(lb->base), "/local/domain/0/backend/%s", ops->type);
    if (lb_xen_open(lb) < 0)
        goto fail;
    lb->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ee = {.events = EPOLLIN, .data.ptr = LB_TAG_EVTCHN};
    if (lb->epfd < 0 || epoll_ctl(lb->epfd, EPOLL_CTL_ADD, lb->evtchn, &ee) < 0) {
        lb_log("epoll: %s", strerror(errno));
        goto fail;
    }
    int err = lb_store_open(lb);
    if (err) {
        lb_log("store: %s (is lamstored or xenstored running?)", strerror(err));
        goto fail;
    }
    lb_log("watching %s (store at %s)", lb->base, lb->store_path);
    return lb;
fail:
    lb_close(lb);
    return NULL;
}

void lb_close(struct lb *lb)
{
    if (!lb)
        return;
    lb_dev_remove_all(lb);
    if (lb->xs)
        xsc_close(lb->xs);
    if (lb->epfd >= 0)
        close(lb->epfd);
    if (lb->evtchn >= 0)
        close(lb->evtchn);
    if (lb->gntdev >= 0)
        close(lb->gntdev);
    free(lb);
}

void lb_stop(struct lb *lb)
{
    lb->stop = 1;
}

int lb_add_fd(struct lb *lb, int fd, void (*fn)(void *arg), void *arg)
{
    if (lb->nfds == LB_MAX_FDS)
        return ENOSPC;
    struct lb_fd *f = &lb->fds[lb->nfds];
    *f = (struct lb_fd){fd, fn, arg};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = f};
    if (epoll_ctl(lb->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return errno;
    lb->nfds++;
    return 0;
}

/* backend/TYPE/DOMID/DEVID[/...]: the device a path under our base names. */
static bool parse_dev_path(const char *rest, unsigned *domid, unsigned *devid)
{
    char dom[16], dev[16];
    if (*rest != '/')
        return false;
    rest++;
    size_t n = strcspn(rest, "/");
    if (n == 0 || n >= sizeof(dom))
        return false;
    memcpy(dom, rest, n);
    dom[n] = 0;
    rest += n;
    if (*rest != '/')
        return false;
    rest++;
    n = strcspn(rest, "/");
    if (n == 0 || n >= sizeof(dev))
        return false;
    memcpy(dev, rest, n);
    dev[n] = 0;
    uint64_t a, b;
    if (!lb_parse_uint(dom, 0x7fef, &a) || !lb_parse_uint(dev, UINT32_MAX, &b))
        return false;
    *domid = (unsigned)a;
    *devid = (unsigned)b;
    return true;
}

/* The whole backend directory: at start (a restarted backend adopts its devices) and when
 * the watch names the directory itself. */
static void scan(struct lb *lb)
{
    char **doms = NULL;
    unsigned nd = 0;
    if (!lb->xs)
        return;
    int err = xsc_directory(lb->xs, XSC_NO_TX, lb->base, &doms, &nd);
    if (err) {
        lb_store_failed(lb, err);
        return;
    }
    for (unsigned i = 0; i < nd; i++) {
        char path[128], **devs = NULL;
        unsigned nv = 0;
        snprintf(path, sizeof(path), "%s/%s", lb->base, doms[i]);
        if (!lb->xs)
            break;
        err = xsc_directory(lb->xs, XSC_NO_TX, path, &devs, &nv);
        if (err) {
            lb_store_failed(lb, err);
            continue;
        }
        for (unsigned j = 0; j < nv; j++) {
            char rest[96];
            unsigned domid, devid;
            snprintf(rest, sizeof(rest), "/%s/%s", doms[i], devs[j]);
            if (!parse_dev_path(rest, &domid, &devid))
                continue;
            struct lb_dev *d = lb_dev_find(lb, domid, devid);
            if (!d)
                d = lb_dev_create(lb, domid, devid);
            if (d)
                lb_dev_eval(d);
        }
        free(devs);
    }
    free(doms);
}

static void eval_all(struct lb *lb)
{
    for (struct lb_dev *d = lb->devs, *next; d; d = next) {
        next = d->next;
        lb_dev_eval(d);
    }
}

static void on_watch(struct lb *lb, const char *path, const char *token)
{
    size_t bl = strlen(lb->base);
    unsigned domid, devid;
    if (strcmp(token, "be") == 0 && strncmp(path, lb->base, bl) == 0) {
        if (!parse_dev_path(path + bl, &domid, &devid)) {
            /* The base or a domain's directory (created, or removed with every device in
             * it): the known devices look again, then new ones are found. */
            eval_all(lb);
            scan(lb);
            return;
        }
        struct lb_dev *d = lb_dev_find(lb, domid, devid);
        if (!d)
            d = lb_dev_create(lb, domid, devid);
        if (d)
            lb_dev_eval(d);
        return;
    }
    if (strcmp(token, "fe") == 0) {
        for (struct lb_dev *d = lb->devs; d; d = d->next) {
            size_t fl = strlen(d->fe_path);
            if (strncmp(path, d->fe_path, fl) == 0 && (path[fl] == '/' || !path[fl])) {
                lb_dev_eval(d);
                return;
            }
        }
        return;
    }
    if (strcmp(token, "release") == 0)
        eval_all(lb);
}

static void drain_watches(struct lb *lb)
{
    while (lb->xs) {
        char *path = NULL, *token = NULL;
        int err = xsc_read_watch(lb->xs, 0, &path, &token);
        if (err) {
            /* ETIMEDOUT: no event now. Anything else: the daemon went away. */
            if (err != ETIMEDOUT)
                lb_store_lost(lb, err);
            return;
        }
        on_watch(lb, path, token);
        free(path);
        free(token);
    }
}

static struct lb_queue *queue_by_port(struct lb *lb, uint32_t port)
{
    for (struct lb_dev *d = lb->devs; d; d = d->next)
        for (unsigned i = 0; i < d->nr_queues; i++)
            if (d->queues[i].local_port == port)
                return &d->queues[i];
    return NULL;
}

static void on_events(struct lb *lb)
{
    uint32_t ports[256];
    ssize_t n = read(lb->evtchn, ports, sizeof(ports));
    if (n <= 0)
        return;
    for (size_t i = 0; i < (size_t)n / sizeof(ports[0]); i++) {
        struct lb_queue *q = queue_by_port(lb, ports[i]);
        if (q && !q->dev->dead)
            lb->ops->queue_kick(q);
        lb_evtchn_unmask(lb, ports[i]);
    }
}

/* Devices whose frontend broke the protocol while their rings were served (their state
 * is written once the store is there). */
static void reap_dead(struct lb *lb)
{
    for (struct lb_dev *d = lb->devs, *next; d; d = next) {
        next = d->next;
        if (d->dead)
            lb_dev_eval(d);
    }
}

int lb_run_once(struct lb *lb, int timeout_ms)
{
    struct epoll_event ev[16];
    int wait = lb_store_wait_ms(lb);
    if (timeout_ms >= 0 && (wait < 0 || timeout_ms < wait))
        wait = timeout_ms;
    int n = epoll_wait(lb->epfd, ev, 16, wait);
    if (n < 0 && errno != EINTR) {
        lb_log("epoll_wait: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        void *tag = ev[i].data.ptr;
        if (tag == LB_TAG_EVTCHN) {
            on_events(lb);
        } else if (tag != LB_TAG_STORE) {
            struct lb_fd *f = tag;
            f->fn(f->arg);
        }
    }
    drain_watches(lb);
    if (lb_store_retry(lb)) {
        /* What changed while we were away: devices removed, states, new devices. */
        eval_all(lb);
        scan(lb);
    }
    reap_dead(lb);
    return 0;
}

int lb_run(struct lb *lb)
{
    scan(lb);
    while (!lb->stop)
        if (lb_run_once(lb, -1) < 0)
            return -1;
    return 0;
}
