/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One device's life: found in the store, driven through the xenbus states by
 * lb_xenbus_next, its queues connected (rings mapped in one batch, ports bound) and
 * disconnected, and forgotten when the toolstack or the guest is done with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "xsclient.h"

static struct lb_dev_state *st(struct lb_dev *d)
{
    return (struct lb_dev_state *)d->priv_lib;
}

void lb_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int write_path(struct lb *lb, const char *dir, const char *key, const char *fmt, va_list ap)
{
    char path[256], val[256];
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    int n = vsnprintf(val, sizeof(val), fmt, ap);
    if (n < 0 || (size_t)n >= sizeof(val))
        return EINVAL;
    if (!lb->xs)
        return ENOTCONN;
    int err = xsc_write(lb->xs, XSC_NO_TX, path, val, (uint32_t)n);
    lb_store_failed(lb, err);
    return err;
}

int lb_dev_write(struct lb_dev *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = write_path(d->lb, d->be_path, key, fmt, ap);
    va_end(ap);
    if (err)
        lb_log("%s/%s: writing: %s", d->be_path, key, strerror(err));
    return err;
}

static int read_path(struct lb *lb, const char *dir, const char *key, char **out)
{
    char path[256];
    uint32_t len;
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    *out = NULL;
    if (!lb->xs)
        return ENOTCONN;
    int err = xsc_read(lb->xs, XSC_NO_TX, path, out, &len);
    lb_store_failed(lb, err);
    return err;
}

int lb_dev_read_be(struct lb_dev *d, const char *key, char **out)
{
    return read_path(d->lb, d->be_path, key, out);
}

int lb_dev_read_fe(struct lb_dev *d, const char *key, char **out)
{
    return read_path(d->lb, d->fe_path, key, out);
}

static int fe_reader(void *ctx, const char *key, char **out)
{
    return lb_dev_read_fe(ctx, key, out);
}

/* A state node as a number; 0 when absent or not a state (how xenbus reads them). */
static int read_state(struct lb *lb, const char *dir, bool *exists)
{
    char *s = NULL;
    uint64_t v = 0;
    int err = read_path(lb, dir, "state", &s);
    if (exists)
        *exists = err != ENOENT;
    if (!err && !lb_parse_uint(s, 255, &v))
        v = 0;
    free(s);
    return (int)v;
}

/* Our state node, written only while our directory is there: in a transaction that first
 * reads it, so a toolstack removing the directory meanwhile is never undone by a write
 * that would create it again. Without the store, it is written after the reconnection. */
static void set_state(struct lb_dev *d, int s)
{
    struct lb *lb = d->lb;
    char path[160], val[4];
    d->be_state = s;
    st(d)->state_unwritten = true;
    snprintf(path, sizeof(path), "%s/frontend", d->be_path);
    int n = snprintf(val, sizeof(val), "%d", s);
    for (int attempt = 0; attempt < 8; attempt++) {
        uint32_t tx, len;
        char *v = NULL;
        if (!lb->xs)
            return;
        int terr = xsc_transaction_start(lb->xs, &tx);
        if (terr) {
            lb_store_failed(lb, terr);
            return;
        }
        int err = xsc_read(lb->xs, tx, path, &v, &len);
        free(v);
        if (!err) {
            snprintf(path, sizeof(path), "%s/state", d->be_path);
            err = xsc_write(lb->xs, tx, path, val, (uint32_t)n);
            snprintf(path, sizeof(path), "%s/frontend", d->be_path);
        }
        if (err) {
            if (!lb_store_failed(lb, err)) {
                /* Our directory is gone: nothing to write, ever. */
                st(d)->state_unwritten = false;
                lb_store_failed(lb, xsc_transaction_end(lb->xs, tx, false));
            }
            return;
        }
        err = xsc_transaction_end(lb->xs, tx, true);
        if (err != EAGAIN) {
            if (!err)
                st(d)->state_unwritten = false;
            else if (!lb_store_failed(lb, err))
                lb_log("%s/state: %s", d->be_path, strerror(err));
            return;
        }
    }
}

void lb_queue_notify(struct lb_queue *q)
{
    if (lb_ring_push_responses(&q->ring))
        lb_evtchn_notify(q->dev->lb, q->local_port);
}

