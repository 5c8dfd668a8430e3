/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A populated page-table tree for long-operation tests: one L4 -> one L3 ->
 * BIG_TREE_L2S L2 tables -> BIG_TREE_L1S full L1 tables whose 512 entries all
 * map one data page read-only. Pinning or tearing it down takes long enough
 * that a hypervisor may preempt it.
 */
#ifndef LAM_GUEST_BIG_TREE_H
#define LAM_GUEST_BIG_TREE_H

#include <stdint.h>

#define BIG_TREE_L2S        4
#define BIG_TREE_L1S_PER_L2 16
#define BIG_TREE_L1S        (BIG_TREE_L2S * BIG_TREE_L1S_PER_L2)

struct big_tree {
    uint64_t *l4, *l3, *l2[BIG_TREE_L2S], *l1[BIG_TREE_L1S];
    uint64_t l4_mfn;
};

/* Allocate and fill the tree (every L1 entry maps data read-only) and make its tables
 * read-only. 0, or -1 when a page or a remap failed. */
int big_tree_build(struct big_tree *t, const void *data);
/* Every table of the tree read-only (ro) or writable again (which proves no type reference
 * is left on any). 0 or the first failure. */
long big_tree_set(const struct big_tree *t, int ro);

#endif
