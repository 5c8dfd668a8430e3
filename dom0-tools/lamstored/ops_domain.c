/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain requests: INTRODUCE, RELEASE, GET_DOMAIN_PATH,
 * IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET.
 *
 * Without a ring transport (a host with no Xen devices) INTRODUCE records
 * the domain without a connection, so the toolstack side of the protocol
 * can be tested anywhere.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "request.h"
#include "txn.h"
#include "util.h"
#include "watch.h"

/* Parses argument i as a real (non-special) domain id. */
static int arg_domid(struct request *rq, int i, uint32_t *domid)
{
    if (i >= rq->argc || parse_u32(rq->argv[i], domid) || *domid >= DOMID_FIRST_RESERVED)
        return EINVAL;
    return 0;
}

int op_introduce(struct request *rq)
{
    struct store *st = rq->c->st;
    uint32_t domid, port;
    unsigned long long mfn;
    char *end;
    int err = arg_domid(rq, 0, &domid);
    if (err || domid == 0 || rq->argc < 3)
        return EINVAL;
    mfn = strtoull(rq->argv[1], &end, 10);
    if (*end || end == rq->argv[1] || parse_u32(rq->argv[2], &port))
        return EINVAL;
    struct domain *d = domain_get(st, domid);
    if (d->introduced) {
        /* A repeated introduction of the same page is a reconnect, not an error. */
        return (d->mfn == mfn && d->port == port) ? reply_ok(rq) : EEXIST;
    }
    d->mfn = mfn;
    d->port = port;
    if (st->rings && st->rings->attach) {
        err = st->rings->attach(st, d);
        if (err)
            return err;
    }
    d->introduced = true;
    d->shutdown_reported = false;
    watch_fire_special(st, XS_SPECIAL_INTRODUCE);
    return reply_ok(rq);
}

struct disown {
    struct store *st;
    uint32_t domid;
    /* The topmost nodes it owned, removed once the walk is over. */
    char **gone;
    uint32_t ngone, capgone;
};

/* Notes a node the released domain owned, unless a node above it is noted already
 * (the walk visits a node before its subtree, so that one is the last noted). */
static void note_owned(struct disown *dw, const struct node *n)
{
    if (dw->ngone) {
        const char *last = dw->gone[dw->ngone - 1];
        if (path_is_below(n->path, n->pathlen, last, (uint32_t)strlen(last)))
            return;
    }
    if (dw->ngone == dw->capgone) {
        dw->capgone = dw->capgone ? dw->capgone * 2 : 16;
        dw->gone = xrealloc(dw->gone, dw->capgone * sizeof(*dw->gone));
    }
    dw->gone[dw->ngone++] = xstrndup(n->path, n->pathlen);
}

/*
 * A released domain's id will be reused: entries naming it are dropped, so the next
 * domain with that id does not inherit access, and the nodes it owned are noted for
 * removal. Handing them to dom0 instead (what Xen did after XSA-322) lets two guests
 * grow the store without bound: one lets the other write below its home, the other
 * fills its quota there and reboots, and its nodes no longer count against anyone.
 * Xen 4.17's xenstored removes them (XSA-419).
 */
static int disown_node(struct node *n, void *arg)
{
    struct disown *dw = arg;
    if (n->parent && n->perms[0].domid == dw->domid) {
        note_owned(dw, n);
        return 0;
    }
    bool named = false;
    for (uint32_t i = 1; i < n->nperms && !named; i++)
        named = n->perms[i].domid == dw->domid;
    if (!named)
        return 0;
    struct perm *p = xmalloc(n->nperms * sizeof(*p));
    uint32_t np = 0;
    p[np++] = n->perms[0];
    if (p[0].domid == dw->domid)
        p[0].domid = 0; /* the root: it stays */
    for (uint32_t i = 1; i < n->nperms; i++)
        if (n->perms[i].domid != dw->domid)
            p[np++] = n->perms[i];
    account_node(dw->st, n, -1);
    node_set_perms(&dw->st->tree, n, p, np);
    account_node(dw->st, n, +1);
    free(p);
    return 0;
}