void lb_queue_fatal(struct lb_queue *q, const char *why)
{
    struct lb_dev *d = q->dev;
    if (!d->dead)
        lb_log("dom%u dev %u queue %u: %s: disconnecting the frontend", d->fe_domid, d->devid,
               q->index, why);
    d->dead = true;
}

bool lb_queue_strike(struct lb_queue *q, const char *why)
{
    if (++q->strikes >= LB_MAX_STRIKES) {
        lb_queue_fatal(q, why);
        return false;
    }
    return !q->dev->dead;
}

void lb_queue_good(struct lb_queue *q)
{
    q->strikes = 0;
}

static void disconnect(struct lb_dev *d)
{
    struct lb *lb = d->lb;
    if (!d->connected)
        return;
    for (unsigned i = 0; i < d->nr_queues; i++) {
        struct lb_queue *q = &d->queues[i];
        if (q->priv && lb->ops->queue_stop)
            lb->ops->queue_stop(q);
        if (q->local_port)
            lb_evtchn_unbind(lb, q->local_port);
        if (q->ring_mem)
            lb_unmap_grants(lb, q->ring_mem, q->ring_pages, q->gnt_index);
    }
    free(d->queues);
    d->queues = NULL;
    d->nr_queues = 0;
    d->connected = false;
}

static int map_queue(struct lb_dev *d, struct lb_queue *q, const struct lb_fe_queue *fq,
                     bool resume)
{
    struct lb *lb = d->lb;
    q->ring_pages = 1u << d->ring_order;
    q->ring_mem = lb_map_grants(lb, d->fe_domid, fq->refs, q->ring_pages, &q->gnt_index);
    if (!q->ring_mem) {
        lb_log("dom%u dev %u: mapping %u ring page(s): %s", d->fe_domid, d->devid, q->ring_pages,
               strerror(errno));
        return errno ? errno : EIO;
    }
    size_t bytes = (size_t)q->ring_pages * LB_PAGE_SIZE;
    if (!resume) {
        lb_ring_attach(&q->ring, q->ring_mem, bytes, lb->ops->entry_size);
    } else if (lb_ring_resume(&q->ring, q->ring_mem, bytes, lb->ops->entry_size) < 0) {
        lb_log("dom%u dev %u: resuming: impossible ring indices", d->fe_domid, d->devid);
        return EPROTO;
    }
    q->remote_port = fq->port;
    int err = lb_evtchn_bind(lb, d->fe_domid, fq->port, &q->local_port);
    if (err) {
        q->local_port = 0;
        lb_log("dom%u dev %u: binding port %u: %s", d->fe_domid, d->devid, fq->port, strerror(err));
    }
    return err;
}

static int connect(struct lb_dev *d, bool resume)
{
    struct lb *lb = d->lb;
    struct lb_fe_config cfg;
    char why[160];
    int err = lb_fe_config_read(fe_reader, d, lb->ops->max_ring_order, lb->ops->max_queues, &cfg,
                                why, sizeof(why));
    if (err) {
        lb_log("dom%u dev %u: frontend keys: %s", d->fe_domid, d->devid, why);
        return err;
    }
    d->ring_order = cfg.ring_order;
    d->queues = calloc(cfg.nr_queues, sizeof(*d->queues));
    if (!d->queues)
        return ENOMEM;
    d->nr_queues = cfg.nr_queues;
    d->connected = true; /* from here on, disconnect() undoes what was done */
    for (unsigned i = 0; i < cfg.nr_queues && !err; i++) {
        struct lb_queue *q = &d->queues[i];
        q->dev = d;
        q->index = i;
        err = map_queue(d, q, &cfg.q[i], resume);
        if (!err && lb->ops->queue_start)
            err = lb->ops->queue_start(q);
    }
    if (!err && lb->ops->connect)
        err = lb->ops->connect(d);
    if (err) {
        disconnect(d);
        return err;
    }
    lb_log("dom%u dev %u: connected, %u queue(s) of %u ring page(s)%s", d->fe_domid, d->devid,
           d->nr_queues, 1u << d->ring_order, resume ? " (resumed)" : "");
    return 0;
}

static int probe(struct lb_dev *d)
{
    if (st(d)->probed)
        return 0;
    int err = d->lb->ops->probe ? d->lb->ops->probe(d) : 0;
    if (err)
        lb_log("dom%u dev %u: cannot serve it: %s", d->fe_domid, d->devid, strerror(err));
    else
        st(d)->probed = true;
    return err;
}

