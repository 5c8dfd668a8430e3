/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend side of the xenbus handshake, as one pure decision: given both states and
 * what the toolstack wants, what to do next. The caller acts, updates the view and asks
 * again until the answer is LB_XB_NOTHING. Linux 6.1 blkback and QEMU's xen-bus are the
 * reference (split-drivers.md 1.5): InitWait keys before 2, connect on a frontend at 3
 * or 4, 5 answers 5, 6 disconnects; a frontend back at 1 after 6 gets a fresh InitWait
 * while "online" is 1, and a toolstack close removes the device once the frontend let go.
 */
#include <errno.h>
#include <stdlib.h>

#include "lamback.h"

static bool fe_active(int fe)
{
    return fe >= LB_XB_INITWAIT && fe <= LB_XB_CLOSING;
}

static enum lb_xb_action removing(const struct lb_xb_view *v)
{
    /* QEMU's rule: a frontend that is not using the device cannot hold its removal. */
    if (!fe_active(v->fe))
        return LB_XB_REMOVE;
    return v->be < LB_XB_CLOSING ? LB_XB_CLOSE : LB_XB_NOTHING;
}

enum lb_xb_action lb_xenbus_next(const struct lb_xb_view *v)
{
    if (!v->fe_exists)
        return LB_XB_REMOVE; /* the guest or its device directory is gone */
    if (v->removing)
        return removing(v);
    switch (v->fe) {
    case LB_XB_UNKNOWN:
    case LB_XB_INITIALISING:
    case LB_XB_INITWAIT:
        /* A frontend (re)starting: a connected ring of its previous life is dropped. */
        if (v->connected || v->be == LB_XB_CONNECTED || v->be == LB_XB_CLOSING)
            return LB_XB_DISCONNECT;
        return v->be == LB_XB_INITWAIT || v->fe == LB_XB_UNKNOWN ? LB_XB_NOTHING : LB_XB_INIT_WAIT;
    case LB_XB_INITIALISED:
    case LB_XB_CONNECTED:
        if (v->be == LB_XB_INITWAIT || (v->be == LB_XB_CONNECTED && !v->connected))
            return LB_XB_CONNECT;
        if (v->be == LB_XB_CONNECTED)
            return LB_XB_NOTHING;
        /* We are at 1, 5 or 6 while it runs: start over from InitWait (it may follow). */
        return v->be == LB_XB_CLOSING ? LB_XB_DISCONNECT : LB_XB_INIT_WAIT;
    case LB_XB_CLOSING:
        return v->be == LB_XB_CLOSING || v->be == LB_XB_CLOSED ? LB_XB_NOTHING : LB_XB_CLOSE;
    case LB_XB_CLOSED:
        return v->connected || v->be != LB_XB_CLOSED ? LB_XB_DISCONNECT : LB_XB_NOTHING;
    default: /* 7, 8 or garbage: not a block frontend's states */
        return LB_XB_NOTHING;
    }
}

bool lb_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}
