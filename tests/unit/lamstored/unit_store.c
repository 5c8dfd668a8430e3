/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host unit tests of the store core: tree and stamps, permission rules,
 * paths, transactions and their conflict rules, quotas and accounting, and
 * request handling through an in-memory connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "persist.h"
#include "perms.h"
#include "request.h"
#include "store.h"
#include "txn.h"
#include "unit.h"
#include "util.h"
#include "watch.h"

#define P(s) (s), (uint32_t)strlen(s)

static struct store st;

static void fresh(void)
{
    store_free(&st);
    store_init(&st);
}

/* ---- tree ---- */
static void tree_stamps_and_index(void)
{
    fresh();
    struct tree *t = &st.tree;
    struct perm p = {0, 0};
    struct node *a = tree_add(t, t->root, P("/a"), "", 0, &p, 1);
    uint64_t root_cgen = t->root->cgen, a_gen = a->gen;
    struct node *b = tree_add(t, a, P("/a/b"), "v", 1, &p, 1);
    CHECK(tree_find(t, P("/a/b")) == b);
    CHECK(a->cgen == b->gen && a->gen == a_gen); /* a child is not a value change */
    CHECK(t->root->cgen == root_cgen);           /* grandchild leaves the root's list */
    CHECK(t->root->sgen == b->gen);              /* but its subtree stamp moves */
    node_set_value(t, b, "w", 1);
    CHECK(a->sgen == b->gen && a->cgen != b->gen);
    CHECK(strcmp(node_name(b), "b") == 0 && strcmp(node_name(t->root), "") == 0);
    uint32_t before = t->count;
    tree_del(t, a, NULL, NULL);
    CHECK(t->count == before - 2);
    CHECK(!tree_find(t, P("/a")) && !tree_find(t, P("/a/b")));
    for (int i = 0; i < 5000; i++) { /* grows the index */
        char path[32];
        snprintf(path, sizeof(path), "/n%d", i);
        tree_add(t, t->root, P(path), "", 0, &p, 1);
    }
    CHECK(tree_find(t, P("/n4999")) && tree_find(t, P("/n0")));
}

/* ---- permissions ---- */
static void perm_rules(void)
{
    fresh();
    struct conn *dom0 = conn_new(&st, 0, true, false, NULL, NULL);
    struct conn *g5 = conn_new(&st, 5, false, false, NULL, NULL);
    struct conn *g6 = conn_new(&st, 6, false, false, NULL, NULL);
    struct conn *ro = conn_new(&st, 0, true, true, NULL, NULL);
    struct perm p[] = {{7, XS_PERM_READ}, {5, XS_PERM_WRITE}};
    CHECK(perm_for(dom0, p, 2) == (XS_PERM_BOTH | XS_PERM_OWNER));
    CHECK(perm_for(ro, p, 2) == (XS_PERM_READ | XS_PERM_OWNER));
    CHECK(perm_for(g5, p, 2) == XS_PERM_WRITE); /* listed entry wins over the default */
    CHECK(perm_for(g6, p, 2) == XS_PERM_READ);  /* default from entry 0 */
    struct perm own[] = {{6, XS_PERM_NONE}};
    CHECK(perm_for(g6, own, 1) == (XS_PERM_BOTH | XS_PERM_OWNER));
    domain_get(&st, 5)->target = 6; /* dom5 acts for dom6 */
    CHECK(perm_for(g5, own, 1) == (XS_PERM_BOTH | XS_PERM_OWNER));
}

static void perm_strings(void)
{
    struct perm p[3], q;
    char buf[64];
    CHECK(perm_parse("b0", &p[0]) == 0 && p[0].bits == XS_PERM_BOTH && p[0].domid == 0);
    CHECK(perm_parse("r12", &p[1]) == 0 && p[1].bits == XS_PERM_READ && p[1].domid == 12);
    CHECK(perm_parse("n65535", &p[2]) == 0);
    CHECK(perm_parse("x1", &q) == EINVAL && perm_parse("r", &q) == EINVAL);
    CHECK(perm_parse("r65536", &q) == EINVAL && perm_parse("r1x", &q) == EINVAL);
    uint32_t n = perms_format(p, 3, buf, sizeof(buf));
    CHECK(n == 14 && memcmp(buf, "b0\0r12\0n65535\0", 14) == 0);
    CHECK(perms_format(p, 3, buf, 8) == 0);
}

