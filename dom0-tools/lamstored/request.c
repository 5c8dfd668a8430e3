/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request dispatch: one table says, per message type, which handler runs,
 * whether it needs a privileged connection, and whether it changes the
 * store (then it runs in the request's transaction, or in an implicit one
 * committed on success).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "paths.h"

#include "perms.h"
#include "request.h"
#include "util.h"
#include "watch.h"

enum {
    OPF_TX = 1,     /* honours tx_id */
    OPF_CHANGE = 2, /* changes the store */
    OPF_PRIV = 4,   /* privileged connections only */
    OPF_NOTID = 8,  /* tx_id is not even looked up (Xen's XS_FLAG_NOTID) */
};

struct op_desc {
    op_handler fn;
    unsigned flags;
};

static const struct op_desc ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {op_control, OPF_PRIV},
    [XS_DIRECTORY] = {op_directory, OPF_TX},
    [XS_READ] = {op_read, OPF_TX},
    [XS_GET_PERMS] = {op_get_perms, OPF_TX},
    [XS_WATCH] = {op_watch, OPF_NOTID},
    [XS_UNWATCH] = {op_unwatch, OPF_NOTID},
    [XS_TRANSACTION_START] = {op_transaction_start, 0},
    [XS_TRANSACTION_END] = {op_transaction_end, 0},
    [XS_INTRODUCE] = {op_introduce, OPF_PRIV},
    [XS_RELEASE] = {op_release, OPF_PRIV},
    [XS_GET_DOMAIN_PATH] = {op_get_domain_path, 0},
    [XS_WRITE] = {op_write, OPF_TX | OPF_CHANGE},
    [XS_MKDIR] = {op_mkdir, OPF_TX | OPF_CHANGE},
    [XS_RM] = {op_rm, OPF_TX | OPF_CHANGE},
    [XS_SET_PERMS] = {op_set_perms, OPF_TX | OPF_CHANGE},
    /* Privileged, as in Xen since XSA-115: a guest must not learn which domains exist. */
    [XS_IS_DOMAIN_INTRODUCED] = {op_is_domain_introduced, OPF_PRIV},
    [XS_RESUME] = {op_resume, OPF_PRIV},
    [XS_SET_TARGET] = {op_set_target, OPF_PRIV},
    [XS_RESET_WATCHES] = {op_reset_watches, 0},
    [XS_DIRECTORY_PART] = {op_directory_part, OPF_TX},
};

int reply_bytes(struct request *rq, const void *p, uint32_t n)
{
    if (n > sizeof(rq->reply) - rq->rlen)
        return E2BIG;
    if (n)
        memcpy(rq->reply + rq->rlen, p, n);
    rq->rlen += n;
    return 0;
}

int reply_str(struct request *rq, const char *s)
{
    return reply_bytes(rq, s, (uint32_t)strlen(s) + 1);
}

int reply_ok(struct request *rq)
{
    return reply_str(rq, "OK");
}

int missing_node_errno(struct request *rq, const char *path, uint32_t len)
{
    struct view v = {0};
    while (len > 1) {
        len = path_parent_len(path, len);
        if (txn_view(rq->c->st, rq->tx, path, len, 0, &v))
            return ENOENT;
        if (v.exists)
            return (perm_for(rq->c, v.perms, v.nperms) & XS_PERM_READ) ? ENOENT : EACCES;
    }
    return ENOENT;
}

static void split_args(struct request *rq)
{
    uint32_t i = 0;
    rq->argc = 0;
    while (i < rq->len && rq->argc < REQ_MAX_ARGS) {
        rq->argv[rq->argc++] = rq->payload + i;
        i += (uint32_t)strnlen(rq->payload + i, rq->len - i) + 1;
    }
}

static struct txn *conn_txn(struct conn *c, uint32_t id)
{
    for (struct txn *tx = c->txns; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

static int dispatch(struct request *rq, const struct op_desc *op)
{
    struct conn *c = rq->c;
    struct txn implicit;
    int err;

    if ((op->flags & OPF_PRIV) && (!c->privileged || c->readonly))
        return EACCES;
    /* Like Xen, the transaction is looked up before any request but WATCH and UNWATCH
     * runs: an id the connection does not hold answers ENOENT, whatever the request
     * (TRANSACTION_START in it would otherwise answer EBUSY, GET_DOMAIN_PATH succeed). */
    if (rq->h->tx_id && !(op->flags & OPF_NOTID) && !conn_txn(c, rq->h->tx_id))
        return ENOENT;
    if ((op->flags & OPF_TX) && rq->h->tx_id) {
        rq->tx = conn_txn(c, rq->h->tx_id);
        return op->fn(rq);
    }
    if (!(op->flags & OPF_CHANGE))
        return op->fn(rq);
    txn_init(&implicit, 0, c);
    rq->tx = &implicit;
    err = op->fn(rq);
    if (!err)
        err = txn_commit(c->st, &implicit, false);
    txn_release(&implicit);
    rq->tx = NULL;
    return err;
}

void request_handle(struct conn *c, const struct xs_msg_hdr *h, const char *payload)
{
    /* Static: the 4 KiB reply buffer stays off the stack; requests never nest. */
    static struct request rq;
    const struct op_desc *op = h->type < XS_TYPE_COUNT ? &ops[h->type] : NULL;
    int err;

    memset(&rq, 0, offsetof(struct request, reply));
    rq.c = c;
    rq.h = h;
    rq.payload = payload;
    rq.len = h->len;
    rq.rlen = 0;
    rq.fire_after = NULL;
    split_args(&rq);
    err = (op && op->fn) ? dispatch(&rq, op) : ENOSYS;
    if (err) {
        const char *name = xs_errno_name(err);
        conn_queue(c, XS_ERROR, h->req_id, h->tx_id, name, (uint32_t)strlen(name) + 1, true);
        return;
    }
    conn_queue(c, h->type, h->req_id, h->tx_id, rq.reply, rq.rlen, true);
    if (rq.fire_after)
        watch_send(c, rq.fire_after, rq.fire_after->path, (uint32_t)strlen(rq.fire_after->path));
}
