/* SPDX-License-Identifier: GPL-2.0-only */
/* Transaction overlays, conflict checks and commit (see txn.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "xsproto.h"
#include "store.h"
#include "txn.h"
#include "util.h"
#include "watch.h"

uint64_t node_cost(uint32_t pathlen, uint32_t vlen, uint32_t nperms)
{
    return 64u + pathlen + vlen + (uint64_t)nperms * sizeof(struct perm);
}

void account_node(struct store *st, const struct node *n, int sign)
{
    struct domain *d = domain_get(st, n->perms[0].domid);
    uint64_t cost = node_cost(n->pathlen, n->vlen, n->nperms);
    if (!d)
        return;
    if (sign > 0) {
        d->nodes++;
        d->memory += cost;
    } else {
        d->nodes--;
        d->memory -= cost;
    }
}

void txn_init(struct txn *tx, uint32_t id, struct conn *owner)
{
    memset(tx, 0, sizeof(*tx));
    tx->id = id;
    tx->owner = owner;
}

static void entry_free(struct txe *e)
{
    free(e->path);
    free(e->value);
    free(e->perms);
    free(e);
}

static size_t entry_bytes(const struct txe *e)
{
    return sizeof(*e) + e->plen + e->vlen + e->nperms * sizeof(struct perm);
}

static void charge(struct txn *tx, const struct txe *e, int sign)
{
    size_t b = entry_bytes(e);
    if (sign > 0) {
        tx->bytes += b;
        if (tx->owner)
            tx->owner->txbytes += b;
    } else {
        tx->bytes -= b;
        if (tx->owner)
            tx->owner->txbytes -= b;
    }
}

void txn_release(struct txn *tx)
{
    for (uint32_t i = 0; i < tx->n; i++) {
        charge(tx, tx->ents[i], -1);
        entry_free(tx->ents[i]);
    }
    free(tx->ents);
    free(tx->buckets);
    tx->ents = NULL;
    tx->buckets = NULL;
    tx->n = tx->cap = tx->nbuckets = 0;
}

/* The entry for path[0..len), whose hash_bytes is h. */
static struct txe *entry_find_hashed(const struct txn *tx, const char *path, uint32_t len,
                                     uint32_t h)
{
    if (!tx->nbuckets)
        return NULL;
    for (struct txe *e = tx->buckets[h & (tx->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->plen == len && memcmp(e->path, path, len) == 0)
            return e;
    return NULL;
}

static struct txe *entry_find(const struct txn *tx, const char *path, uint32_t len)
{
    return entry_find_hashed(tx, path, len, hash_bytes(path, len));
}

static void rehash(struct txn *tx)
{
    free(tx->buckets);
    tx->nbuckets = tx->nbuckets ? tx->nbuckets * 2 : 16;
    tx->buckets = xcalloc(tx->nbuckets, sizeof(*tx->buckets));
    for (uint32_t i = 0; i < tx->n; i++) {
        struct txe *e = tx->ents[i];
        uint32_t b = e->hash & (tx->nbuckets - 1);
        e->hnext = tx->buckets[b];
        tx->buckets[b] = e;
    }
}

/*
 * True when an ancestor's entry hides the committed state of path: the nearest ancestor with
 * an entry decides. hash_bytes (FNV-1a) extends byte by byte, so one pass over path gives
 * every ancestor's hash; rehashing each ancestor instead made a 1500-level WRITE cost about
 * depth^2 x length (seconds of daemon time from one guest request).
 */
static bool hidden_by_ancestor(const struct txn *tx, const char *path, uint32_t len)
{
    enum { MAX_ANCESTORS = XS_ABS_PATH_MAX / 2 + 2 };
    if (!tx->holes || !tx->nbuckets || len <= 1)
        return false;
    uint32_t ends[MAX_ANCESTORS], hashes[MAX_ANCESTORS], n = 0, h = hash_bytes("", 0);
    uint32_t parent = path_parent_len(path, len);
    for (uint32_t i = 0; i <= parent && n < MAX_ANCESTORS; i++) {
        /* path[0..i) is an ancestor: the root (i == 1), a prefix ending before a '/', or the
         * parent itself. */
        if (i == 1 || (i > 1 && (i == parent || path[i] == '/'))) {
            ends[n] = i;
            hashes[n++] = h;
        }
        if (i < parent)
            h = hash_extend(h, (unsigned char)path[i]);
    }
    while (n-- > 0) {
        const struct txe *e = entry_find_hashed(tx, path, ends[n], hashes[n]);
        if (e)
            return !e->exists || e->wiped || e->hidden_base;
    }
    return false;
}

static int entry_new(struct store *st, struct txn *tx, const char *path, uint32_t len, bool hidden,
                     struct txe **out)
{
    struct conn *c = tx->owner;
    if (c && tx->n >= st->q.v[Q_TXN_NODES]) {
        domain_quota_hit(st, c->domid, Q_TXN_NODES);
        return quota_errno(Q_TXN_NODES);
    }
    if (c && !c->privileged) {
        struct domain *d = domain_find(st, c->domid);
        if ((d ? d->memory : 0) + c->txbytes > st->q.v[Q_MEMORY]) {
            domain_quota_hit(st, c->domid, Q_MEMORY);
            return quota_errno(Q_MEMORY);
        }
    }
    struct txe *e = xcalloc(1, sizeof(*e));
    e->path = xstrndup(path, len);
    e->plen = len;
    e->hash = hash_bytes(path, len);
    e->hidden_base = hidden;
    if (!hidden) {
        struct node *n = tree_find(&st->tree, path, len);
        if (n) {
            e->base_id = n->id;
            e->base_gen = n->gen;
            e->base_cgen = n->cgen;
            e->base_sgen = n->sgen;
            e->exists = true;
            e->value = xmemdup(n->value, n->vlen);
            e->vlen = n->vlen;
            e->perms = xmemdup(n->perms, n->nperms * sizeof(*n->perms));
            e->nperms = n->nperms;
        }
    }
    if (!e->exists)
        tx->holes++;
    if (tx->n == tx->cap) {
        tx->cap = tx->cap ? tx->cap * 2 : 8;
        tx->ents = xrealloc(tx->ents, tx->cap * sizeof(*tx->ents));
    }
    tx->ents[tx->n++] = e;
    if (tx->n > tx->nbuckets)
        rehash(tx);
    else {
        uint32_t b = e->hash & (tx->nbuckets - 1);
        e->hnext = tx->buckets[b];
        tx->buckets[b] = e;
    }
    charge(tx, e, +1);
    *out = e;
    return 0;
}

static void view_from_entry(const struct txe *e, struct view *v)
{
    v->exists = e->exists;
    v->value = e->value;
    v->vlen = e->vlen;
    v->perms = e->perms;
    v->nperms = e->nperms;
    v->cgen = e->base_cgen;
}

int txn_view(struct store *st, struct txn *tx, const char *path, uint32_t len, unsigned checks,
             struct view *v)
{
    memset(v, 0, sizeof(*v));
    if (!tx) {
        struct node *n = tree_find(&st->tree, path, len);
        if (n) {
            v->exists = true;
            v->value = n->value;
            v->vlen = n->vlen;
            v->perms = n->perms;
            v->nperms = n->nperms;
            v->cgen = n->cgen;
        }
        return 0;
    }
    struct txe *e = entry_find(tx, path, len);
    if (!e) {
        if (hidden_by_ancestor(tx, path, len))
            return 0;
        int err = entry_new(st, tx, path, len, false, &e);
        if (err)
            return err;
    }
    e->checks |= checks;
    view_from_entry(e, v);
    return 0;
}

/* The entry for path, created if needed, ready to be changed. */
static int entry_for_change(struct store *st, struct txn *tx, const char *path, uint32_t len,
                            struct txe **out)
{
    struct txe *e = entry_find(tx, path, len);
    if (!e) {
        int err = entry_new(st, tx, path, len, hidden_by_ancestor(tx, path, len), &e);
        if (err)
            return err;
    }
    e->checks |= TXC_GEN;
    *out = e;
    return 0;
}

int txn_put(struct store *st, struct txn *tx, const char *path, uint32_t len, const void *val,
            uint32_t vlen, const struct perm *p, uint32_t np)
{
    struct txe *e;
    int err = entry_for_change(st, tx, path, len, &e);
    if (err)
        return err;
    charge(tx, e, -1);
    if (val != e->value) {
        free(e->value);
        e->value = xmemdup(val, vlen);
        e->vlen = vlen;
    }
    if (p != e->perms) {
        free(e->perms);
        e->perms = xmemdup(p, np * sizeof(*p));
        e->nperms = np;
    }
    charge(tx, e, +1);
    if (!e->exists && !e->wiped)
        tx->holes--;
    e->exists = true;
    e->dirty = true;
    return 0;
}

int txn_wipe(struct store *st, struct txn *tx, const char *path, uint32_t len)
{
    struct txe *e;
    int err = entry_for_change(st, tx, path, len, &e);
    if (err)
        return err;
    /* Drop entries below path: the subtree check on this one covers them. */
    uint32_t keep = 0;
    for (uint32_t i = 0; i < tx->n; i++) {
        struct txe *x = tx->ents[i];
        if (x != e && path_is_below(x->path, x->plen, path, len)) {
            if (!x->exists || x->wiped)
                tx->holes--;
            charge(tx, x, -1);
            entry_free(x);
        } else {
            tx->ents[keep++] = x;
        }
    }
    tx->n = keep;
    tx->nbuckets /= 2;
    rehash(tx);
    if (e->exists && !e->wiped)
        tx->holes++;
    e->exists = false;
    e->wiped = true;
    e->dirty = true;
    e->checks |= TXC_SGEN;
    return 0;
}

/* Appends name to a growing "a\0b\0" buffer. */
static void names_add(char **buf, uint32_t *len, uint32_t *cap, const char *name, uint32_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, name, n);
    (*buf)[*len + n] = '\0';
    *len += n + 1;
}

int txn_children(struct store *st, struct txn *tx, const char *path, uint32_t len, char **out,
                 uint32_t *outlen)
{
    char *buf = NULL;
    uint32_t blen = 0, cap = 0;
    struct node *n = NULL;
    bool base_shown = true;

    if (tx) {
        struct view v = {0};
        int err = txn_view(st, tx, path, len, TXC_CGEN, &v);
        if (err)
            return err;
        if (!v.exists)
            return ENOENT;
        struct txe *e = entry_find(tx, path, len);
        base_shown = e && !e->wiped && !e->hidden_base;
    }
    n = tree_find(&st->tree, path, len);
    if (!tx && !n)
        return ENOENT;
    if (n && base_shown) {
        for (uint32_t i = 0; i < n->nkids; i++) {
            struct node *k = n->kids[i];
            const struct txe *ke = tx ? entry_find(tx, k->path, k->pathlen) : NULL;
            if (ke && !ke->exists)
                continue;
            const char *name = node_name(k);
            names_add(&buf, &blen, &cap, name, (uint32_t)strlen(name));
        }
    }
    for (uint32_t i = 0; tx && i < tx->n; i++) {
        const struct txe *x = tx->ents[i];
        if (!x->exists || x->plen <= len || path_parent_len(x->path, x->plen) != len ||
            memcmp(x->path, path, len) != 0)
            continue;
        if (n && base_shown && !x->hidden_base && tree_find(&st->tree, x->path, x->plen))
            continue; /* listed above */
        const char *name = x->path + (len == 1 ? 1 : len + 1);
        names_add(&buf, &blen, &cap, name, (uint32_t)strlen(name));
    }
    *out = buf;
    *outlen = blen;
    return 0;
}

static bool entry_still_valid(const struct store *st, const struct txe *e)
{
    if (e->hidden_base)
        return true;
    const struct node *n = tree_find(&st->tree, e->path, e->plen);
    if ((n ? n->id : 0) != e->base_id)
        return false;
    if (!n)
        return true;
    if ((e->checks & TXC_GEN) && n->gen != e->base_gen)
        return false;
    if ((e->checks & TXC_CGEN) && n->cgen != e->base_cgen)
        return false;
    if ((e->checks & TXC_SGEN) && n->sgen != e->base_sgen)
        return false;
    return true;
}

struct dom_delta {
    uint32_t domid;
    int64_t nodes, memory;
};

struct delta_set {
    struct dom_delta *d;
    uint32_t n, cap;
};

static void delta_add(struct delta_set *ds, uint32_t domid, int64_t nodes, int64_t memory)
{
    for (uint32_t i = 0; i < ds->n; i++) {
        if (ds->d[i].domid == domid) {
            ds->d[i].nodes += nodes;
            ds->d[i].memory += memory;
            return;
        }
    }
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 4;
        ds->d = xrealloc(ds->d, ds->cap * sizeof(*ds->d));
    }
    ds->d[ds->n++] = (struct dom_delta){domid, nodes, memory};
}