/* ---- paths ---- */
static void path_rules(void)
{
    fresh();
    struct conn *g = conn_new(&st, 9, false, false, NULL, NULL);
    char out[PATH_BUF];
    uint32_t len;
    bool rel;
    CHECK(path_resolve(g, "x/y", false, out, &len, &rel) == 0 && rel &&
          strcmp(out, "/local/domain/9/x/y") == 0);
    CHECK(path_resolve(g, "/", false, out, &len, &rel) == 0 && len == 1);
    CHECK(path_resolve(g, "@introduceDomain", false, out, &len, &rel) == EINVAL);
    CHECK(path_resolve(g, "@introduceDomain", true, out, &len, &rel) == 0);
    CHECK(path_resolve(g, "/a//b", false, out, &len, &rel) == EINVAL);
    CHECK(path_resolve(g, "/a/b/", false, out, &len, &rel) == EINVAL);
    CHECK(path_resolve(g, "/a/b c", false, out, &len, &rel) == EINVAL);
    st.q.v[Q_PATH] = 10;
    CHECK(path_resolve(g, "0123456789", false, out, &len, &rel) == 0);
    CHECK(path_resolve(g, "0123456789a", false, out, &len, &rel) == EINVAL);
    CHECK(domain_find(&st, 9)->last_quota == Q_PATH);
    CHECK(path_is_below("/a/b", 4, "/a", 2) && path_is_below("/a", 2, "/a", 2));
    CHECK(!path_is_below("/ab", 3, "/a", 2) && path_is_below("/x", 2, "/", 1));
    CHECK(path_parent_len("/a/b", 4) == 2 && path_parent_len("/a", 2) == 1);
}

/* ---- transactions ---- */
static int put(struct txn *tx, const char *path, const char *val)
{
    struct perm p = {0, 0};
    return txn_put(&st, tx, P(path), val, (uint32_t)strlen(val), &p, 1);
}

static int commit_plain(const char *path, const char *val)
{
    struct txn tx;
    txn_init(&tx, 0, NULL);
    int err = put(&tx, path, val);
    if (!err)
        err = txn_commit(&st, &tx, false);
    txn_release(&tx);
    return err;
}

static void txn_disjoint_children_commit(void)
{
    fresh();
    CHECK(commit_plain("/be", "") == 0);
    struct txn a, b;
    struct view v;
    txn_init(&a, 1, NULL);
    txn_init(&b, 2, NULL);
    CHECK(txn_view(&st, &a, P("/be"), 0, &v) == 0 && v.exists);
    CHECK(put(&a, "/be/1", "x") == 0);
    CHECK(txn_view(&st, &b, P("/be"), 0, &v) == 0 && v.exists);
    CHECK(put(&b, "/be/2", "y") == 0);
    CHECK(txn_commit(&st, &a, true) == 0);
    CHECK(txn_commit(&st, &b, true) == 0);
    CHECK(tree_find(&st.tree, P("/be/1")) && tree_find(&st.tree, P("/be/2")));
    txn_release(&a);
    txn_release(&b);
}

static void txn_conflicts(void)
{
    fresh();
    struct txn t;
    struct view v;
    char *names;
    uint32_t nlen;
    CHECK(commit_plain("/c", "0") == 0);

    /* value read, then changed by someone else */
    txn_init(&t, 1, NULL);
    txn_view(&st, &t, P("/c"), TXC_GEN, &v);
    CHECK(commit_plain("/c", "1") == 0);
    CHECK(txn_commit(&st, &t, true) == EAGAIN);
    txn_release(&t);

    /* absence read, then the node created */
    txn_init(&t, 2, NULL);
    txn_view(&st, &t, P("/c/new"), TXC_GEN, &v);
    CHECK(!v.exists);
    CHECK(commit_plain("/c/new", "") == 0);
    CHECK(txn_commit(&st, &t, true) == EAGAIN);
    txn_release(&t);

    /* directory listed, then a child added */
    txn_init(&t, 3, NULL);
    CHECK(txn_children(&st, &t, P("/c"), &names, &nlen) == 0);
    free(names);
    CHECK(commit_plain("/c/other", "") == 0);
    CHECK(txn_commit(&st, &t, true) == EAGAIN);
    txn_release(&t);

    /* blind writes to the same node conflict */
    txn_init(&t, 4, NULL);
    CHECK(put(&t, "/c", "mine") == 0);
    CHECK(commit_plain("/c", "theirs") == 0);
    CHECK(txn_commit(&st, &t, true) == EAGAIN);
    txn_release(&t);

    /* rm of a subtree that changed below */
    txn_init(&t, 5, NULL);
    CHECK(txn_wipe(&st, &t, P("/c")) == 0);
    CHECK(commit_plain("/c/new/deeper", "1") == 0);
    CHECK(txn_commit(&st, &t, true) == EAGAIN);
    txn_release(&t);

    /* an untouched sibling's change does not conflict */
    CHECK(commit_plain("/d", "0") == 0);
    txn_init(&t, 6, NULL);
    txn_view(&st, &t, P("/c"), TXC_GEN, &v);
    CHECK(commit_plain("/d", "1") == 0);
    CHECK(txn_commit(&st, &t, true) == 0);
    txn_release(&t);
}

