/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linear (recursive) page tables. Xen 4.17 (pv-linear-pt, on by default)
 * accepts a read-only entry that points at a table of the same level: an L4
 * slot pointing at the L4 itself, an L2 entry pointing at an L2. Through such
 * an entry the guest reads its tables, but it must never be able to write
 * them: writable linear entries are refused, and a store through the
 * read-only one faults. Afterwards the linear entries are removed and every
 * table can be released.
 */
#include "mm_util.h"

const char lam_test_title[] = "read-only linear page tables";

#define TREE_SLOT   300
#define LINEAR_SLOT 301

void test_main(void)
{
    struct mm_tree t;
    mm_init();
    uint64_t l4_ma = mm_cur_l4_mfn << LAM_PAGE_SHIFT;
    const uint64_t *l4 = mm_mfn_to_va(mm_cur_l4_mfn);
    uint64_t self_ro = l4_ma | MM_PTE_RO;

    mm_expect_rc("L4 slot 301 -> the L4, writable (refused)",
                 mm_update(l4_ma + 8 * LINEAR_SLOT, l4_ma | MM_PTE_FLAGS), -LAM_EINVAL);
    mm_expect_rc("L4 slot 301 -> the L4, read-only", mm_update(l4_ma + 8 * LINEAR_SLOT, self_ro),
                 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);

    /* 301/301/301/301 maps the L4 itself; 301/301/301/511 maps the L3 of slot 511. */
    volatile uint64_t *l4_view =
        (uint64_t *)mm_make_va(LINEAR_SLOT, LINEAR_SLOT, LINEAR_SLOT, LINEAR_SLOT);
    uint64_t v = 0;
    mm_expect(mm_try_read(&l4_view[511], &v) == 0 && v == l4[511],
              "L4 readable through the linear slot");
    mm_expect(mm_try_write(&l4_view[300], l4[511]) != 0, "store through the linear slot faults");
    mm_expect(l4[300] == 0, "L4 unchanged");
    volatile uint64_t *l3_view = (uint64_t *)mm_make_va(LINEAR_SLOT, LINEAR_SLOT, LINEAR_SLOT, 511);
    uint64_t l3e = mm_read_entry_ma(mm_entry_ma(MM_VIRT_BASE, 3));
    mm_expect(mm_try_read(&l3_view[510], &v) == 0 && v == l3e,
              "top L3 readable through the linear slot");

    mm_expect_rc("build a private chain", mm_tree_build(&t, TREE_SLOT), 0);
    uint64_t l2_ma = mm_va_to_ma(t.l2);
    mm_expect_rc("L2 entry -> its own L2, writable (refused)",
                 mm_update(mm_tab_ma(t.l2, 1), (l2_ma & LAM_PTE_MFN_MASK) | MM_PTE_FLAGS),
                 -LAM_EINVAL);
    mm_expect_rc("L2 entry -> its own L2, read-only",
                 mm_update(mm_tab_ma(t.l2, 1), (l2_ma & LAM_PTE_MFN_MASK) | MM_PTE_RO), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    /* TREE_SLOT/0/1/n maps what L2 entry n points at: entry 0 -> the L1. */
    volatile uint64_t *l1_view = (uint64_t *)mm_make_va(TREE_SLOT, 0, 1, 0);
    mm_expect(mm_try_read(&l1_view[0], &v) == 0 && v == t.l1[0],
              "L1 readable through the L2 linear entry");
    mm_expect(mm_try_write(&l1_view[0], 0) != 0, "store through the L2 linear entry faults");
    mm_expect_rc("pinning the L2 while linear (type stays L2)",
                 mm_ext(LAM_MMUEXT_PIN_L2_TABLE, l2_ma >> LAM_PAGE_SHIFT), 0);
    mm_expect_rc("unpin it", mm_ext(LAM_MMUEXT_UNPIN_TABLE, l2_ma >> LAM_PAGE_SHIFT), 0);
    mm_expect_rc("remove the L2 linear entry", mm_update(mm_tab_ma(t.l2, 1), 0), 0);
    mm_expect_rc("remove the L4 linear slot", mm_update(l4_ma + 8 * LINEAR_SLOT, 0), 0);
    mm_expect_rc("release the private chain", mm_tree_destroy(&t), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    mm_expect(mm_try_read(&l4_view[0], &v) != 0, "linear view gone");
}
