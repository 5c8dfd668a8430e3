/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store connection, which outlives lamstored: when the daemon restarts (it keeps its
 * nodes with --state, but a socket client's connection and watches end with it), the loop
 * drops the handle, goes on serving the rings it has (they need no store), and connects
 * again with a growing pause (100 ms doubling to 2 s). Connected again, it watches what it
 * watched, writes the states it could not write meanwhile, and looks at every device.
 * Every store call of the library goes through lb_store_failed, so a broken connection is
 * noticed wherever it shows first, and no decision is taken on reads that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "xsclient.h"
#include "xsproto.h"

#define STORE_TIMEOUT_MS 5000
#define RETRY_FIRST_MS   100
#define RETRY_MAX_MS     2000

int64_t lb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The connection's own watches; the devices' are set by lb_dev_rewatch. */
static int watch_base(struct lb *lb)
{
    int err = xsc_watch(lb->xs, lb->base, "be");
    if (!err)
        err = xsc_watch(lb->xs, XS_SPECIAL_RELEASE, "release");
    return err;
}

void lb_store_lost(struct lb *lb, int err)
{
    if (!lb->xs)
        return;
    lb_log("store: %s; serving the connected rings and reconnecting", strerror(err));
    epoll_ctl(lb->epfd, EPOLL_CTL_DEL, xsc_fd(lb->xs), NULL);
    xsc_close(lb->xs);
    lb->xs = NULL;
    lb->retry_ms = RETRY_FIRST_MS;
    lb->next_retry = lb_now_ms() + lb->retry_ms;
}

static int attach(struct lb *lb, struct xsc *h)
{
    lb->xs = h;
    struct epoll_event se = {.events = EPOLLIN, .data.ptr = LB_TAG_STORE};
    if (epoll_ctl(lb->epfd, EPOLL_CTL_ADD, xsc_fd(h), &se) < 0) {
        int err = errno;
        lb->xs = NULL;
        xsc_close(h);
        return err;
    }
    int err = watch_base(lb);
    if (err)
        lb_store_lost(lb, err);
    return err;
}

/*
 * The first connection: wherever libxsclient finds the daemon ($XENSTORED_PATH, the
 * default socket, else the kernel's xenbus device). Later ones go to the same place, so a
 * restarting daemon's missing socket never sends us to the device (whose requests would
 * then wait for the daemon for STORE_TIMEOUT_MS with every ring stalled).
 */
int lb_store_open(struct lb *lb)
{
    struct xsc *h = xsc_open_timeout(NULL, STORE_TIMEOUT_MS);
    if (!h)
        return errno ? errno : EIO;
    struct stat sb;
    const char *env = getenv("XENSTORED_PATH");
    if (fstat(xsc_fd(h), &sb) == 0 && S_ISSOCK(sb.st_mode))
        snprintf(lb->store_path, sizeof(lb->store_path), "%s", env ? env : XSC_DEFAULT_SOCKET);
    else
        snprintf(lb->store_path, sizeof(lb->store_path), "%s", XSC_XENBUS_DEVICE);
    return attach(lb, h);
}

/* Errors after which the handle is unusable (libxsclient's breaks_stream, and ours). */
static bool breaks_connection(int err)
{
    return err == ETIMEDOUT || err == EPROTO || err == ECONNRESET || err == EPIPE ||
           err == ENOTCONN || err == EBADF;
}

bool lb_store_failed(struct lb *lb, int err)
{
    if (!lb->xs)
        return err != 0;
    if (!breaks_connection(err))
        return false;
    lb_store_lost(lb, err);
    return true;
}

int lb_store_wait_ms(const struct lb *lb)
{
    if (lb->xs)
        return -1;
    int64_t left = lb->next_retry - lb_now_ms();
    return left < 0 ? 0 : (int)left;
}

bool lb_store_retry(struct lb *lb)
{
    if (lb->xs || lb_now_ms() < lb->next_retry)
        return false;
    struct xsc *h = xsc_open_timeout(lb->store_path, STORE_TIMEOUT_MS);
    if (h && !attach(lb, h) && !lb_dev_rewatch(lb)) {
        lb->reconnects++;
        lb_log("store: connected again to %s (reconnect %u)", lb->store_path, lb->reconnects);
        return true;
    }
    if (!lb->xs) {
        lb->retry_ms = lb->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : lb->retry_ms * 2;
        lb->next_retry = lb_now_ms() + lb->retry_ms;
    }
    return lb->xs != NULL;
}
