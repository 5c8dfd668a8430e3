/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The committed store: a tree of nodes, each with a value, a permission
 * list and children, indexed by full path in a hash table so that a READ
 * is one lookup.
 *
 * Every change takes a new stamp from the tree's clock. A node keeps three
 * stamps, which transactions compare at commit to find conflicts on the
 * nodes they actually touched:
 *   gen  - last change of the node's value or permissions (or creation),
 *   cgen - last change of its set of children,
 *   sgen - last change anywhere in its subtree (for RM in a transaction).
 * The id identifies one incarnation of a path: a node removed and created
 * again gets a new id.
 */
#ifndef LAMSTORED_TREE_H
#define LAMSTORED_TREE_H

#include <stdbool.h>
#include <stdint.h>

/* One entry of a permission list; entry 0 names the owner and the default. */
struct perm {
    uint32_t domid;
    uint32_t bits; /* XS_PERM_READ | XS_PERM_WRITE */
};

struct node {
    char *path;
    uint32_t pathlen;
    uint32_t hash;
    char *value;
    uint32_t vlen;
    struct perm *perms;
    uint32_t nperms;
    struct node *parent;
    struct node **kids;
    uint32_t nkids, capkids;
    uint64_t id, gen, cgen, sgen;
    struct node *hnext;
};

struct tree {
    struct node *root;
    struct node **buckets;
    uint32_t nbuckets;
    uint32_t count;
    uint64_t clock;
    uint64_t next_id;
};

/* Creates "/" owned by dom0 with no access for others ("n0"). */
void tree_init(struct tree *t);
void tree_free(struct tree *t);

struct node *tree_find(const struct tree *t, const char *path, uint32_t len);

/* Adds a child of parent named by the full path (parent must be its parent). */
struct node *tree_add(struct tree *t, struct node *parent, const char *path, uint32_t len,
                      const void *val, uint32_t vlen, const struct perm *p, uint32_t np);

void node_set_value(struct tree *t, struct node *n, const void *val, uint32_t vlen);
void node_set_perms(struct tree *t, struct node *n, const struct perm *p, uint32_t np);

/*
 * Removes n and its subtree (never the root). each() sees every removed node
 * before it is freed, children before parents.
 */
void tree_del(struct tree *t, struct node *n, void (*each)(const struct node *, void *), void *arg);

/* The last component of a node's path ("" for the root). */
const char *node_name(const struct node *n);

/* Calls fn for every node, parents before children; stops when fn returns non-zero. */
int tree_walk(struct node *n, int (*fn)(struct node *, void *), void *arg);

#endif