static int delta_sub_tree(struct node *n, void *arg)
{
    delta_add(arg, n->perms[0].domid, -1, -(int64_t)node_cost(n->pathlen, n->vlen, n->nperms));
    return 0;
}

/* Checks the node and memory quotas of an unprivileged committer. */
static int check_quotas(struct store *st, struct txn *tx)
{
    struct delta_set ds = {0};
    int err = 0;
    for (uint32_t i = 0; i < tx->n; i++) {
        struct txe *e = tx->ents[i];
        if (!e->dirty)
            continue;
        struct node *n = tree_find(&st->tree, e->path, e->plen);
        if (n && e->wiped)
            tree_walk(n, delta_sub_tree, &ds);
        else if (n && e->exists && !e->hidden_base)
            delta_sub_tree(n, &ds);
        if (e->exists)
            delta_add(&ds, e->perms[0].domid, 1, (int64_t)node_cost(e->plen, e->vlen, e->nperms));
    }
    for (uint32_t i = 0; i < ds.n && !err; i++) {
        struct dom_delta *dd = &ds.d[i];
        struct domain *d = domain_find(st, dd->domid);
        int64_t nodes = (d ? d->nodes : 0) + dd->nodes;
        int64_t mem = (int64_t)(d ? d->memory : 0) + dd->memory;
        if (dd->domid == 0)
            continue;
        if (dd->nodes > 0 && nodes > (int64_t)st->q.v[Q_NODES]) {
            domain_quota_hit(st, dd->domid, Q_NODES);
            err = quota_errno(Q_NODES);
        } else if (dd->memory > 0 && mem > (int64_t)st->q.v[Q_MEMORY]) {
            domain_quota_hit(st, dd->domid, Q_MEMORY);
            err = quota_errno(Q_MEMORY);
        }
    }
    free(ds.d);
    return err;
}