static void txn_rm_then_recreate(void)
{
    fresh();
    CHECK(commit_plain("/r", "") == 0);
    CHECK(commit_plain("/r/old", "1") == 0);
    CHECK(commit_plain("/r/old/kid", "2") == 0);
    struct txn t;
    struct view v;
    char *names = NULL;
    uint32_t nlen = 0;
    txn_init(&t, 1, NULL);
    CHECK(txn_wipe(&st, &t, P("/r")) == 0);
    CHECK(txn_view(&st, &t, P("/r/old/kid"), TXC_GEN, &v) == 0 && !v.exists);
    CHECK(put(&t, "/r", "") == 0);
    CHECK(put(&t, "/r/new", "3") == 0);
    CHECK(txn_children(&st, &t, P("/r"), &names, &nlen) == 0);
    CHECK(nlen == 4 && memcmp(names, "new\0", 4) == 0);
    free(names);
    CHECK(tree_find(&st.tree, P("/r/old/kid")) != NULL); /* not committed yet */
    CHECK(txn_commit(&st, &t, true) == 0);
    CHECK(!tree_find(&st.tree, P("/r/old")) && !tree_find(&st.tree, P("/r/old/kid")));
    CHECK(tree_find(&st.tree, P("/r/new")) != NULL);
    txn_release(&t);
}

/* ---- quotas and accounting ---- */
static void quota_parsing(void)
{
    struct quota_set q;
    quota_defaults(&q);
    CHECK(q.v[Q_NODES] >= 1000 && q.v[Q_WATCHES] >= 128 && q.v[Q_TXNS] >= 10);
    CHECK(q.v[Q_NODE_SIZE] >= 2048 && q.v[Q_PERMS] >= 5 && q.v[Q_OUTSTANDING] >= 20);
    CHECK(q.v[Q_MEMORY] >= 2621440u && q.v[Q_PATH] >= 2048 && q.v[Q_TXN_NODES] >= 1024);
    CHECK(quota_parse(&q, "watches=7") == 0 && q.v[Q_WATCHES] == 7);
    CHECK(quota_parse(&q, "watches=0") == EINVAL && quota_parse(&q, "bogus=1") == EINVAL);
    CHECK(quota_parse(&q, "nodes") == EINVAL && quota_parse(&q, "nodes=1x") == EINVAL);
    CHECK(quota_errno(Q_WATCHES) == E2BIG && quota_errno(Q_MEMORY) == ENOMEM);
    CHECK(quota_errno(Q_NODES) == ENOSPC && quota_errno(Q_PATH) == EINVAL);
}

/* Sends one request on c and returns the reply type; the payload goes to out. */
static uint32_t call(struct conn *c, uint32_t type, uint32_t tx, const void *payload, uint32_t len,
                     char *out, uint32_t *outlen)
{
    struct xs_msg_hdr h = {type, 77, tx, len};
    memcpy(c->rbuf, &h, sizeof(h));
    memcpy(c->rbuf + sizeof(h), payload, len);
    c->rlen = (uint32_t)sizeof(h) + len;
    conn_process(c);
    uint32_t rtype = XS_INVALID;
    /* the reply is the first queued message with our req_id */
    while (c->oh) {
        struct xs_msg_hdr r;
        memcpy(&r, c->oh->data, sizeof(r));
        if (r.req_id == 77 && r.type != XS_WATCH_EVENT && rtype == XS_INVALID) {
            rtype = r.type;
            if (out) {
                memcpy(out, c->oh->data + sizeof(r), r.len);
                *outlen = r.len;
            }
        }
        conn_consumed(c, c->oh->len - c->oh->off);
    }
    return rtype;
}