static void init_wait(struct lb_dev *d)
{
    const struct lb_backend_ops *ops = d->lb->ops;
    if (probe(d)) {
        if (!d->lb->xs)
            return; /* the store went away while probing: looked at again later */
        set_state(d, LB_XB_CLOSED);
        st(d)->broken = true;
        return;
    }
    /* Linux blkback re-publishes these before each InitWait (a reconnecting frontend
     * reads them again). */
    lb_dev_write(d, "max-ring-page-order", "%u", ops->max_ring_order);
    lb_dev_write(d, "multi-queue-max-queues", "%u", ops->max_queues);
    lb_dev_write(d, "hotplug-status", "connected");
    if (d->lb->xs)
        set_state(d, LB_XB_INITWAIT);
}

static void remove_dev(struct lb_dev *d);

enum step { STEP_MORE, STEP_DONE, STEP_GONE };

/* One decision, one act. */
static enum step step(struct lb_dev *d, const struct lb_xb_view *v, bool be_exists)
{
    if (d->dead) {
        /* A frontend that broke the protocol: drop its rings and ask it to close. */
        d->dead = false;
        st(d)->broken = true;
        disconnect(d);
        set_state(d, LB_XB_CLOSING);
        return STEP_DONE;
    }
    enum lb_xb_action a = lb_xenbus_next(v);
    if (st(d)->broken) {
        /* Not again until the frontend starts over (back to 1, or closed). */
        if (v->fe <= LB_XB_INITIALISING || v->fe == LB_XB_CLOSED)
            st(d)->broken = false;
        else if (a == LB_XB_INIT_WAIT || a == LB_XB_CONNECT)
            return STEP_DONE;
    }
    switch (a) {
    case LB_XB_NOTHING:
        return STEP_DONE;
    case LB_XB_INIT_WAIT:
        init_wait(d);
        return st(d)->broken || !d->lb->xs ? STEP_DONE : STEP_MORE;
    case LB_XB_CONNECT: {
        bool resume = d->be_state == LB_XB_CONNECTED;
        if (probe(d) || connect(d, resume)) {
            /* A failure that is the store's (it went away) is no fault of the frontend:
             * the device is looked at again once connected. */
            if (!d->lb->xs)
                return STEP_DONE;
            st(d)->broken = true;
            set_state(d, LB_XB_CLOSING);
            return STEP_DONE;
        }
        if (!resume)
            set_state(d, LB_XB_CONNECTED);
        for (unsigned i = 0; i < d->nr_queues; i++)
            d->lb->ops->queue_kick(&d->queues[i]);
        return STEP_MORE;
    }
    case LB_XB_CLOSE:
        set_state(d, LB_XB_CLOSING);
        return STEP_MORE;
    case LB_XB_DISCONNECT:
        disconnect(d);
        set_state(d, LB_XB_CLOSED);
        return STEP_MORE;
    case LB_XB_REMOVE:
        disconnect(d);
        /* Never write into a directory the toolstack already removed (a write would
         * create it again). */
        if (be_exists && d->be_state != LB_XB_CLOSED)
            set_state(d, LB_XB_CLOSED);
        remove_dev(d);
        return STEP_GONE;
    }
    return STEP_DONE;
}

/* Looks at the store and acts until nothing more is to be done. Returns false when the
 * device was removed (d is freed). */
bool lb_dev_eval(struct lb_dev *d)
{
    for (int i = 0; i < 8; i++) {
        struct lb *lb = d->lb;
        bool be_exists, fe_exists;
        if (!lb->xs)
            return true; /* nothing is decided on a store that is not there */
        if (st(d)->state_unwritten)
            set_state(d, d->be_state);
        int be_store = read_state(lb, d->be_path, &be_exists);
        char *online = NULL;
        lb_dev_read_be(d, "online", &online);
        int fe_state = read_state(lb, d->fe_path, &fe_exists);
        if (!lb->xs) {
            free(online); /* a read above lost the connection: its answer means nothing */
            return true;
        }
        /* The toolstack asks for removal with online=0 and/or by writing 5 (or 6) in our
         * state node; once seen, that request stands. */
        if (!online || strcmp(online, "1") != 0 || !be_exists ||
            (be_store >= LB_XB_CLOSING && be_store != d->be_state))
            st(d)->removing = true;
        free(online);
        struct lb_xb_view v = {
            .be = d->be_state,
            .fe = fe_state,
            .removing = st(d)->removing,
            .fe_exists = fe_exists && be_exists,
            .connected = d->connected,
        };
        enum step r = step(d, &v, be_exists);
        if (r == STEP_GONE)
            return false;
        if (r == STEP_DONE)
            return true;
    }
    return true;
}

