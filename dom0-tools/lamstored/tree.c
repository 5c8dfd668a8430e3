/* SPDX-License-Identifier: GPL-2.0-only */
/* The committed node tree and its path index (see tree.h). */
#include <string.h>
#include <stdlib.h>

#include "tree.h"
#include "util.h"
#include "xsproto.h"

static void index_insert(struct tree *t, struct node *n);

static void index_grow(struct tree *t)
{
    struct node **old = t->buckets;
    uint32_t oldn = t->nbuckets;
    t->nbuckets = oldn ? oldn * 2 : 1024;
    t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
    for (uint32_t i = 0; i < oldn; i++) {
        struct node *n = old[i];
        while (n) {
            struct node *next = n->hnext;
            uint32_t b = n->hash & (t->nbuckets - 1);
            n->hnext = t->buckets[b];
            t->buckets[b] = n;
            n = next;
        }
    }
    free(old);
}

static void index_insert(struct tree *t, struct node *n)
{
    if (t->count + 1 > t->nbuckets)
        index_grow(t);
    uint32_t b = n->hash & (t->nbuckets - 1);
    n->hnext = t->buckets[b];
    t->buckets[b] = n;
    t->count++;
}

static void index_remove(struct tree *t, struct node *n)
{
    struct node **pp = &t->buckets[n->hash & (t->nbuckets - 1)];
    while (*pp && *pp != n)
        pp = &(*pp)->hnext;
    if (*pp) {
        *pp = n->hnext;
        t->count--;
    }
}

struct node *tree_find(const struct tree *t, const char *path, uint32_t len)
{
    uint32_t h = hash_bytes(path, len);
    for (struct node *n = t->buckets[h & (t->nbuckets - 1)]; n; n = n->hnext)
        if (n->hash == h && n->pathlen == len && memcmp(n->path, path, len) == 0)
            return n;
    return NULL;
}

/* A change at n: stamp the subtree generation of n and every ancestor. */
static void stamp_subtree(struct node *n, uint64_t stamp)
{
    for (; n; n = n->parent)
        n->sgen = stamp;
}

static struct node *node_new(struct tree *t, const char *path, uint32_t len)
{
    struct node *n = xcalloc(1, sizeof(*n));
    n->path = xstrndup(path, len);
    n->pathlen = len;
    n->hash = hash_bytes(path, len);
    n->id = ++t->next_id;
    n->gen = n->cgen = n->sgen = ++t->clock;
    return n;
}

void tree_init(struct tree *t)
{
    memset(t, 0, sizeof(*t));
    index_grow(t);
    struct perm p = {0, XS_PERM_NONE};
    t->root = node_new(t, "/", 1);
    node_set_perms(t, t->root, &p, 1);
    index_insert(t, t->root);
}

struct node *tree_add(struct tree *t, struct node *parent, const char *path, uint32_t len,
                      const void *val, uint32_t vlen, const struct perm *p, uint32_t np)
{
    struct node *n = node_new(t, path, len);
    n->parent = parent;
    n->value = xmemdup(val, vlen);
    n->vlen = vlen;
    n->perms = xmemdup(p, np * sizeof(*p));
    n->nperms = np;
    if (parent->nkids == parent->capkids) {
        parent->capkids = parent->capkids ? parent->capkids * 2 : 4;
        parent->kids = xrealloc(parent->kids, parent->capkids * sizeof(*parent->kids));
    }
    parent->kids[parent->nkids++] = n;
    parent->cgen = n->gen;
    stamp_subtree(n, n->gen);
    index_insert(t, n);
    return n;
}

void node_set_value(struct tree *t, struct node *n, const void *val, uint32_t vlen)
{
    free(n->value);
    n->value = xmemdup(val, vlen);
    n->vlen = vlen;
    n->gen = ++t->clock;
    stamp_subtree(n, n->gen);
}

void node_set_perms(struct tree *t, struct node *n, const struct perm *p, uint32_t np)
{
    free(n->perms);
    n->perms = xmemdup(p, np * sizeof(*p));
    n->nperms = np;
    n->gen = ++t->clock;
    stamp_subtree(n, n->gen);
}

static void free_subtree(struct tree *t, struct node *n, void (*each)(const struct node *, void *),
                         void *arg)
{
    for (uint32_t i = 0; i < n->nkids; i++)
        free_subtree(t, n->kids[i], each, arg);
    if (each)
        each(n, arg);
    index_remove(t, n);
    free(n->kids);
    free(n->path);
    free(n->value);
    free(n->perms);
    free(n);
}

void tree_del(struct tree *t, struct node *n, void (*each)(const struct node *, void *), void *arg)
{
    struct node *parent = n->parent;
    if (!parent)
        return;
    for (uint32_t i = 0; i < parent->nkids; i++) {
        if (parent->kids[i] == n) {
            memmove(&parent->kids[i], &parent->kids[i + 1],
                    (parent->nkids - i - 1) * sizeof(*parent->kids));
            parent->nkids--;
            break;
        }
    }
    free_subtree(t, n, each, arg);
    parent->cgen = ++t->clock;
    stamp_subtree(parent, parent->cgen);
}

const char *node_name(const struct node *n)
{
    const char *slash = strrchr(n->path, '/');
    return n->parent ? slash + 1 : "";
}

int tree_walk(struct node *n, int (*fn)(struct node *, void *), void *arg)
{
    int r = fn(n, arg);
    for (uint32_t i = 0; !r && i < n->nkids; i++)
        r = tree_walk(n->kids[i], fn, arg);
    return r;
}

void tree_free(struct tree *t)
{
    if (t->root) {
        for (uint32_t i = 0; i < t->root->nkids; i++)
            free_subtree(t, t->root->kids[i], NULL, NULL);
        free(t->root->kids);
        free(t->root->path);
        free(t->root->value);
        free(t->root->perms);
        free(t->root);
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}
