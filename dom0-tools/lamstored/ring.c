/* SPDX-License-Identifier: GPL-2.0-only */
/* Store ring page I/O (see ring.h). */
#include <string.h>

#include "ring.h"
#include "store.h"

static uint32_t load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int ring_take_requests(struct xs_ring_page *r, void *buf, uint32_t len)
{
    uint32_t cons = r->req_cons;
    uint32_t prod = load_acquire(&r->req_prod);
    uint32_t avail = prod - cons, done = 0;
    if (avail > XS_RING_SIZE)
        return -1;
    while (done < len && done < avail) {
        uint32_t pos = XS_RING_MASK(cons + done);
        uint32_t chunk = XS_RING_SIZE - pos;
        if (chunk > avail - done)
            chunk = avail - done;
        if (chunk > len - done)
            chunk = len - done;
        memcpy((char *)buf + done, r->req + pos, chunk);
        done += chunk;
    }
    store_release(&r->req_cons, cons + done);
    return (int)done;
}

int ring_put_replies(struct xs_ring_page *r, const void *buf, uint32_t len)
{
    uint32_t prod = r->rsp_prod;
    uint32_t cons = load_acquire(&r->rsp_cons);
    uint32_t used = prod - cons, done = 0;
    if (used > XS_RING_SIZE)
        return -1;
    uint32_t space = XS_RING_SIZE - used;
    while (done < len && done < space) {
        uint32_t pos = XS_RING_MASK(prod + done);
        uint32_t chunk = XS_RING_SIZE - pos;
        if (chunk > space - done)
            chunk = space - done;
        if (chunk > len - done)
            chunk = len - done;
        memcpy(r->rsp + pos, (const char *)buf + done, chunk);
        done += chunk;
    }
    store_release(&r->rsp_prod, prod + done);
    return (int)done;
}

/*
 * The guest asked for a fresh start (XS_SERVER_FEATURE_RECONNECTION): drop
 * what the connection had, as RESET_WATCHES does plus in-flight data, zero
 * the indices and say so.
 */
static void ring_reconnect(struct xs_ring_page *r, struct conn *c)
{
    conn_reset(c);
    r->req_cons = r->req_prod = 0;
    r->rsp_cons = r->rsp_prod = 0;
    store_release(&r->connection, XS_RING_CONNECTED);
}

int ring_pump(struct xs_ring_page *r, struct conn *c)
{
    int notify = 0;
    if (load_acquire(&r->connection) == XS_RING_RECONNECT) {
        ring_reconnect(r, c);
        notify = 1;
    }
    for (int round = 0; round < 64; round++) {
        bool moved = false;
        /* Replies first: they free the outstanding quota for more requests. */
        while (c->oh) {
            struct outmsg *m = c->oh;
            int n = ring_put_replies(r, m->data + m->off, m->len - m->off);
            if (n < 0)
                return -1;
            if (n == 0)
                break;
            conn_consumed(c, (size_t)n);
            moved = true;
            notify = 1;
        }
        if (conn_wants_input(c) && c->rlen < CONN_RBUF) {
            int n = ring_take_requests(r, c->rbuf + c->rlen, CONN_RBUF - c->rlen);
            if (n < 0)
                return -1;
            if (n > 0) {
                c->rlen += (uint32_t)n;
                moved = true;
                notify = 1;
            }
        }
        uint32_t before = c->rlen;
        conn_process(c);
        if (c->dead)
            return -1;
        if (c->rlen != before)
            moved = true;
        if (!moved)
            break;
    }
    return notify;
}