/* Removes the noted subtrees in one transaction of the daemon's own (no quota, no
 * conflict check: nothing else runs meanwhile), firing the watches set on them. */
static void remove_owned(struct disown *dw)
{
    struct txn tx;
    txn_init(&tx, 0, NULL);
    for (uint32_t i = 0; i < dw->ngone; i++) {
        int err = txn_wipe(dw->st, &tx, dw->gone[i], (uint32_t)strlen(dw->gone[i]));
        if (err)
            logmsg("dom%u: removing %s it owned: %s", dw->domid, dw->gone[i], strerror(err));
    }
    if (dw->ngone) {
        txn_commit(dw->st, &tx, false);
        logmsg("dom%u: released, %u node(s) it owned removed with their subtrees", dw->domid,
               dw->ngone);
    }
    txn_release(&tx);
    for (uint32_t i = 0; i < dw->ngone; i++)
        free(dw->gone[i]);
    free(dw->gone);
}

void domain_release(struct store *st, struct domain *d)
{
    struct disown dw = {st, d->domid, NULL, 0, 0};
    if (st->rings && st->rings->detach)
        st->rings->detach(st, d);
    if (d->conn)
        d->conn->dead = true;
    d->introduced = false;
    d->target = DOMID_NONE;
    tree_walk(st->tree.root, disown_node, &dw);
    remove_owned(&dw);
    watch_fire_special(st, XS_SPECIAL_RELEASE);
}

void domains_check_exits(struct store *st, enum domain_liveness (*probe)(uint32_t domid, void *ctx),
                         void *ctx)
{
    for (uint32_t id = 1; id < DOMID_FIRST_RESERVED; id++) {
        struct domain *d = domain_find(st, id);
        if (!d || !d->introduced)
            continue;
        switch (probe(id, ctx)) {
        case DOMAIN_GONE:
            logmsg("dom%u is gone: releasing it", id);
            domain_release(st, d);
            break;
        case DOMAIN_SHUT_DOWN:
            if (!d->shutdown_reported) {
                d->shutdown_reported = true;
                watch_fire_special(st, XS_SPECIAL_RELEASE);
            }
            break;
        case DOMAIN_ALIVE:
            break;
        }
    }
}

int op_release(struct request *rq)
{
    uint32_t domid;
    int err = arg_domid(rq, 0, &domid);
    if (err)
        return err;
    struct domain *d = domain_find(rq->c->st, domid);
    if (!d || !d->introduced)
        return ENOENT;
    domain_release(rq->c->st, d);
    return reply_ok(rq);
}

int op_get_domain_path(struct request *rq)
{
    char home[32];
    uint32_t domid;
    if (rq->argc < 1 || parse_u32(rq->argv[0], &domid) || domid > 0xffff)
        return EINVAL;
    path_domain_home(domid, home);
    return reply_str(rq, home);
}

int op_is_domain_introduced(struct request *rq)
{
    uint32_t domid;
    int err = arg_domid(rq, 0, &domid);
    if (err)
        return err;
    struct domain *d = domain_find(rq->c->st, domid);
    return reply_str(rq, (domid == 0 || (d && d->introduced)) ? "T" : "F");
}

int op_resume(struct request *rq)
{
    uint32_t domid;
    int err = arg_domid(rq, 0, &domid);
    if (err)
        return err;
    struct domain *d = domain_find(rq->c->st, domid);
    if (!d || !d->introduced)
        return ENOENT;
    d->shutdown_reported = false;
    return reply_ok(rq);
}

int op_set_target(struct request *rq)
{
    uint32_t domid, target;
    int err = arg_domid(rq, 0, &domid);
    if (!err)
        err = arg_domid(rq, 1, &target);
    if (err)
        return err;
    struct domain *d = domain_find(rq->c->st, domid);
    if (!d || !d->introduced)
        return ENOENT;
    d->target = target;
    return reply_ok(rq);
}
