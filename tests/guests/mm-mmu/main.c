/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmu_update and update_va_mapping: normal updates at every level (a fresh
 * L3/L2/L1 chain under an unused L4 slot, used end to end), PRESERVE_AD,
 * MACHPHYS_UPDATE, the done count on a failing batch, foreigndom, and every
 * update_va_mapping flush flag plus its -EINVAL when no L1 maps the address.
 * Tearing the chain down must release every type reference: the pages become
 * writable again.
 */
#include <lamina/memory.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "mmu_update and update_va_mapping";

#define TREE_SLOT 300
#define PATTERN_A 0xa5a5a5a5a5a5a5a5ULL
#define PATTERN_B 0x5a5a5a5a5a5a5a5aULL

static uint64_t *data_a, *data_b; /* ordinary pages the tree maps */

static uint64_t pte_of(const void *page, uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

static void check_levels(struct mm_tree *t)
{
    uint64_t l4e = mm_read_entry_ma((mm_cur_l4_mfn << LAM_PAGE_SHIFT) + 8 * TREE_SLOT);
    mm_expect((l4e & LAM_PTE_MFN_MASK) == (mm_va_to_mfn(t->l3) << LAM_PAGE_SHIFT) &&
                  (l4e & LAM_PTE_PRESENT),
              "L4 update: entry reads back with the L3 frame");
    /* Replace L3[0] and L2[0] through mmu_update with the same targets. */
    mm_expect_rc("L3 update", mm_update(mm_tab_ma(t->l3, 0), pte_of(t->l2, MM_PTE_FLAGS)), 0);
    mm_expect_rc("L2 update", mm_update(mm_tab_ma(t->l2, 0), pte_of(t->l1, MM_PTE_FLAGS)), 0);
    mm_expect_rc("L1 update", mm_update(mm_tab_ma(t->l1, 0), pte_of(data_a, MM_PTE_FLAGS)), 0);
    mm_expect_rc("TLB flush after updates", mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0), 0);

    volatile uint64_t *alias = (volatile uint64_t *)t->base;
    uint64_t v = 0;
    mm_expect(mm_try_read(alias, &v) == 0 && v == PATTERN_A, "read through the new chain");
    mm_expect(mm_try_write(alias + 1, PATTERN_B) == 0 && data_a[1] == PATTERN_B,
              "write through the new chain reaches the frame");
    data_a[1] = 0;
    mm_expect(t->l3[0] & LAM_PTE_PRESENT, "L3 entry readable through the RO mapping");
}

static void check_preserve_ad(struct mm_tree *t)
{
    volatile uint64_t *va = (volatile uint64_t *)(t->base + 1 * LAM_PAGE_SIZE);
    uint64_t ad = LAM_PTE_ACCESSED | LAM_PTE_DIRTY, v;
    uint64_t plain = pte_of(data_a, LAM_PTE_PRESENT | LAM_PTE_RW);

    mm_expect_rc("L1 update without A/D", mm_update(mm_tab_ma(t->l1, 1), plain), 0);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)va);
    mm_expect(mm_try_write(va, PATTERN_B) == 0 && mm_try_read(va, &v) == 0 && v == PATTERN_B,
              "write through the fresh entry");
    mm_expect((t->l1[1] & ad) == ad, "hardware set A and D in the entry");
    mm_expect_rc("PRESERVE_AD update",
                 mm_update(mm_tab_ma(t->l1, 1) | LAM_MMU_PT_UPDATE_PRESERVE_AD, plain), 0);
    mm_expect((t->l1[1] & ad) == ad, "PRESERVE_AD kept A and D");
    mm_expect_rc("NORMAL update", mm_update(mm_tab_ma(t->l1, 1), plain), 0);
    mm_expect((t->l1[1] & ad) == 0, "NORMAL update cleared A and D");
    mm_expect_rc("clear entry 1", mm_update(mm_tab_ma(t->l1, 1), 0), 0);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)va);
    data_a[0] = PATTERN_A;
}

static void check_machphys(void)
{
    uint64_t mfn = mm_va_to_mfn(data_b), pfn = mm_m2p(mfn);
    uint64_t ma = mfn << LAM_PAGE_SHIFT;
    mm_expect(pfn == ((uint64_t)data_b - MM_VIRT_BASE) >> LAM_PAGE_SHIFT, "M2P matches the p2m");
    mm_expect_rc("MACHPHYS_UPDATE", mm_update(ma | LAM_MMU_MACHPHYS_UPDATE, 0x1234), 0);
    mm_expect(mm_m2p(mfn) == 0x1234, "M2P shows the new PFN");
    mm_expect_rc("MACHPHYS_UPDATE back", mm_update((ma + 0x808) | LAM_MMU_MACHPHYS_UPDATE, pfn), 0);
    mm_expect(mm_m2p(mfn) == pfn, "M2P restored (offset in the frame ignored)");
}