static void accounting_follows_owner(void)
{
    fresh();
    struct conn *d0 = conn_new(&st, 0, true, false, NULL, NULL);
    struct conn *g = conn_new(&st, 3, false, false, NULL, NULL);
    char out[XS_PAYLOAD_MAX];
    uint32_t olen;
    CHECK(call(d0, XS_MKDIR, 0, "/local/domain/3", 16, out, &olen) == XS_MKDIR);
    CHECK(call(d0, XS_SET_PERMS, 0, "/local/domain/3\0n3", 19, out, &olen) == XS_SET_PERMS);
    CHECK(domain_find(&st, 3)->nodes == 1);
    CHECK(call(g, XS_WRITE, 0, "a/b\0v", 5, out, &olen) == XS_WRITE);
    CHECK(domain_find(&st, 3)->nodes == 3);
    st.q.v[Q_NODES] = 3;
    CHECK(call(g, XS_WRITE, 0, "c\0v", 3, out, &olen) == XS_ERROR);
    CHECK(olen == 7 && strcmp(out, "ENOSPC") == 0);
    CHECK(call(g, XS_RM, 0, "a", 2, out, &olen) == XS_RM);
    CHECK(domain_find(&st, 3)->nodes == 1);
    /* inside a transaction the quota is checked at commit */
    CHECK(call(g, XS_TRANSACTION_START, 0, "", 1, out, &olen) == XS_TRANSACTION_START);
    uint32_t tx = (uint32_t)strtoul(out, NULL, 10);
    CHECK(call(g, XS_WRITE, tx, "x/y/z\0v", 7, out, &olen) == XS_WRITE);
    CHECK(call(g, XS_TRANSACTION_END, tx, "T", 2, out, &olen) == XS_ERROR);
    CHECK(strcmp(out, "ENOSPC") == 0);
    CHECK(domain_find(&st, 3)->nodes == 1);
    CHECK(call(d0, XS_CONTROL, 0, "check", 6, out, &olen) == XS_CONTROL);
}

static void requests_through_a_connection(void)
{
    fresh();
    struct conn *c = conn_new(&st, 0, true, false, NULL, NULL);
    char out[XS_PAYLOAD_MAX];
    uint32_t olen;
    CHECK(call(c, XS_WRITE, 0, "/x/y\0hello", 10, out, &olen) == XS_WRITE);
    CHECK(olen == 3 && memcmp(out, "OK", 3) == 0);
    CHECK(call(c, XS_READ, 0, "/x/y", 5, out, &olen) == XS_READ);
    CHECK(olen == 5 && memcmp(out, "hello", 5) == 0);
    CHECK(call(c, XS_DIRECTORY, 0, "/x", 3, out, &olen) == XS_DIRECTORY);
    CHECK(olen == 2 && memcmp(out, "y", 2) == 0);
    CHECK(call(c, XS_GET_PERMS, 0, "/x/y", 5, out, &olen) == XS_GET_PERMS);
    CHECK(olen == 3 && memcmp(out, "n0", 3) == 0);
    CHECK(call(c, XS_READ, 0, "/x/zz", 6, out, &olen) == XS_ERROR);
    CHECK(strcmp(out, "ENOENT") == 0);
    CHECK(call(c, 20, 0, "", 0, out, &olen) == XS_ERROR && strcmp(out, "ENOSYS") == 0);
    CHECK(call(c, XS_GET_DOMAIN_PATH, 0, "5", 2, out, &olen) == XS_GET_DOMAIN_PATH);
    CHECK(strcmp(out, "/local/domain/5") == 0);
    /* an oversized header kills the connection */
    struct xs_msg_hdr h = {XS_READ, 1, 0, XS_PAYLOAD_MAX + 1};
    memcpy(c->rbuf, &h, sizeof(h));
    c->rlen = sizeof(h);
    conn_process(c);
    CHECK(c->dead);
}

