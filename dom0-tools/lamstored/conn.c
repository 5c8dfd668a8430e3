/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connections: message framing on input, the output queue, and the
 * backpressure that keeps one client from holding the daemon's memory.
 *
 * A client that sends requests but never reads replies stops being read
 * once it has Q_OUTSTANDING replies queued: its requests wait in the
 * kernel's socket buffer (or in its ring) and cost the daemon nothing.
 * Watch events cannot wait like that, so a connection whose queued output
 * passes st->out_limit is dropped (socket) or loses events (ring).
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "txn.h"
#include "util.h"
#include "watch.h"

struct conn *conn_new(struct store *st, uint32_t domid, bool privileged, bool readonly,
                      const struct conn_transport *tp, void *tpriv)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    c->st = st;
    c->domid = domid;
    c->privileged = privileged;
    c->readonly = readonly;
    c->tp = tp;
    c->tpriv = tpriv;
    c->next = st->conns;
    if (st->conns)
        st->conns->prev = c;
    st->conns = c;
    return c;
}

static void txns_free(struct conn *c)
{
    while (c->txns) {
        struct txn *tx = c->txns;
        c->txns = tx->next;
        txn_release(tx);
        free(tx);
    }
    c->ntxns = 0;
}

void conn_free(struct conn *c)
{
    struct store *st = c->st;
    if (c->prev)
        c->prev->next = c->next;
    else
        st->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->queued) {
        for (struct conn **pp = &st->wake_head; *pp; pp = &(*pp)->wnext) {
            if (*pp == c) {
                *pp = c->wnext;
                break;
            }
        }
    }
    struct domain *d = domain_find(st, c->domid);
    if (d && d->conn == c)
        d->conn = NULL;
    watch_remove_all(c);
    txns_free(c);
    while (c->oh) {
        struct outmsg *m = c->oh;
        c->oh = m->next;
        free(m);
    }
    free(c);
}

void conn_reset(struct conn *c)
{
    watch_remove_all(c);
    txns_free(c);
    while (c->oh) {
        struct outmsg *m = c->oh;
        c->oh = m->next;
        free(m);
    }
    c->ot = NULL;
    c->obytes = 0;
    c->oreplies = 0;
    c->rlen = 0;
}

bool conn_wants_input(const struct conn *c)
{
    return !c->dead && c->oreplies < c->st->q.v[Q_OUTSTANDING];
}

void conn_process(struct conn *c)
{
    uint32_t off = 0;
    /* One request at a time: handlers copy what they keep. */
    static char payload[XS_PAYLOAD_MAX + 1];

    while (conn_wants_input(c) && c->rlen - off >= sizeof(struct xs_msg_hdr)) {
        struct xs_msg_hdr h;
        memcpy(&h, c->rbuf + off, sizeof(h));
        if (h.len > XS_PAYLOAD_MAX) {
            /* The protocol's rule: an oversized message ends the connection. */
            logmsg("dom%u: message of %u bytes exceeds %u, closing connection", c->domid, h.len,
                   XS_PAYLOAD_MAX);
            c->dead = true;
            break;
        }
        if (c->rlen - off < sizeof(h) + h.len)
            break;
        memcpy(payload, c->rbuf + off + sizeof(h), h.len);
        payload[h.len] = '\0';
        off += (uint32_t)sizeof(h) + h.len;
        c->st->requests++;
        request_handle(c, &h, payload);
    }
    if (off) {
        memmove(c->rbuf, c->rbuf + off, c->rlen - off);
        c->rlen -= off;
    }
}

static void wake(struct conn *c)
{
    if (c->queued)
        return;
    c->queued = true;
    c->wnext = c->st->wake_head;
    c->st->wake_head = c;
    if (c->tp && c->tp->wake)
        c->tp->wake(c);
}

struct conn *store_next_woken(struct store *st)
{
    struct conn *c = st->wake_head;
    if (c) {
        st->wake_head = c->wnext;
        c->queued = false;
        c->wnext = NULL;
    }
    return c;
}

void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *payload,
                uint32_t len, bool reply)
{
    uint32_t total = (uint32_t)sizeof(struct xs_msg_hdr) + len;
    if (c->dead)
        return;
    if (!reply && c->obytes + total > c->st->out_limit) {
        if (c->tp && strcmp(c->tp->name, "ring") == 0) {
            logmsg("dom%u: not reading its events, dropping one", c->domid);
            return;
        }
        logmsg("dom%u: %zu bytes of unread events, closing connection", c->domid, c->obytes);
        c->dead = true;
        wake(c);
        return;
    }
    struct outmsg *m = xmalloc(sizeof(*m) + total);
    struct xs_msg_hdr h = {type, req_id, tx_id, len};
    memcpy(m->data, &h, sizeof(h));
    if (len)
        memcpy(m->data + sizeof(h), payload, len);
    m->len = total;
    m->off = 0;
    m->reply = reply;
    m->next = NULL;
    if (c->ot)
        c->ot->next = m;
    else
        c->oh = m;
    c->ot = m;
    c->obytes += total;
    if (reply)
        c->oreplies++;
    wake(c);
}

void conn_queue_raw(struct conn *c, const void *bytes, uint32_t len, bool reply)
{
    struct outmsg *m = xmalloc(sizeof(*m) + len);
    memcpy(m->data, bytes, len);
    m->len = len;
    m->off = 0;
    m->reply = reply;
    m->next = NULL;
    if (c->ot)
        c->ot->next = m;
    else
        c->oh = m;
    c->ot = m;
    c->obytes += len;
    if (reply)
        c->oreplies++;
    wake(c);
}

void conn_consumed(struct conn *c, size_t n)
{
    while (n && c->oh) {
        struct outmsg *m = c->oh;
        size_t take = m->len - m->off;
        if (take > n)
            take = n;
        m->off += (uint32_t)take;
        n -= take;
        c->obytes -= take;
        if (m->off == m->len) {
            c->oh = m->next;
            if (!c->oh)
                c->ot = NULL;
            if (m->reply)
                c->oreplies--;
            free(m);
        }
    }
}
