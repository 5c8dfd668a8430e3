/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ring transport's logic on a plain page of memory, with a simulated
 * guest on the other side: index arithmetic and wrap-around, hostile
 * indices, messages larger than the ring, and a guest thread racing the
 * daemon side. The /dev/xen plumbing (ring_xen.c) needs a real dom0.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "store.h"
#include "unit.h"

static struct store st;

/* Guest side: what Linux's xenbus_comms.c does. */
static uint32_t guest_write(struct xs_ring_page *r, const char *buf, uint32_t len)
{
    uint32_t prod = r->req_prod, cons = __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE);
    uint32_t done = 0;
    while (done < len && prod + done - cons < XS_RING_SIZE) {
        r->req[XS_RING_MASK(prod + done)] = buf[done];
        done++;
    }
    __atomic_store_n(&r->req_prod, prod + done, __ATOMIC_RELEASE);
    return done;
}

static uint32_t guest_read(struct xs_ring_page *r, char *buf, uint32_t len)
{
    uint32_t cons = r->rsp_cons, prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
    uint32_t done = 0;
    while (done < len && cons + done != prod) {
        buf[done] = r->rsp[XS_RING_MASK(cons + done)];
        done++;
    }
    __atomic_store_n(&r->rsp_cons, cons + done, __ATOMIC_RELEASE);
    return done;
}

static uint32_t frame(char *out, uint32_t type, uint32_t req, const char *payload, uint32_t len)
{
    struct xs_msg_hdr h = {type, req, 0, len};
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), payload, len);
    return (uint32_t)sizeof(h) + len;
}

static void ring_indices_wrap(void)
{
    static struct xs_ring_page r;
    char in[600], out[600];
    memset(&r, 0, sizeof(r));
    r.req_cons = r.req_prod = 0xfffffe00u; /* wraps during the test */
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 600; i++)
            in[i] = (char)(i * 7 + round);
        CHECK(guest_write(&r, in, 600) == 600);
        CHECK(ring_take_requests(&r, out, 600) == 600);
        CHECK(memcmp(in, out, 600) == 0);
    }
    CHECK(r.req_cons == r.req_prod);
    /* replies: the ring holds at most 1024 unread bytes */
    r.rsp_cons = r.rsp_prod = 0xffffff00u;
    static char big[2048];
    CHECK(ring_put_replies(&r, big, sizeof(big)) == XS_RING_SIZE);
    CHECK(ring_put_replies(&r, big, 1) == 0);
}

static void ring_hostile_indices(void)
{
    static struct xs_ring_page r;
    char buf[64];
    memset(&r, 0, sizeof(r));
    r.req_prod = 5000; /* claims more than a ring's worth */
    CHECK(ring_take_requests(&r, buf, sizeof(buf)) == -1);
    CHECK(r.req_cons == 0);
    r.req_prod = 0;
    r.rsp_cons = 3000; /* consumer ahead of producer */
    CHECK(ring_put_replies(&r, buf, 4) == -1);
}

static void ring_large_messages_through_pump(void)
{
    static struct xs_ring_page r;
    static char msg[8192], reply[8192];
    memset(&r, 0, sizeof(r));
    struct conn *c = conn_new(&st, 0, true, false, NULL, NULL);
    char payload[3100];
    memcpy(payload, "/ring/big", 10);
    memset(payload + 10, 'v', sizeof(payload) - 10);
    uint32_t n = frame(msg, XS_WRITE, 1, payload, sizeof(payload));
    n += frame(msg + n, XS_READ, 2, "/ring/big", 10);
    uint32_t sent = 0, got = 0;
    for (int step = 0; step < 100 && (sent < n || got < 16 + 3 + 16 + 3090); step++) {
        sent += guest_write(&r, msg + sent, n - sent);
        CHECK(ring_pump(&r, c) >= 0);
        got += guest_read(&r, reply + got, sizeof(reply) - got);
    }
    struct xs_msg_hdr h1, h2;
    memcpy(&h1, reply, sizeof(h1));
    CHECK(h1.type == XS_WRITE && h1.req_id == 1 && h1.len == 3);
    memcpy(&h2, reply + 16 + 3, sizeof(h2));
    CHECK(h2.type == XS_READ && h2.req_id == 2 && h2.len == 3090);
    CHECK(memcmp(reply + 16 + 3 + 16, payload + 10, 3090) == 0);
    conn_free(c);
}