struct lb_dev *lb_dev_find(struct lb *lb, unsigned domid, unsigned devid)
{
    for (struct lb_dev *d = lb->devs; d; d = d->next)
        if (d->fe_domid == domid && d->devid == devid)
            return d;
    return NULL;
}

/* A device the toolstack described under backend/TYPE/DOMID/DEVID: adopted when it is
 * online and complete (a backend restarted after a crash adopts it in the state it was). */
struct lb_dev *lb_dev_create(struct lb *lb, unsigned domid, unsigned devid)
{
    struct lb_dev *d = calloc(1, sizeof(*d) + sizeof(struct lb_dev_state));
    if (!d)
        return NULL;
    d->lb = lb;
    d->fe_domid = domid;
    d->devid = devid;
    d->priv_lib = d + 1;
    snprintf(d->be_path, sizeof(d->be_path), "%s/%u/%u", lb->base, domid, devid);
    char *online = NULL, *fe = NULL, *feid = NULL;
    uint64_t id = 0;
    char want[48];
    snprintf(want, sizeof(want), "/local/domain/%u/", domid);
    bool ok = !lb_dev_read_be(d, "online", &online) && strcmp(online, "1") == 0 &&
              !lb_dev_read_be(d, "frontend", &fe) && !lb_dev_read_be(d, "frontend-id", &feid) &&
              lb_parse_uint(feid, 0x7fef, &id) && id == domid &&
              strncmp(fe, want, strlen(want)) == 0 && strlen(fe) < sizeof(d->fe_path);
    if (ok)
        snprintf(d->fe_path, sizeof(d->fe_path), "%s", fe);
    free(online);
    free(fe);
    free(feid);
    if (!ok) {
        free(d);
        return NULL;
    }
    bool exists;
    int s = read_state(lb, d->be_path, &exists);
    /* A previous instance's state is taken over; 1 (fresh) or garbage start at 1. */
    d->be_state = s >= LB_XB_INITWAIT && s <= LB_XB_CLOSED ? s : LB_XB_INITIALISING;
    char fe_state[160];
    snprintf(fe_state, sizeof(fe_state), "%s/state", d->fe_path);
    int err = lb->xs ? xsc_watch(lb->xs, fe_state, "fe") : ENOTCONN;
    if (err || !lb->xs) {
        /* Without the store it is found again by the scan after the reconnection. */
        if (!lb_store_failed(lb, err))
            lb_log("%s: watching: %s", fe_state, strerror(err));
        free(d);
        return NULL;
    }
    st(d)->watching = true;
    d->next = lb->devs;
    lb->devs = d;
    lb_log("dom%u dev %u: found (%s, state %d)", domid, devid, d->fe_path, d->be_state);
    return d;
}

static void remove_dev(struct lb_dev *d)
{
    struct lb *lb = d->lb;
    disconnect(d);
    if (st(d)->probed && lb->ops->remove)
        lb->ops->remove(d);
    if (st(d)->watching && lb->xs) {
        char fe_state[160];
        snprintf(fe_state, sizeof(fe_state), "%s/state", d->fe_path);
        lb_store_failed(lb, xsc_unwatch(lb->xs, fe_state, "fe"));
    }
    for (struct lb_dev **p = &lb->devs; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    lb_log("dom%u dev %u: removed", d->fe_domid, d->devid);
    free(d);
}

int lb_dev_rewatch(struct lb *lb)
{
    for (struct lb_dev *d = lb->devs; d; d = d->next) {
        char fe_state[160];
        snprintf(fe_state, sizeof(fe_state), "%s/state", d->fe_path);
        int err = xsc_watch(lb->xs, fe_state, "fe");
        if (lb_store_failed(lb, err))
            return err;
        if (err)
            lb_log("%s: watching: %s", fe_state, strerror(err));
        if (st(d)->state_unwritten)
            set_state(d, d->be_state);
        if (!lb->xs)
            return ENOTCONN;
    }
    return 0;
}

void lb_dev_remove_all(struct lb *lb)
{
    while (lb->devs)
        remove_dev(lb->devs);
}
