/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's bounded connections to dom0's daemons (see lam_daemon.h). */
#include "lam_daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsclient.h"

struct xsc *lam_store_open(const struct lam_args *args, const char *path)
{
    struct xsc *h = xsc_open_timeout(path, LAM_DAEMON_TIMEOUT_MS);
    if (h)
        return h;
    int err = errno;
    const char *where = path ? path : getenv("XENSTORED_PATH");
    if (!where)
        where = XSC_DEFAULT_SOCKET;
    if (err == ENOENT || err == ECONNREFUSED || err == ETIMEDOUT)
        lam_fail(args, "cannot reach the store daemon (lamstored)",
                 "%s: %s; start it with '%s' (dom0's /init starts it at boot)", where,
                 strerror(err), LAM_STORED_START);
    else
        lam_fail(args, "cannot reach the store daemon (lamstored)", "%s: %s", where, strerror(err));
    return NULL;
}

int lam_store_fail(const struct lam_args *args, const char *what, int err)
{
    if (err == ETIMEDOUT)
        return lam_fail(args, what,
                        "the store daemon (lamstored) did not answer within %d s: is it "
                        "running? Start it with '%s' (dom0's /init starts it at boot)",
                        LAM_DAEMON_TIMEOUT_MS / 1000, LAM_STORED_START);
    if (err == ECONNRESET || err == EPIPE)
        return lam_fail(args, what, "the store daemon (lamstored) closed the connection");
    return lam_fail(args, what, "%s", strerror(err));
}
