/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Disks of a running domain: attached by writing the same directories dombuild_create
 * writes (lamblkback finds the backend one, the guest's blkfront the frontend one), and
 * detached the way libxl removes a vbd: the backend is asked to close (online 0, state 5),
 * the toolstack waits a bounded time for it to reach Closed, then removes the directories.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dombuild.h"
#include "image_internal.h"
#include "store.h"
#include "xsclient.h"

#define TX_RETRIES 8

int dombuild_disk_attach(struct xsc *h, uint16_t domid, const struct dombuild_disk *d, char *why,
                         size_t whylen)
{
    if (dombuild_disk_check(d, why, whylen))
        return -EINVAL;
    int err = store_attach_disk(h, domid, d, dombuild_disk_devid(d->target));
    if (err == -ENOENT)
        dombuild_why(why, whylen, "domain %u has no store directory (is it running?)", domid);
    else if (err == -EEXIST)
        dombuild_why(why, whylen, "in use: the domain already has a disk there");
    else if (err)
        dombuild_why(why, whylen, "writing the store: %s", strerror(-err));
    return err;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The backend's state as a number; 0 when unreadable, -1 when its directory is gone. */
static int backend_state(struct xsc *h, const char *be)
{
    char p[160], *v = NULL;
    uint32_t len;
    snprintf(p, sizeof(p), "%s/state", be);
    int err = xsc_read(h, XSC_NO_TX, p, &v, &len);
    int s = err == ENOENT ? -1 : err ? 0 : atoi(v);
    free(v);
    return s;
}

/* libxl's request: online 0 and Closing, unless the backend is Closed already. */
static int ask_to_close(struct xsc *h, const char *be)
{
    char p[160];
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        uint32_t tx;
        int err = xsc_transaction_start(h, &tx);
        if (err)
            return err;
        char *v = NULL;
        uint32_t len;
        snprintf(p, sizeof(p), "%s/state", be);
        err = xsc_read(h, tx, p, &v, &len);
        bool closed = !err && strcmp(v, "6") == 0;
        free(v);
        if (!err && !closed) {
            snprintf(p, sizeof(p), "%s/online", be);
            err = xsc_write(h, tx, p, "0", 1);
            snprintf(p, sizeof(p), "%s/state", be);
            if (!err)
                err = xsc_write(h, tx, p, "5", 1);
        }
        if (err) {
            xsc_transaction_end(h, tx, false);
            return err;
        }
        err = xsc_transaction_end(h, tx, true);
        if (err != EAGAIN)
            return err;
    }
    return EAGAIN;
}

/* Until the backend is Closed (or gone) or the time is up. */
static bool wait_closed(struct xsc *h, const char *be, int timeout_ms)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/state", be);
    bool watching = xsc_watch(h, p, "detach") == 0;
    int64_t end = now_ms() + timeout_ms;
    bool closed;
    for (;;) {
        int s = backend_state(h, be);
        closed = s == 6 || s == -1;
        int64_t left = end - now_ms();
        if (closed || left <= 0)
            break;
        /* Woken by the watch; a short nap bounds the wait if the watch could not be set. */
        char *path = NULL, *token = NULL;
        xsc_read_watch(h, watching ? (int)(left < 1000 ? left : 1000) : 100, &path, &token);
        free(path);
        free(token);
    }
    if (watching)
        xsc_unwatch(h, p, "detach");
    return closed;
}

int dombuild_disk_detach(struct xsc *h, uint16_t domid, const char *target, int timeout_ms,
                         char *why, size_t whylen)
{
    long devid = dombuild_disk_devid(target);
    if (devid < 0) {
        dombuild_why(why, whylen, "disk target '%s': not a Xen disk name (xvda, xvdb, ...)",
                     target ? target : "");
        return -EINVAL;
    }
    char fe[96], be[96];
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%ld", domid, devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%u/%ld", DOMBUILD_DISK_BACKEND, domid,
             devid);
    char *v = NULL;
    uint32_t len;
    int fe_err = xsc_read(h, XSC_NO_TX, fe, &v, &len);
    free(v);
    int be_state = backend_state(h, be);
    if (fe_err == ENOENT && be_state == -1) {
        dombuild_why(why, whylen, "the domain has no disk %s", target);
        return -ENOENT;
    }
    if (be_state != -1) {
        int err = ask_to_close(h, be);
        if (err && err != ENOENT) {
            dombuild_why(why, whylen, "asking the backend to close %s: %s", target, strerror(err));
            return -err;
        }
        if (!wait_closed(h, be, timeout_ms)) {
            dombuild_why(why, whylen,
                         "%s was not released within %d.%d s (still in use in the guest?); "
                         "the backend was asked to close it and will once the guest lets go",
                         target, timeout_ms / 1000, timeout_ms % 1000 / 100);
            return -ETIMEDOUT;
        }
    }
    /* The backend directory first (lamblkback writes nothing more there), then the
     * frontend, as when a domain is destroyed. */
    int err = xsc_rm(h, XSC_NO_TX, be);
    if (err && err != ENOENT) {
        dombuild_why(why, whylen, "removing %s: %s", be, strerror(err));
        return -err;
    }
    err = xsc_rm(h, XSC_NO_TX, fe);
    if (err && err != ENOENT) {
        dombuild_why(why, whylen, "removing %s: %s", fe, strerror(err));
        return -err;
    }
    return 0;
}