static void outstanding_quota_holds_input(void)
{
    fresh();
    struct conn *c = conn_new(&st, 0, true, false, NULL, NULL);
    st.q.v[Q_OUTSTANDING] = 3;
    struct xs_msg_hdr h = {XS_READ, 1, 0, 2};
    for (int i = 0; i < 5; i++) {
        memcpy(c->rbuf + c->rlen, &h, sizeof(h));
        memcpy(c->rbuf + c->rlen + sizeof(h), "/", 2);
        c->rlen += (uint32_t)sizeof(h) + 2;
    }
    conn_process(c);
    CHECK(c->oreplies == 3 && c->rlen == 2 * (sizeof(h) + 2));
    CHECK(!conn_wants_input(c));
    conn_consumed(c, c->oh->len);
    conn_process(c);
    CHECK(c->oreplies == 3 && c->rlen == sizeof(h) + 2);
}

/* ---- persistence of ring connections ---- */

/* A stand-in for the ring transport: "mapping" a domain's page makes a connection. */
static int fake_attach(struct store *s, struct domain *d)
{
    d->conn = conn_new(s, d->domid, false, false, NULL, NULL);
    return 0;
}

static void fake_detach(struct store *s, struct domain *d)
{
    (void)s;
    if (d->conn)
        conn_free(d->conn);
    d->conn = NULL;
}

static const struct ring_ops fake_rings = {fake_attach, fake_detach};

static void restart_restores_rings_and_watches(void)
{
    char dir[] = "/tmp/store-unit-XXXXXX", path[64];
    char out[XS_PAYLOAD_MAX];
    uint32_t olen;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/state", dir);

    fresh();
    st.rings = &fake_rings;
    struct conn *d0 = conn_new(&st, 0, true, false, NULL, NULL);
    CHECK(call(d0, XS_MKDIR, 0, "/local/domain/5", 16, out, &olen) == XS_MKDIR);
    CHECK(call(d0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 19, out, &olen) == XS_SET_PERMS);
    CHECK(call(d0, XS_INTRODUCE, 0,
               "5\0"
               "4660\0"
               "7",
               9, out, &olen) == XS_INTRODUCE);
    struct conn *g = domain_find(&st, 5)->conn;
    CHECK(g != NULL);
    if (!g)
        return;
    CHECK(call(g, XS_WATCH, 0, "device\0tok", 11, out, &olen) == XS_WATCH);
    CHECK(call(g, XS_TRANSACTION_START, 0, "", 1, out, &olen) == XS_TRANSACTION_START);
    uint32_t tx = (uint32_t)strtoul(out, NULL, 10);
    /* half a request still unprocessed, and one reply not yet taken by the guest */
    struct xs_msg_hdr h = {XS_READ, 9, 0, 20};
    memcpy(g->rbuf, &h, 10);
    g->rlen = 10;
    conn_queue(g, XS_READ, 3, 0, "kept", 4, true);
    CHECK(persist_save(&st, path) == 0);

    store_free(&st);
    store_init(&st);
    st.rings = &fake_rings;
    CHECK(persist_load(&st, path) == 0);
    struct domain *d = domain_find(&st, 5);
    CHECK(d && d->introduced && d->mfn == 4660 && d->port == 7 && d->conn);
    if (!d || !d->conn)
        return;
    g = d->conn;
    CHECK(g->nwatches == 1 && strcmp(g->watches->path, "/local/domain/5/device") == 0 &&
          g->watches->relative);
    CHECK(g->rlen == 10 && memcmp(g->rbuf, &h, 10) == 0);
    CHECK(g->oh && g->oh->len == 20 && memcmp(g->oh->data + 16, "kept", 4) == 0);
    conn_consumed(g, g->obytes);
    g->rlen = 0;
    /* the transaction's overlay is gone: its end asks the guest to retry */
    CHECK(call(g, XS_TRANSACTION_END, tx, "T", 2, out, &olen) == XS_ERROR);
    CHECK(strcmp(out, "EAGAIN") == 0);
    /* and the restored watch fires */
    struct conn *d0b = conn_new(&st, 0, true, false, NULL, NULL);
    CHECK(call(d0b, XS_WRITE, 0, "/local/domain/5/device/vif\0x", 29, out, &olen) == XS_WRITE);
    CHECK(g->oh != NULL);
    if (g->oh) {
        struct xs_msg_hdr e;
        memcpy(&e, g->oh->data, sizeof(e));
        CHECK(e.type == XS_WATCH_EVENT && memcmp(g->oh->data + 16, "device\0tok", 11) == 0);
    }
    CHECK(call(d0b, XS_CONTROL, 0, "check", 6, out, &olen) == XS_CONTROL);
    unlink(path);
    rmdir(dir);
}

