/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frames the hypervisor shares with us as page tables or a GDT. shared_info and our grant-table
 * frame are written by the hypervisor through its own mapping (event bits, pvclock data, GTF
 * flags), behind any validation. If one could be typed as a page table or a descriptor page after
 * we dropped our writable mappings of it, those writes would edit a live page table or GDT.
 * Xen 4.17 types such frames writable for good (share_xen_page_with_guest), so every attempt fails
 * with -EINVAL: pinning as L1..L4, NEW_USER_BASEPTR, hanging it into our tables as an L1/L2/L3 (an
 * L2, L3 or L4 entry pointing at it), and set_gdt. Mapping it writable (what
 * it is for) works before and after.
 *
 * A pin that succeeds anyway is left in place: the domain's teardown must
 * still release it (once it did not, and such a domain was never reaped;
 * mm-shared-frames-2dom reaps it).
 *
 * Runs as dom0 on both hypervisors, and as a boot-time domU on Lamina
 * (mm-shared-frames-2dom).
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "shared_info and grant-table frames as page tables or GDT";

#define TREE_SLOT 300
#define SPARE_L4  302 /* an empty L4 slot */
#define SPARE_IDX 5   /* an empty entry in the tree's L3, L2 and L1 */

static struct mm_tree tree;

static void try_pins(const char *name, uint64_t mfn)
{
    char what[96];
    for (unsigned l = 1; l <= 4; l++) {
        lam_snprintf(what, sizeof(what), "pin %s as L%u", name, l);
        long rc = mm_ext(LAM_MMUEXT_PIN_L1_TABLE + l - 1, mfn);
        mm_expect_rc(what, rc, -LAM_EINVAL);
        if (rc == 0)
            lam_printf("  (pinned: left so, for the teardown to release)\n");
    }
    lam_snprintf(what, sizeof(what), "NEW_USER_BASEPTR to %s", name);
    long rc = mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mfn);
    mm_expect_rc(what, rc, -LAM_EINVAL);
    if (rc == 0)
        lam_printf("  (undone: %ld)\n", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, 0));
}

/* An entry of one of our tables (at machine address ma) pointing at the frame as a table. */
static void try_entry(const char *what, uint64_t ma, uint64_t mfn)
{
    long rc = mm_update(ma, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS);
    mm_expect_rc(what, rc, -LAM_EINVAL);
    if (rc == 0)
        lam_printf("  (undone: %ld)\n", mm_update(ma, 0));
}

static void try_tables(const char *name, uint64_t mfn)
{
    char what[96];
    lam_snprintf(what, sizeof(what), "an L2 entry -> %s (as an L1)", name);
    try_entry(what, mm_tab_ma(tree.l2, SPARE_IDX), mfn);
    lam_snprintf(what, sizeof(what), "an L3 entry -> %s (as an L2)", name);
    try_entry(what, mm_tab_ma(tree.l3, SPARE_IDX), mfn);
    lam_snprintf(what, sizeof(what), "an L4 entry -> %s (as an L3)", name);
    try_entry(what, (mm_cur_l4_mfn << LAM_PAGE_SHIFT) + 8 * SPARE_L4, mfn);
}

static void try_gdt(const char *name, uint64_t mfn)
{
    char what[96];
    uint64_t frames[1] = {mfn};
    lam_snprintf(what, sizeof(what), "set_gdt with %s (512 entries)", name);
    long rc = hypercall_set_gdt(frames, 512);
    mm_expect_rc(what, rc, -LAM_EINVAL);
    if (rc == 0)
        lam_printf("  (undone: %ld)\n", hypercall_set_gdt(frames, 0));
}

static void try_writable(const char *name, uint64_t mfn)
{
    char what[96];
    uint64_t va = tree.base + SPARE_IDX * LAM_PAGE_SIZE;
    lam_snprintf(what, sizeof(what), "map %s writable (what it is for)", name);
    mm_expect_rc(
        what,
        hypercall_update_va_mapping(va, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, LAM_UVMF_INVLPG),
        0);
    mm_expect_rc("  and unmap it", hypercall_update_va_mapping(va, 0, LAM_UVMF_INVLPG), 0);
}

static void attack(const char *name, uint64_t mfn)
{
    lam_printf("%s: mfn %lx\n", name, (unsigned long)mfn);
    try_writable(name, mfn);
    try_pins(name, mfn);
    try_tables(name, mfn);
    try_gdt(name, mfn);
    try_writable(name, mfn);
}

void test_main(void)
{
    mm_init();
    mm_expect_rc("tree under L4 slot 300", mm_tree_build(&tree, TREE_SLOT), 0);
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    attack("our grant-table frame", frames[0]);

    /* shared_info is mapped at lam_shared_info: put the window's own page back, so that
     * no writable mapping of ours is left (nothing here may fault meanwhile: the trap
     * handler reads CR2 from shared_info), and map shared_info there again afterwards. */
    uint64_t si = lam_start_info->shared_info >> LAM_PAGE_SHIFT;
    uint64_t window = (uint64_t)lam_shared_info;
    mm_expect_rc("unmap shared_info",
                 hypercall_update_va_mapping(window, mm_va_to_ma(lam_shared_info) | MM_PTE_FLAGS,
                                             LAM_UVMF_INVLPG),
                 0);
    attack("shared_info", si);
    mm_expect_rc(
        "map shared_info again",
        hypercall_update_va_mapping(window, (si << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, LAM_UVMF_INVLPG),
        0);
    mm_expect(lam_shared_info->vcpu_info[0].evtchn_upcall_mask == 1,
              "shared_info is ours to read again (events still masked)");
    mm_expect_rc("release the tree", mm_tree_destroy(&tree), 0);
}
