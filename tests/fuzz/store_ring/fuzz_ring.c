/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the store's ring transport (lamstored's ring.c) against a hostile
 * guest: the input is a script of what the guest does to its xenstore page (set any of the
 * four indices or the connection word to any value, write bytes into req[] at its producer
 * index, consume replies) interleaved with the daemon's pump. Whatever the guest does,
 * every access stays inside the page (ASan), the daemon never moves its own indices past
 * what the guest published or past what the ring holds, a pump either works or says the
 * ring is broken (and then changes nothing), and the store's accounting still matches its
 * tree at the end. The protocol parser behind the ring is fuzzed by tests/fuzz/store.
 */
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "store.h"
#include "../fuzz_target.h"

static uint32_t word(const uint8_t *d)
{
    uint32_t v;
    memcpy(&v, d, sizeof(v));
    return v;
}

/* One daemon pump, with the invariants the guest cannot break. */
static void pump(struct xs_ring_page *r, struct conn *c)
{
    struct xs_ring_page before = *r;
    bool reconnect = before.connection == XS_RING_RECONNECT;
    int rc = ring_pump(r, c);
    if (rc < 0) {
        /* Broken indices: the connection is given up. */
        c->dead = true;
        return;
    }
    if (reconnect && r->connection != XS_RING_CONNECTED)
        abort();
    if (!reconnect) {
        /* The guest does nothing during a pump, so the daemon consumed only what it had
         * published, and never more than one ring's worth... */
        uint32_t took = r->req_cons - before.req_cons;
        if (took > before.req_prod - before.req_cons || took > XS_RING_SIZE)
            abort();
        /* ... and produced only into the space the guest had left. */
        uint32_t put = r->rsp_prod - before.rsp_prod;
        if (put && (before.rsp_prod - before.rsp_cons > XS_RING_SIZE ||
                    put > XS_RING_SIZE - (before.rsp_prod - before.rsp_cons)))
            abort();
    }
    if (c->rlen > CONN_RBUF)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store st;
    struct xs_ring_page *r = calloc(1, sizeof(*r));
    if (!r)
        return 0;
    store_init(&st);
    st.out_limit = 1 << 16;
    struct conn *dom0 = conn_new(&st, 0, true, false, NULL, NULL);
    struct conn *g = conn_new(&st, 5, false, false, NULL, NULL);
    (void)dom0;

    size_t i = 0;
    while (i < size && !g->dead) {
        uint8_t op = data[i++];
        switch (op & 7) {
        case 0: /* set one index or the connection word to anything */
            if (i + 4 > size)
                break;
            {
                uint32_t v = word(data + i);
                uint32_t *slots[5] = {&r->req_cons, &r->req_prod, &r->rsp_cons, &r->rsp_prod,
                                      &r->connection};
                *slots[(op >> 3) % 5] = v;
            }
            i += 4;
            break;
        case 1: { /* write bytes at req_prod, as a guest's xenbus does, and publish them */
            size_t n = (size_t)(op >> 3) * 8 + 1;
            if (n > size - i)
                n = size - i;
            for (size_t k = 0; k < n; k++)
                r->req[XS_RING_MASK(r->req_prod + (uint32_t)k)] = (char)data[i + k];
            r->req_prod += (uint32_t)n;
            i += n;
            break;
        }
        case 2: /* consume every reply */
            r->rsp_cons = r->rsp_prod;
            break;
        default:
            pump(r, g);
            break;
        }
    }
    if (!g->dead) {
        r->rsp_cons = r->rsp_prod;
        pump(r, g);
    }
    /* The accounting still matches the tree: nothing a guest did through its ring corrupts it. */
    uint32_t accounted = 0;
    for (uint32_t d = 0; d < 0x10000; d++) {
        struct domain *dom = domain_find(&st, d);
        accounted += dom ? dom->nodes : 0;
    }
    if (accounted != st.tree.count)
        abort();
    store_free(&st);
    free(r);
    return 0;
}