static void ring_broken_peer_detected(void)
{
    static struct xs_ring_page r;
    memset(&r, 0, sizeof(r));
    struct conn *c = conn_new(&st, 3, false, false, NULL, NULL);
    r.req_prod = 0x80000000u;
    CHECK(ring_pump(&r, c) == -1);
    conn_free(c);
}

static void ring_guest_reconnect(void)
{
    static struct xs_ring_page r;
    char msg[64], reply[256];
    memset(&r, 0, sizeof(r));
    struct conn *c = conn_new(&st, 0, true, false, NULL, NULL);
    uint32_t n = frame(msg, XS_WATCH, 1, "/rc\0tok", 8);
    guest_write(&r, msg, n);
    CHECK(ring_pump(&r, c) == 1);
    CHECK(c->nwatches == 1);
    /* half a request in flight, then the guest asks for a reconnection */
    n = frame(msg, XS_READ, 2, "/", 2);
    guest_write(&r, msg, 8);
    r.connection = XS_RING_RECONNECT;
    CHECK(ring_pump(&r, c) == 1);
    CHECK(r.connection == XS_RING_CONNECTED && c->nwatches == 0 && c->rlen == 0);
    CHECK(r.req_prod == 0 && r.req_cons == 0 && r.rsp_prod == 0 && r.rsp_cons == 0);
    /* the ring works from index 0 again */
    guest_write(&r, msg, n);
    CHECK(ring_pump(&r, c) == 1);
    struct xs_msg_hdr h;
    CHECK(guest_read(&r, reply, sizeof(reply)) == 16 + 0);
    memcpy(&h, reply, sizeof(h));
    CHECK(h.type == XS_READ && h.req_id == 2);
    conn_free(c);
}

struct race {
    struct xs_ring_page *r;
    int requests, replies_ok;
    volatile int done;
};

static void *guest_thread(void *arg)
{
    struct race *x = arg;
    char msg[64], rbuf[4096];
    uint32_t have = 0;
    int sent = 0;
    while (x->replies_ok < x->requests) {
        if (sent < x->requests) {
            uint32_t n = frame(msg, XS_READ, (uint32_t)sent + 1, "/race", 6);
            uint32_t w = 0;
            while (w < n)
                w += guest_write(x->r, msg + w, n - w);
            sent++;
        }
        have += guest_read(x->r, rbuf + have, sizeof(rbuf) - have);
        while (have >= 16) {
            struct xs_msg_hdr h;
            memcpy(&h, rbuf, sizeof(h));
            if (have < 16 + h.len)
                break;
            if (h.type == XS_READ && h.len == 2 && memcmp(rbuf + 16, "ok", 2) == 0)
                x->replies_ok++;
            memmove(rbuf, rbuf + 16 + h.len, have - 16 - h.len);
            have -= 16 + h.len;
        }
    }
    x->done = 1;
    return NULL;
}

static void ring_guest_thread_race(void)
{
    static struct xs_ring_page r;
    memset(&r, 0, sizeof(r));
    struct conn *c = conn_new(&st, 0, true, false, NULL, NULL);
    char out[32];
    uint32_t n = frame(out, XS_WRITE, 99, "/race\0ok", 8);
    memcpy(c->rbuf, out, n);
    c->rlen = n;
    conn_process(c);
    conn_consumed(c, c->obytes);
    struct race x = {&r, 3000, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, guest_thread, &x);
    long spins = 0;
    while (!x.done && spins++ < 200000000L)
        CHECK(ring_pump(&r, c) >= 0);
    pthread_join(t, NULL);
    CHECK(x.replies_ok == 3000);
    conn_free(c);
}

int main(void)
{
    store_init(&st);
    RUN("store/ring", ring_indices_wrap);
    RUN("store/ring", ring_hostile_indices);
    RUN("store/ring", ring_large_messages_through_pump);
    RUN("store/ring", ring_broken_peer_detected);
    RUN("store/ring", ring_guest_reconnect);
    RUN("store/ring", ring_guest_thread_race);
    store_free(&st);
    return 0;
}
