/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Adversarial direct paging. Each attack must fail with the error Xen 4.17
 * returns (recorded in the table below) and the guest keeps running:
 *  - map frames we do not own: hypervisor memory, frames outside our p2m,
 *    past the end of RAM, huge and "negative" frame numbers;
 *  - obtain a writable mapping of a page table: directly (the L1 that maps
 *    itself), through an alias, through a superpage L2 entry, through a
 *    writable linear entry at L4 and L2;
 *  - pin a writable page, pin twice, unpin twice, unpin what was never
 *    pinned, retype a pinned page, NEW_BASEPTR to a non-L4;
 *  - non-canonical and hypervisor-range addresses to update_va_mapping and
 *    INVLPG; updates of the hypervisor's L4 slots 256-271;
 *  - a plain write to an L2 page (only L1 writes are emulated).
 * Cache attributes (PCD/PWT) in an L1 entry, and non-RAM frames (MMIO), are
 * accepted for dom0, which holds I/O resources, as on Xen. Afterwards the guest's own mappings must
 * still work.
 */
#include <lamina/memory.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "hostile page-table operations";

#define TREE_SLOT 300
#define PATTERN   0x0123456789abcdefULL

static uint64_t *window;    /* a data page whose mapping the attacks try to replace */
static uint64_t window_pte; /* its legitimate entry */
static struct mm_tree tree;

/* The window must still map its own frame after every attack. */
static void check_window(const char *after)
{
    char what[96];
    uint64_t v = 0;
    hypercall_update_va_mapping((unsigned long)window, window_pte, LAM_UVMF_INVLPG);
    lam_snprintf(what, sizeof(what), "window intact after %s", after);
    mm_expect(mm_try_read(window, &v) == 0 && v == PATTERN, what);
}

static void attack_uvm(const char *what, uint64_t pte, long want)
{
    long rc = hypercall_update_va_mapping((unsigned long)window, pte, LAM_UVMF_INVLPG);
    mm_expect_rc(what, rc, want);
    check_window(what);
}

static void attack_l1(const char *what, uint64_t pte, long want)
{
    unsigned done = 0;
    struct lam_mmu_update req = {mm_entry_ma((uint64_t)window, 1), pte};
    long rc = hypercall_mmu_update(&req, 1, &done, LAM_DOMID_SELF);
    mm_expect_rc(what, rc, want);
    mm_expect(done == (rc == 0), "done count matches");
    check_window(what);
}

/* A frame of RAM inside the machine's range that the p2m does not list. */
static uint64_t unowned_ram_mfn(uint64_t max_mfn)
{
    for (uint64_t mfn = max_mfn; mfn > 0x100; mfn--)
        if (!mm_mfn_is_ours(mfn))
            return mfn;
    return 0;
}

