/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * update_va_mapping aimed through a read-only linear L4 slot.
 *
 * The hypervisor finds the "L1 entry" for a virtual address by walking the
 * guest's tables. With L4 slot LINEAR pointing at the L4 itself, the walk for
 * LINEAR/300/0/n ends in the L2 of slot 300, LINEAR/LINEAR/300/n in its L3,
 * LINEAR/LINEAR/LINEAR/n in the L4, and LINEAR/256/0/n in the hypervisor's own
 * tables (slot 256 holds the M2P). Writing an L1 entry there (a writable
 * mapping of a page of ours) would make that page a page table the guest can
 * write: all of machine memory. Xen 4.17 refuses every one with -EINVAL,
 * because the frame the walk ends in is not an L1 table of the caller
 * (__do_update_va_mapping). Tried through update_va_mapping, a multicall,
 * update_va_mapping_otherdomain(DOMID_SELF) and a grant map by host address,
 * each beside the same call on a real L1 slot, which must work.
 *
 * Runs as dom0 on both hypervisors, and as a boot-time domU on Lamina
 * (mm-uvm-linear-2dom). A boot-time domU of these tests is d1.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "update_va_mapping through a linear L4 slot into non-L1 tables";

#define TREE_SLOT   300
#define LINEAR_SLOT 301
#define TARGET      5  /* the entry index written in each table: unused in all of them */
#define GREF        7  /* the grant reference we give ourselves */
#define GNT_VA_IDX  20 /* tree L1 entry that maps our grant table frame */

static struct mm_tree tree;
static uint64_t evil_pte; /* a zeroed page of ours, writable: a page table if it lands */

struct target {
    const char *what;
    uint64_t va;
};

static void undo(uint64_t va)
{
    long rc = hypercall_update_va_mapping(va, 0, LAM_UVMF_INVLPG);
    lam_printf("  (the write landed; undone: rc %ld)\n", rc);
}

static void through_uvm(const struct target *t)
{
    char what[128];
    lam_snprintf(what, sizeof(what), "update_va_mapping into %s", t->what);
    long rc = hypercall_update_va_mapping(t->va, evil_pte, LAM_UVMF_INVLPG);
    mm_expect_rc(what, rc, -LAM_EINVAL);
    if (rc == 0)
        undo(t->va);
    lam_snprintf(what, sizeof(what), "update_va_mapping_otherdomain(SELF) into %s", t->what);
    rc = hypercall_update_va_mapping_otherdomain(t->va, evil_pte, LAM_UVMF_INVLPG, LAM_DOMID_SELF);
    mm_expect_rc(what, rc, -LAM_EINVAL);
    if (rc == 0)
        undo(t->va);
}

/* The attack as the middle entry of a multicall between two good ones. */
static void through_multicall(const struct target *t, uint64_t good_va)
{
    static struct lam_multicall_entry mc[3];
    memset(mc, 0, sizeof(mc));
    uint64_t vas[3] = {good_va, t->va, good_va};
    uint64_t ptes[3] = {evil_pte, evil_pte, 0};
    for (unsigned i = 0; i < 3; i++) {
        mc[i].op = LAM_HYPERCALL_UPDATE_VA_MAPPING;
        mc[i].result = 0x5555;
        mc[i].args[0] = vas[i];
        mc[i].args[1] = ptes[i];
        mc[i].args[2] = LAM_UVMF_INVLPG;
    }
    char what[128];
    lam_snprintf(what, sizeof(what), "multicall: good, into %s, good", t->what);
    mm_expect_rc(what, hypercall_multicall(mc, 3), 0);
    mm_expect((long)mc[0].result == 0 && (long)mc[1].result == -LAM_EINVAL &&
                  (long)mc[2].result == 0,
              "  results 0, -EINVAL, 0");
    lam_printf("  results %ld %ld %ld\n", (long)mc[0].result, (long)mc[1].result,
               (long)mc[2].result);
    if ((long)mc[1].result == 0)
        undo(t->va);
}

static volatile struct lam_grant_entry_v1 *gtab;
static uint16_t self_id;

static void grant_setup(void *data)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    uint64_t va = tree.base + GNT_VA_IDX * LAM_PAGE_SIZE;
    mm_expect_rc("map our grant table frame",
                 hypercall_update_va_mapping(va, (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS,
                                             LAM_UVMF_INVLPG),
                 0);
    gtab = (volatile struct lam_grant_entry_v1 *)va;
    self_id = (lam_start_info->flags & LAM_SIF_INITDOMAIN) ? 0 : 1;
    gtab[GREF].domid = self_id;
    gtab[GREF].frame = (uint32_t)mm_va_to_mfn(data);
    __atomic_store_n(&gtab[GREF].flags, LAM_GTF_permit_access, __ATOMIC_RELEASE);
}

static int16_t grant_map(uint64_t va, uint32_t *handle)
{
    struct lam_gnttab_map_grant_ref op = {
        .host_addr = va, .flags = LAM_GNTMAP_host_map, .ref = GREF, .dom = self_id, .status = 99};
    mm_expect_rc("map_grant_ref hypercall",
                 hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1), 0);
    *handle = op.handle;
    return op.status;
}