static void check_done_count(struct mm_tree *t)
{
    struct lam_mmu_update req[3] = {
        {mm_tab_ma(t->l1, 2), pte_of(data_b, MM_PTE_FLAGS)},
        {mm_tab_ma(t->l1, 3), pte_of(t->l2, MM_PTE_FLAGS)}, /* a page table, writable */
        {mm_tab_ma(t->l1, 4), pte_of(data_b, MM_PTE_FLAGS)},
    };
    unsigned done = 0;
    long rc = hypercall_mmu_update(req, 3, &done, LAM_DOMID_SELF);
    /* Xen 4.17 reports a type conflict (page table mapped writable) as -EBUSY. */
    mm_expect_rc("batch with a bad second entry", rc, -LAM_EBUSY);
    lam_printf("done count %u\n", done);
    mm_expect(done == 1, "done count is 1 after the failing entry");
    mm_expect((t->l1[2] & LAM_PTE_PRESENT) && !(t->l1[3] & LAM_PTE_PRESENT) &&
                  !(t->l1[4] & LAM_PTE_PRESENT),
              "first entry applied, the rest not");
    done = 7;
    mm_expect_rc("count 0", hypercall_mmu_update(req, 0, &done, LAM_DOMID_SELF), 0);
    lam_printf("done after count 0: %u\n", done);
    mm_expect(done == 0, "count 0 writes done = 0 (done is absolute, not added to)");

    /*
     * foreigndom: DOMID_SELF works; naming our own id (0) explicitly is refused
     * by Xen 4.17 ("cannot specify itself as foreign domain").
     */
    mm_expect_rc("foreigndom 0 (own id)", mm_update_dom(mm_tab_ma(t->l1, 2), 0, 0), -LAM_ESRCH);
    mm_expect_rc("foreigndom DOMID_SELF",
                 mm_update_dom(mm_tab_ma(t->l1, 2), pte_of(data_b, MM_PTE_FLAGS), LAM_DOMID_SELF),
                 0);
    mm_expect_rc("foreigndom no such domain",
                 mm_update_dom(mm_tab_ma(t->l1, 2), pte_of(data_b, MM_PTE_FLAGS), 0x7ffd),
                 -LAM_ESRCH);
    /* Target an ordinary writable page: a plain store on Xen. */
    mm_expect_rc("update into a writable page", mm_update(mm_va_to_ma(&data_b[8]), 0x1234), 0);
    mm_expect(data_b[8] == 0x1234, "the store reached the page");
    mm_expect_rc("clear entry 2", mm_update(mm_tab_ma(t->l1, 2), 0), 0);
}

/* update_va_mapping with each flush flag, alternating frames so a stale TLB shows. */
static void check_uvm(struct mm_tree *t)
{
    static unsigned long vcpu_mask = 1;
    static const struct {
        const char *name;
        unsigned long flags;
    } flags[] = {
        {"UVMF_NONE+flush", LAM_UVMF_NONE},
        {"UVMF_TLB_FLUSH", LAM_UVMF_TLB_FLUSH},
        {"UVMF_INVLPG", LAM_UVMF_INVLPG},
        {"UVMF_ALL|TLB_FLUSH", LAM_UVMF_ALL | LAM_UVMF_TLB_FLUSH},
        {"UVMF_ALL|INVLPG", LAM_UVMF_ALL | LAM_UVMF_INVLPG},
        {"UVMF_MULTI|INVLPG", 0 /* mask pointer added below */},
    };
    unsigned long va = t->base + 5 * LAM_PAGE_SIZE;
    char what[80];
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        uint64_t *page = (i & 1) ? data_b : data_a;
        uint64_t want = (i & 1) ? data_b[0] : PATTERN_A, v = 0;
        unsigned long f = flags[i].flags;
        if (f == 0 && i)
            f = (unsigned long)&vcpu_mask | LAM_UVMF_INVLPG;
        long rc = hypercall_update_va_mapping(va, pte_of(page, MM_PTE_FLAGS), f);
        lam_snprintf(what, sizeof(what), "update_va_mapping %s", flags[i].name);
        mm_expect_rc(what, rc, 0);
        if (flags[i].flags == LAM_UVMF_NONE && i == 0)
            mm_ext(LAM_MMUEXT_INVLPG_LOCAL, va);
        lam_snprintf(what, sizeof(what), "%s: new frame visible", flags[i].name);
        mm_expect(mm_try_read((uint64_t *)va, &v) == 0 && v == want, what);
    }
    mm_expect_rc("update_va_mapping unmap", hypercall_update_va_mapping(va, 0, LAM_UVMF_INVLPG), 0);
    mm_expect(!(t->l1[5] & LAM_PTE_PRESENT), "unmap cleared the L1 entry");

    /* No L1 maps these addresses. */
    static const unsigned long no_l1[] = {0x1000UL, 0, 0};
    unsigned long vas[3] = {no_l1[0], mm_make_va(TREE_SLOT + 1, 0, 0, 0),
                            mm_make_va(TREE_SLOT, 0, 1, 0)};
    for (unsigned i = 0; i < 3; i++) {
        lam_snprintf(what, sizeof(what), "update_va_mapping %lx without an L1", vas[i]);
        mm_expect_rc(
            what,
            hypercall_update_va_mapping(vas[i], pte_of(data_a, MM_PTE_FLAGS), LAM_UVMF_INVLPG),
            -LAM_EINVAL);
    }
}

void test_main(void)
{
    struct mm_tree t;
    mm_init();
    data_a = mm_alloc_page();
    data_b = mm_alloc_page();
    if (!data_a || !data_b) {
        lam_fail("no free pages in the region");
        return;
    }
    data_a[0] = PATTERN_A;
    data_b[0] = PATTERN_B ^ 1;

    mm_expect_rc("L4 update (build L3/L2/L1 chain)", mm_tree_build(&t, TREE_SLOT), 0);
    check_levels(&t);
    check_preserve_ad(&t);
    check_machphys();
    check_done_count(&t);
    check_uvm(&t);
    mm_expect_rc("tear the chain down and make its pages writable", mm_tree_destroy(&t), 0);
    mm_expect_rc("flush after teardown", mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0), 0);
    uint64_t v = 0;
    mm_expect(mm_try_read((uint64_t *)t.base, &v) != 0, "the torn-down address faults");
    t.l1[0] = 1; /* writable again */
    mm_expect(t.l1[0] == 1, "former L1 page is writable");
}
