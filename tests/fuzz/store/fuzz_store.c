/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the store's message parser and request handling.
 *
 * The input is a script of chunks: [selector][length][bytes...]. The low two
 * bits of the selector pick one of four connections (dom0, guest dom5,
 * read-only dom0, guest dom7 targeting dom5); bit 2 drains that connection's
 * output afterwards. The bytes are appended to the connection's input and
 * processed, so messages split across chunks, pipelined messages and
 * garbage all reach the parser. After the script the quota accounting must
 * match a recount of the tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "../fuzz_target.h"

static void drain(struct conn *c)
{
    if (c->obytes)
        conn_consumed(c, c->obytes);
}

static void check_accounting(struct store *st)
{
    /* every owner's count must equal the nodes the index holds for it */
    uint32_t total = 0;
    for (uint32_t b = 0; b < st->tree.nbuckets; b++) {
        for (struct node *n = st->tree.buckets[b]; n; n = n->hnext) {
            struct domain *dom = domain_find(st, n->perms[0].domid);
            if (!dom || dom->nodes == 0)
                abort();
            total++;
        }
    }
    uint32_t accounted = 0;
    for (uint32_t d = 0; d < 0x10000; d++) {
        struct domain *dom = domain_find(st, d);
        accounted += dom ? dom->nodes : 0;
    }
    if (total != accounted || total != st->tree.count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store st;
    struct conn *c[4];
    store_init(&st);
    st.out_limit = 1 << 16;
    c[0] = conn_new(&st, 0, true, false, NULL, NULL);
    c[1] = conn_new(&st, 5, false, false, NULL, NULL);
    c[2] = conn_new(&st, 0, true, true, NULL, NULL);
    c[3] = conn_new(&st, 7, false, false, NULL, NULL);
    domain_get(&st, 7)->target = 5;

    size_t i = 0;
    while (i + 2 <= size) {
        struct conn *k = c[data[i] & 3];
        int flush = data[i] & 4;
        size_t len = data[i + 1];
        i += 2;
        if (len > size - i)
            len = size - i;
        if (!k->dead) {
            if (len > CONN_RBUF - k->rlen)
                len = CONN_RBUF - k->rlen;
            memcpy(k->rbuf + k->rlen, data + i, len);
            k->rlen += (uint32_t)len;
            conn_process(k);
        }
        i += len;
        if (flush || k->oreplies >= st.q.v[Q_OUTSTANDING]) {
            drain(k);
            if (!k->dead)
                conn_process(k);
        }
    }
    check_accounting(&st);
    store_free(&st);
    return 0;
}