static int16_t grant_unmap(uint64_t va, uint32_t handle)
{
    struct lam_gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle, .status = 99};
    mm_expect_rc("unmap_grant_ref hypercall",
                 hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &op, 1), 0);
    return op.status;
}

static void through_grant_map(const struct target *t, uint64_t good_va)
{
    char what[128];
    uint32_t h = 0;
    mm_expect(grant_map(good_va, &h) == LAM_GNTST_okay, "grant map at a real L1 slot");
    mm_expect(grant_unmap(good_va, h) == LAM_GNTST_okay, "  and unmap");
    int16_t st = grant_map(t->va, &h);
    lam_snprintf(what, sizeof(what), "grant map into %s refused (general_error)", t->what);
    mm_expect(st == LAM_GNTST_general_error, what);
    lam_printf("  status %d\n", st);
    if (st == LAM_GNTST_okay)
        grant_unmap(t->va, h);
}

void test_main(void)
{
    mm_init();
    uint64_t l4_ma = mm_cur_l4_mfn << LAM_PAGE_SHIFT;
    void *evil = mm_alloc_page();
    void *data = mm_alloc_page();
    evil_pte = (mm_va_to_mfn(evil) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    mm_expect_rc("build a tree under L4 slot 300", mm_tree_build(&tree, TREE_SLOT), 0);
    mm_expect_rc("L4 slot 301 -> the L4, read-only",
                 mm_update(l4_ma + 8 * LINEAR_SLOT, l4_ma | MM_PTE_RO), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    /* The evil page must not be mapped writable anywhere but where the attack puts it. */
    mm_expect_rc("evil page read-only in the region", mm_page_set_ro(evil), 0);
    evil_pte = (mm_va_to_mfn(evil) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;

    uint64_t good_va = tree.base + TARGET * LAM_PAGE_SIZE;
    mm_expect_rc("control: update_va_mapping on a real L1 slot",
                 hypercall_update_va_mapping(good_va, evil_pte, LAM_UVMF_INVLPG), 0);
    mm_expect_rc("  cleared again", hypercall_update_va_mapping(good_va, 0, LAM_UVMF_INVLPG), 0);
    mm_expect_rc(
        "control: update_va_mapping_otherdomain(SELF) on it",
        hypercall_update_va_mapping_otherdomain(good_va, evil_pte, LAM_UVMF_INVLPG, LAM_DOMID_SELF),
        0);
    mm_expect_rc(
        "  cleared again",
        hypercall_update_va_mapping_otherdomain(good_va, 0, LAM_UVMF_INVLPG, LAM_DOMID_SELF), 0);
    mm_expect_rc(
        "update_va_mapping_otherdomain naming no domain",
        hypercall_update_va_mapping_otherdomain(good_va, evil_pte, LAM_UVMF_INVLPG, 0x7000),
        -LAM_ESRCH);

    const struct target targets[] = {
        {"the L2 of slot 300 (301/300/0/5)", mm_make_va(LINEAR_SLOT, TREE_SLOT, 0, TARGET)},
        {"the L3 of slot 300 (301/301/300/5)",
         mm_make_va(LINEAR_SLOT, LINEAR_SLOT, TREE_SLOT, TARGET)},
        {"the L4 (301/301/301/5)", mm_make_va(LINEAR_SLOT, LINEAR_SLOT, LINEAR_SLOT, TARGET)},
        {"the hypervisor's M2P tables (301/256/0/5)", mm_make_va(LINEAR_SLOT, 256, 0, TARGET)},
        {"the hypervisor's slot 261 (301/261/1/5)", mm_make_va(LINEAR_SLOT, 261, 1, TARGET)},
        {"an absent L4 slot (301/5/0/5)", mm_make_va(LINEAR_SLOT, 5, 0, TARGET)},
    };
    for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        through_uvm(&targets[i]);
        through_multicall(&targets[i], good_va);
    }
    grant_setup(data);
    through_grant_map(&targets[0], good_va);
    through_grant_map(&targets[3], good_va);

    uint64_t *l2 = tree.l2, *l3 = tree.l3;
    const uint64_t *l4 = mm_mfn_to_va(mm_cur_l4_mfn);
    mm_expect(l2[TARGET] == 0 && l3[TARGET] == 0 && l4[TARGET] == 0,
              "the L2, L3 and L4 entries are still empty");
    mm_expect_rc("evil page writable again (nothing holds it as a table)", mm_page_set_rw(evil), 0);

    mm_expect_rc(
        "unmap our grant table frame",
        hypercall_update_va_mapping(tree.base + GNT_VA_IDX * LAM_PAGE_SIZE, 0, LAM_UVMF_INVLPG), 0);
    mm_expect_rc("remove the linear slot", mm_update(l4_ma + 8 * LINEAR_SLOT, 0), 0);
    mm_expect_rc("release the tree", mm_tree_destroy(&tree), 0);
}
