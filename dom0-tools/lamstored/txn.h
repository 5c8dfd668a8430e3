/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transactions, optimistic and conflict-checked per node.
 *
 * A transaction is an overlay of entries, one per path it touched. The
 * first touch copies the committed node (or notes its absence) together
 * with its id and generation stamps; later reads in the transaction see
 * the copy, writes change the copy. Commit checks, for each entry, that
 * the committed node is still the same incarnation (id) and, depending on
 * how the transaction used it, that its value (gen), children (cgen) or
 * subtree (sgen, after an RM) did not change. Only then is the overlay
 * applied, in path order, firing watches. Creating a child does not count
 * as a change of the parent's value, so transactions that create devices
 * in disjoint subtrees under a shared parent do not conflict; one that
 * listed the parent (DIRECTORY) does.
 *
 * Requests outside a transaction run in a short implicit one that commits
 * at once, so there is one code path for every change.
 */
#ifndef LAMSTORED_TXN_H
#define LAMSTORED_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tree.h"

struct store;
struct conn;

enum { TXC_GEN = 1, TXC_CGEN = 2, TXC_SGEN = 4 };

struct txe {
    struct txe *hnext;
    char *path;
    uint32_t plen, hash;
    uint64_t base_id, base_gen, base_cgen, base_sgen;
    unsigned checks;
    bool exists;      /* as this transaction sees it */
    bool dirty;       /* changed by this transaction */
    bool wiped;       /* removed (with its committed subtree) by this transaction */
    bool hidden_base; /* below a path this transaction removed: committed state unseen */
    char *value;
    uint32_t vlen;
    struct perm *perms;
    uint32_t nperms;
};

struct txn {
    struct txn *next;
    uint32_t id;
    struct conn *owner;
    struct txe **buckets;
    uint32_t nbuckets;
    struct txe **ents;
    uint32_t n, cap;
    uint32_t holes; /* entries that hide committed descendants */
    size_t bytes;
    int failed; /* non-zero: END with commit answers this (EAGAIN after a restart) */
};

/* A node as a request sees it (committed, or through a transaction). */
struct view {
    bool exists;
    const char *value;
    uint32_t vlen;
    const struct perm *perms;
    uint32_t nperms;
    uint64_t cgen;
};

void txn_init(struct txn *tx, uint32_t id, struct conn *owner);
void txn_release(struct txn *tx);

/* Looks a path up; tx may be NULL (committed state). checks: TXC_* to verify at commit. */
int txn_view(struct store *st, struct txn *tx, const char *path, uint32_t len, unsigned checks,
             struct view *v);
/* Creates or replaces a node in tx (its parent must exist in tx's view). */
int txn_put(struct store *st, struct txn *tx, const char *path, uint32_t len, const void *val,
            uint32_t vlen, const struct perm *p, uint32_t np);
/* Removes a node and its subtree in tx. */
int txn_wipe(struct store *st, struct txn *tx, const char *path, uint32_t len);
/* Child names of path as "a\0b\0" (malloc'd, *len bytes); records a children check. */
int txn_children(struct store *st, struct txn *tx, const char *path, uint32_t len, char **out,
                 uint32_t *outlen);
/*
 * Validates (unless validate is false: an implicit transaction cannot race)
 * and applies tx. Returns 0, EAGAIN on conflict, or a quota errno.
 */
int txn_commit(struct store *st, struct txn *tx, bool validate);
/* Opens a transaction with a given id on connection c (ops_session.c). */
struct txn *txn_open(struct conn *c, uint32_t id);

/* Node accounting shared with persistence and domain release. */
uint64_t node_cost(uint32_t pathlen, uint32_t vlen, uint32_t nperms);
void account_node(struct store *st, const struct node *n, int sign);

#endif