static void foreign_frames(void)
{
    char what[96];
    struct lam_machphys_mapping mp = {0};
    hypercall_memory_op(LAM_XENMEM_machphys_mapping, &mp);
    struct {
        uint64_t mfn;
        const char *why;
        long want;
    } frames[] = {
        /* RAM we do not own: Xen 4.17 refuses with -EBUSY (ownership check failed). */
        {0x200, "MFN 0x200 (hypervisor memory)", -LAM_EBUSY},
        {0x1000, "MFN 0x1000", -LAM_EBUSY},
        {unowned_ram_mfn(mp.max_mfn), "RAM frame not in our p2m", -LAM_EBUSY},
        /*
         * Not RAM: for dom0, which may access all I/O memory, Xen 4.17 maps it
         * as MMIO (success). A domU would be refused; see docs/differences.md.
         */
        {mp.max_mfn + 1, "MFN just past the end of RAM (MMIO for dom0)", 0},
        {0xffffffffffULL, "largest 40-bit MFN", -LAM_EINVAL},
    };
    for (unsigned i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
        uint64_t mfn = frames[i].mfn;
        lam_printf("frame %lx: %s\n", mfn, frames[i].why);
        if (!mfn || mm_mfn_is_ours(mfn)) {
            lam_printf("  is ours on this hypervisor: not an attack, skipped\n");
            continue;
        }
        lam_snprintf(what, sizeof(what), "update_va_mapping RW of %s", frames[i].why);
        attack_uvm(what, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, frames[i].want);
        lam_snprintf(what, sizeof(what), "update_va_mapping RO of %s", frames[i].why);
        attack_uvm(what, (mfn << LAM_PAGE_SHIFT) | MM_PTE_RO, frames[i].want);
        lam_snprintf(what, sizeof(what), "mmu_update L1 of %s", frames[i].why);
        attack_l1(what, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, frames[i].want);
    }
    attack_uvm("update_va_mapping pte ~0", ~0ULL, -LAM_EINVAL);
    attack_l1("mmu_update L1 pte ~0", ~0ULL, -LAM_EINVAL);
    attack_uvm("update_va_mapping MFN 0x000fffffffffffff (masked)",
               (0x000fffffffffffffULL << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, -LAM_EINVAL);
    /* Release builds of Xen 4.17 do not reserve bit 62 in guest L1 entries; Lamina
     * marks its grant mappings with it (as Xen debug builds do) and refuses it from
     * guests (docs/differences.md). */
    char extra[LAM_XENVER_EXTRAVERSION_LEN] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    int reserves_bit62 = strstr(extra, "lamina") != NULL;
    attack_uvm("grant bit 62 in a guest L1 entry", window_pte | LAM_PTE_GNTTAB,
               reserves_bit62 ? -LAM_EINVAL : 0);
    attack_uvm("PCD|PWT on our own frame (dom0 holds I/O resources)",
               window_pte | LAM_PTE_PCD | LAM_PTE_PWT, 0);
    attack_uvm("PAT bit on our own frame", window_pte | LAM_PTE_PSE, 0);
}

static void writable_tables(void)
{
    uint64_t l4_mfn = mm_cur_l4_mfn;
    uint64_t *l4 = mm_mfn_to_va(l4_mfn);
    /* The bootstrap L1 that maps the window also maps itself. */
    uint64_t l1_ma = mm_entry_ma((uint64_t)window, 1);
    uint64_t l1_mfn = l1_ma >> LAM_PAGE_SHIFT;
    uint64_t *l1 = mm_mfn_to_va(l1_mfn);
    uint64_t l2_mfn = mm_entry_ma((uint64_t)window, 2) >> LAM_PAGE_SHIFT;

    long rc = hypercall_update_va_mapping(
        (unsigned long)l1, (l1_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, LAM_UVMF_INVLPG);
    mm_expect_rc("L1 page mapped writable at its own address", rc, -LAM_EBUSY);
    uint64_t v;
    mm_expect(mm_try_write((uint64_t *)l1 + 511, 0) != 0 || l1[511] == 0,
              "L1 page still read-only");
    attack_uvm("alias of the L4 writable", (l4_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, -LAM_EBUSY);
    attack_uvm("alias of the L2 writable", (l2_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, -LAM_EBUSY);
    attack_uvm("alias of the L1 writable", (l1_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, -LAM_EBUSY);
    attack_l1("mmu_update: L4 writable through the window's L1",
              (l4_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, -LAM_EBUSY);
    attack_uvm("alias of the L4 read-only (allowed)", (l4_mfn << LAM_PAGE_SHIFT) | MM_PTE_RO, 0);

    /* Superpage: an L2 entry with PSE covering the 2 MiB that holds our tables. */
    uint64_t base_mfn = l1_mfn & ~511ULL;
    mm_expect_rc(
        "L2 PSE entry, writable",
        mm_update(mm_tab_ma(tree.l2, 1), (base_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS | LAM_PTE_PSE),
        -LAM_EINVAL);
    mm_expect_rc(
        "L2 PSE entry, read-only",
        mm_update(mm_tab_ma(tree.l2, 1), (base_mfn << LAM_PAGE_SHIFT) | MM_PTE_RO | LAM_PTE_PSE),
        -LAM_EINVAL);
    mm_expect(mm_try_read((uint64_t *)mm_make_va(TREE_SLOT, 0, 1, 0), &v) != 0,
              "nothing mapped by the refused superpage");

    /* Writable linear (recursive) entries. */
    mm_expect_rc("L4 entry pointing at the L4, writable",
                 mm_update((l4_mfn << LAM_PAGE_SHIFT) + 8 * (TREE_SLOT + 1),
                           (l4_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
                 -LAM_EINVAL);
    mm_expect_rc(
        "L2 entry pointing at its own L2, writable",
        mm_update(mm_tab_ma(tree.l2, 2), (mm_va_to_mfn(tree.l2) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
        -LAM_EINVAL);
    mm_expect_rc("L2 entry pointing at the bootstrap L2 (same level), writable",
                 mm_update(mm_tab_ma(tree.l2, 2), (l2_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
                 -LAM_EINVAL);
    mm_expect_rc(
        "L3 entry pointing at an L3, writable",
        mm_update(mm_tab_ma(tree.l3, 2), (mm_va_to_mfn(tree.l3) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
        -LAM_EINVAL);
    mm_expect_rc("L2 entry pointing at a data page that is mapped writable",
                 mm_update(mm_tab_ma(tree.l2, 2), window_pte), -LAM_EINVAL);
    (void)l4;
}

static void pin_abuse(void)
{
    uint64_t wmfn = mm_va_to_mfn(window);
    void *page = mm_alloc_page();
    uint64_t mfn = mm_va_to_mfn(page);
    mm_expect_rc("PIN_L1 of a page mapped writable", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, wmfn),
                 -LAM_EINVAL);
    mm_expect_rc("PIN_L4 of a page mapped writable", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, wmfn),
                 -LAM_EINVAL);
    mm_expect_rc("UNPIN of a page never pinned", mm_ext(LAM_MMUEXT_UNPIN_TABLE, wmfn), -LAM_EINVAL);
    mm_page_set_ro(page);
    mm_expect_rc("PIN_L1", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mfn), 0);
    mm_expect_rc("PIN_L1 twice", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mfn), -LAM_EINVAL);
    mm_expect_rc("PIN_L2 of the pinned L1 (type change)", mm_ext(LAM_MMUEXT_PIN_L2_TABLE, mfn),
                 -LAM_EINVAL);
    mm_expect_rc("NEW_BASEPTR to a pinned L1", mm_new_baseptr(mfn), -LAM_EINVAL);
    mm_expect_rc("NEW_BASEPTR to a writable page", mm_new_baseptr(wmfn), -LAM_EINVAL);
    mm_expect_rc("NEW_BASEPTR to MFN ~0", mm_new_baseptr(~0ULL), -LAM_EINVAL);
    mm_expect_rc("NEW_USER_BASEPTR to a pinned L1", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mfn),
                 -LAM_EINVAL);
    mm_expect_rc("UNPIN", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), 0);
    mm_expect_rc("UNPIN twice", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), -LAM_EINVAL);
    mm_expect_rc("PIN_L1 of MFN ~0", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, ~0ULL), -LAM_EINVAL);
    mm_expect_rc("PIN_L1 of MFN 0x000fffffffffffff",
                 mm_ext(LAM_MMUEXT_PIN_L1_TABLE, 0x000fffffffffffffULL), -LAM_EINVAL);
    mm_expect_rc("PIN_L1 of hypervisor MFN 0x200", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, 0x200),
                 -LAM_EINVAL);
    mm_expect_rc("page writable again", mm_page_set_rw(page), 0);
    mm_expect_rc("MACHPHYS_UPDATE of a frame not ours",
                 mm_update((0x200ULL << LAM_PAGE_SHIFT) | LAM_MMU_MACHPHYS_UPDATE, 5), -LAM_EINVAL);
    /* ~3 | 1 and ~3 have low three bits 5 and 4: no command, -ENOSYS (Xen 4.17). A real
     * command beyond any frame is -EINVAL (mmu-update-badcmd). */
    mm_expect_rc("MACHPHYS_UPDATE of MFN ~0", mm_update(~3ULL | LAM_MMU_MACHPHYS_UPDATE, 5),
                 -LAM_ENOSYS);
    mm_expect_rc("NORMAL_PT_UPDATE at MA ~0", mm_update(~3ULL, 0), -LAM_ENOSYS);
}

static void bad_addresses(void)
{
    static const uint64_t vas[] = {0x0000800000000000ULL, 0xffff800000000000ULL,
                                   0xffff830000000000ULL, 0xffff87fffffff000ULL};
    char what[96];
    for (unsigned i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
        lam_snprintf(what, sizeof(what), "update_va_mapping at %lx", vas[i]);
        mm_expect_rc(what, hypercall_update_va_mapping(vas[i], window_pte, LAM_UVMF_INVLPG),
                     -LAM_EINVAL);
        lam_snprintf(what, sizeof(what), "update_va_mapping clear at %lx", vas[i]);
        mm_expect_rc(what, hypercall_update_va_mapping(vas[i], 0, LAM_UVMF_INVLPG), -LAM_EINVAL);
        lam_snprintf(what, sizeof(what), "INVLPG_LOCAL at %lx", vas[i]);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_INVLPG_LOCAL, vas[i]), 0);
        lam_snprintf(what, sizeof(what), "INVLPG_ALL at %lx", vas[i]);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_INVLPG_ALL, vas[i]), 0);
    }
    uint64_t l4_ma = mm_cur_l4_mfn << LAM_PAGE_SHIFT;
    uint64_t l3 = (mm_va_to_mfn(tree.l3) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    static const unsigned slots[] = {256, 257, 261, 271};
    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        lam_snprintf(what, sizeof(what), "mmu_update of hypervisor L4 slot %u", slots[i]);
        mm_expect_rc(what, mm_update(l4_ma + 8 * slots[i], l3), -LAM_EINVAL);
        lam_snprintf(what, sizeof(what), "mmu_update clearing hypervisor L4 slot %u", slots[i]);
        mm_expect_rc(what, mm_update(l4_ma + 8 * slots[i], 0), -LAM_EINVAL);
    }
    uint64_t v;
    mm_expect(mm_try_read((uint64_t *)LAM_MACH2PHYS_VIRT_START, &v) == 0,
              "M2P still mapped after the slot attacks");
    mm_expect(mm_try_write((uint64_t *)LAM_MACH2PHYS_VIRT_START, v) != 0,
              "M2P is read-only to the guest");
}

static void plain_l2_write(void)
{
    uint64_t *l2 = mm_mfn_to_va(mm_entry_ma((uint64_t)window, 2) >> LAM_PAGE_SHIFT);
    uint64_t before = l2[511];
    lam_exception_reset();
    int fault = mm_try_write(&l2[511], (mm_va_to_mfn(window) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS);
    mm_expect(fault != 0 && lam_last_exception.vector == 14, "plain write to an L2 page faults");
    lam_printf("  #PF error code %lx cr2 %lx\n", lam_last_exception.error_code,
               lam_last_exception.cr2);
    mm_expect(l2[511] == before, "L2 entry unchanged");
    fault = mm_try_write(&tree.l2[3], window_pte);
    mm_expect(fault != 0 && tree.l2[3] == 0, "plain write to our own (validated) L2 faults");
}

void test_main(void)
{
    mm_init();
    window = mm_alloc_page();
    if (!window) {
        lam_fail("no free page");
        return;
    }
    window[0] = PATTERN;
    window_pte = (mm_va_to_mfn(window) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    mm_expect_rc("build a private L3/L2/L1 chain", mm_tree_build(&tree, TREE_SLOT), 0);

    foreign_frames();
    writable_tables();
    pin_abuse();
    bad_addresses();
    plain_l2_write();

    /* The guest's own mappings still work and every table comes back. */
    check_window("all attacks");
    mm_expect(hypercall_xen_version(LAM_XENVER_version, NULL) > 0, "hypercalls still work");
    mm_expect_rc("tear down the private chain", mm_tree_destroy(&tree), 0);
}