/* ---- domains that die or shut down (VIRQ_DOM_EXC) ---- */

static enum domain_liveness probe_5_alive_6_down_7_gone(uint32_t domid, void *ctx)
{
    (*(unsigned *)ctx)++;
    return domid == 7 ? DOMAIN_GONE : domid == 6 ? DOMAIN_SHUT_DOWN : DOMAIN_ALIVE;
}

static unsigned watch_events(const struct conn *c)
{
    unsigned n = 0;
    for (const struct outmsg *m = c->oh; m; m = m->next)
        n += !m->reply;
    return n;
}

static void dead_domains_are_released(void)
{
    char out[XS_PAYLOAD_MAX];
    uint32_t olen;
    fresh();
    st.rings = &fake_rings;
    struct conn *d0 = conn_new(&st, 0, true, false, NULL, NULL);
    CHECK(call(d0, XS_INTRODUCE, 0,
               "5\0"
               "100\0"
               "1",
               8, out, &olen) == XS_INTRODUCE);
    CHECK(call(d0, XS_INTRODUCE, 0,
               "6\0"
               "101\0"
               "2",
               8, out, &olen) == XS_INTRODUCE);
    CHECK(call(d0, XS_INTRODUCE, 0,
               "7\0"
               "102\0"
               "3",
               8, out, &olen) == XS_INTRODUCE);
    CHECK(call(d0, XS_WRITE, 0, "/local/domain/7/name\0d7", 24, out, &olen) == XS_WRITE);
    CHECK(call(d0, XS_SET_PERMS, 0, "/local/domain/7/name\0n7", 24, out, &olen) == XS_SET_PERMS);
    CHECK(call(d0, XS_WATCH, 0, "@releaseDomain\0rel", 19, out, &olen) == XS_WATCH);
    conn_consumed(d0, d0->obytes); /* the watch's first firing */

    unsigned probes = 0;
    domains_check_exits(&st, probe_5_alive_6_down_7_gone, &probes);
    CHECK(probes == 3); /* the introduced domains only, dom0 never */
    CHECK(domain_find(&st, 5)->introduced && domain_find(&st, 5)->conn);
    CHECK(domain_find(&st, 6)->introduced && domain_find(&st, 6)->shutdown_reported);
    CHECK(!domain_find(&st, 7)->introduced && !domain_find(&st, 7)->conn);
    CHECK(watch_events(d0) == 2); /* one for d6's shutdown, one for d7's release */
    /* the nodes d7 owned are removed (Xen 4.17, XSA-419); its home, dom0's, stays */
    CHECK(call(d0, XS_GET_PERMS, 0, "/local/domain/7/name", 21, out, &olen) == XS_ERROR);
    CHECK(strcmp(out, "ENOENT") == 0);
    CHECK(call(d0, XS_GET_PERMS, 0, "/local/domain/7", 16, out, &olen) == XS_GET_PERMS);

    conn_consumed(d0, d0->obytes);
    probes = 0;
    domains_check_exits(&st, probe_5_alive_6_down_7_gone, &probes);
    CHECK(probes == 2);           /* d7 is no longer introduced */
    CHECK(watch_events(d0) == 0); /* d6's shutdown was reported once */
}

int main(void)
{
    store_init(&st);
    RUN("store/unit", tree_stamps_and_index);
    RUN("store/unit", perm_rules);
    RUN("store/unit", perm_strings);
    RUN("store/unit", path_rules);
    RUN("store/unit", txn_disjoint_children_commit);
    RUN("store/unit", txn_conflicts);
    RUN("store/unit", txn_rm_then_recreate);
    RUN("store/unit", quota_parsing);
    RUN("store/unit", accounting_follows_owner);
    RUN("store/unit", requests_through_a_connection);
    RUN("store/unit", outstanding_quota_holds_input);
    RUN("store/unit", restart_restores_rings_and_watches);
    RUN("store/unit", dead_domains_are_released);
    store_free(&st);
    return 0;
}
