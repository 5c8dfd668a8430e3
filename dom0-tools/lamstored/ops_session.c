/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-connection requests: WATCH, UNWATCH, RESET_WATCHES, TRANSACTION_*. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "request.h"
#include "util.h"
#include "watch.h"

int op_watch(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    bool rel;
    if (rq->argc < 2)
        return EINVAL;
    int err = path_resolve(rq->c, rq->argv[0], true, path, &len, &rel);
    if (!err)
        err = watch_add(rq->c, path, rq->argv[1], rel);
    if (err)
        return err;
    rq->fire_after = rq->c->watches; /* the one just added */
    return reply_ok(rq);
}

int op_unwatch(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    bool rel;
    if (rq->argc < 2)
        return EINVAL;
    int err = path_resolve(rq->c, rq->argv[0], true, path, &len, &rel);
    if (!err)
        err = watch_remove(rq->c, path, rq->argv[1]);
    return err ? err : reply_ok(rq);
}

static void txn_unlink(struct conn *c, struct txn *tx)
{
    for (struct txn **pp = &c->txns; *pp; pp = &(*pp)->next) {
        if (*pp == tx) {
            *pp = tx->next;
            c->ntxns--;
            return;
        }
    }
}

int op_reset_watches(struct request *rq)
{
    watch_remove_all(rq->c);
    while (rq->c->txns) {
        struct txn *tx = rq->c->txns;
        txn_unlink(rq->c, tx);
        txn_release(tx);
        free(tx);
    }
    return reply_ok(rq);
}

static bool txid_in_use(struct store *st, uint32_t id)
{
    for (struct conn *c = st->conns; c; c = c->next)
        for (struct txn *tx = c->txns; tx; tx = tx->next)
            if (tx->id == id)
                return true;
    return false;
}

/* Opens a transaction with a given id on c (also used when restoring state). */
struct txn *txn_open(struct conn *c, uint32_t id)
{
    struct txn *tx = xmalloc(sizeof(*tx));
    txn_init(tx, id, c);
    tx->next = c->txns;
    c->txns = tx;
    c->ntxns++;
    return tx;
}

int op_transaction_start(struct request *rq)
{
    struct store *st = rq->c->st;
    char id[16];
    if (rq->h->tx_id)
        return EBUSY; /* no nesting */
    if (rq->c->ntxns >= st->q.v[Q_TXNS]) {
        domain_quota_hit(st, rq->c->domid, Q_TXNS);
        return quota_errno(Q_TXNS);
    }
    do {
        if (++st->next_txid == 0)
            st->next_txid = 1;
    } while (txid_in_use(st, st->next_txid));
    struct txn *tx = txn_open(rq->c, st->next_txid);
    snprintf(id, sizeof(id), "%u", tx->id);
    return reply_str(rq, id);
}

int op_transaction_end(struct request *rq)
{
    struct txn *tx = NULL;
    int err = 0;
    for (tx = rq->c->txns; tx && tx->id != rq->h->tx_id; tx = tx->next)
        ;
    if (!tx || rq->h->tx_id == 0)
        return ENOENT;
    if (rq->argc < 1 || (strcmp(rq->argv[0], "T") != 0 && strcmp(rq->argv[0], "F") != 0))
        return EINVAL;
    txn_unlink(rq->c, tx);
    if (rq->argv[0][0] == 'T')
        err = tx->failed ? tx->failed : txn_commit(rq->c->st, tx, true);
    txn_release(tx);
    free(tx);
    return err ? err : reply_ok(rq);
}
