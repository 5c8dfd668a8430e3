/* SPDX-License-Identifier: GPL-2.0-only */
/* A populated page-table tree for long-operation tests (see big_tree.h). */
#include "big_tree.h"

#include "mm_util.h"

static uint64_t pte_of(const void *page, uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

long big_tree_set(const struct big_tree *t, int ro)
{
    long rc = ro ? mm_page_set_ro(t->l4) : mm_page_set_rw(t->l4);
    if (!rc)
        rc = ro ? mm_page_set_ro(t->l3) : mm_page_set_rw(t->l3);
    for (int k = 0; k < BIG_TREE_L2S && !rc; k++)
        rc = ro ? mm_page_set_ro(t->l2[k]) : mm_page_set_rw(t->l2[k]);
    for (int k = 0; k < BIG_TREE_L1S && !rc; k++)
        rc = ro ? mm_page_set_ro(t->l1[k]) : mm_page_set_rw(t->l1[k]);
    return rc;
}

int big_tree_build(struct big_tree *t, const void *data)
{
    if (!(t->l4 = mm_alloc_page()) || !(t->l3 = mm_alloc_page()))
        return -1;
    for (int k = 0; k < BIG_TREE_L2S; k++)
        if (!(t->l2[k] = mm_alloc_page()))
            return -1;
    for (int k = 0; k < BIG_TREE_L1S; k++) {
        if (!(t->l1[k] = mm_alloc_page()))
            return -1;
        for (unsigned i = 0; i < 512; i++)
            t->l1[k][i] = pte_of(data, MM_PTE_RO);
        t->l2[k / BIG_TREE_L1S_PER_L2][k % BIG_TREE_L1S_PER_L2] = pte_of(t->l1[k], MM_PTE_FLAGS);
    }
    for (int k = 0; k < BIG_TREE_L2S; k++)
        t->l3[k] = pte_of(t->l2[k], MM_PTE_FLAGS);
    t->l4[0] = pte_of(t->l3, MM_PTE_FLAGS);
    t->l4_mfn = mm_va_to_mfn(t->l4);
    return big_tree_set(t, 1) ? -1 : 0;
}