static int by_path(const void *a, const void *b)
{
    const struct txe *x = *(const struct txe *const *)a, *y = *(const struct txe *const *)b;
    return strcmp(x->path, y->path);
}

static void unaccount_cb(const struct node *n, void *arg)
{
    account_node(arg, n, -1);
}

static void apply_entry(struct store *st, struct txe *e)
{
    struct node *n = tree_find(&st->tree, e->path, e->plen);
    if (e->wiped && n) {
        watch_fire(st, n->path, n->pathlen, true, n->perms, n->nperms);
        tree_del(&st->tree, n, unaccount_cb, st);
        n = NULL;
    }
    if (!e->exists)
        return;
    if (n) {
        account_node(st, n, -1);
        /* A rewrite of the same bytes is still a change: it bumps gen. */
        node_set_value(&st->tree, n, e->value, e->vlen);
        if (n->nperms != e->nperms || memcmp(n->perms, e->perms, e->nperms * sizeof(*e->perms)))
            node_set_perms(&st->tree, n, e->perms, e->nperms);
    } else {
        struct node *parent = tree_find(&st->tree, e->path, path_parent_len(e->path, e->plen));
        if (!parent) {
            logmsg("internal: parent of %s missing at commit", e->path);
            return;
        }
        n = tree_add(&st->tree, parent, e->path, e->plen, e->value, e->vlen, e->perms, e->nperms);
    }
    account_node(st, n, +1);
    watch_fire(st, n->path, n->pathlen, false, n->perms, n->nperms);
}

int txn_commit(struct store *st, struct txn *tx, bool validate)
{
    if (validate) {
        for (uint32_t i = 0; i < tx->n; i++) {
            if (!entry_still_valid(st, tx->ents[i])) {
                st->conflicts++;
                return EAGAIN;
            }
        }
    }
    if (tx->owner && !tx->owner->privileged) {
        int err = check_quotas(st, tx);
        if (err)
            return err;
    }
    struct txe **dirty = xmalloc((tx->n ? tx->n : 1) * sizeof(*dirty));
    uint32_t nd = 0;
    for (uint32_t i = 0; i < tx->n; i++)
        if (tx->ents[i]->dirty)
            dirty[nd++] = tx->ents[i];
    qsort(dirty, nd, sizeof(*dirty), by_path);
    for (uint32_t i = 0; i < nd; i++)
        apply_entry(st, dirty[i]);
    free(dirty);
    return 0;
}
