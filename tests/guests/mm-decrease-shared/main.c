/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decrease_reservation of the frames the hypervisor shares with us: our
 * grant-table frame and shared_info. They are hypervisor memory the
 * domain may map, not pages of its allocation. Xen 4.17 (guest_remove_page)
 * answers 1 (the extent is done) and drops the domain's allocation reference:
 * the frame can no longer be mapped (-EBUSY), a second decrease is refused (0),
 * but the hypervisor keeps using it and never frees it: our reservation does
 * not change, frames we take afterwards are never it, and the grant table
 * still works. Both frames are unmapped when given back (see below).
 *
 * The attack Lamina had to survive: the frame is on no page list, so giving it
 * back did a list_del through NULL pointers (a write to address 0: a host page
 * fault, or, with page 0 mapped as here, a write into our own page) and then
 * freed it while the grant table still lived in it (use after free, and a
 * double free when the domain goes). Page 0 is mapped so that the old code
 * shows the free instead of panicking.
 *
 * Runs as dom0 on both hypervisors, and as a boot-time domU on Lamina
 * (mm-decrease-shared-2dom). A boot-time domU of these tests is d1.
 */
#include <lamina/grant_table.h>
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "decrease_reservation of the grant-table frame and shared_info";

#define TREE_SLOT 300
#define GREF      9
#define BALLOON   16
#define PATTERN   0x736861726564216bULL

static struct mm_tree low, tree;

static long reservation(unsigned cmd, uint64_t *list, unsigned long n)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)list, .nr_extents = n, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(cmd, &r);
}

static long decrease(uint64_t mfn)
{
    return reservation(LAM_XENMEM_decrease_reservation, &mfn, 1);
}

static long current_reservation(void)
{
    uint16_t self = LAM_DOMID_SELF;
    return hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
}

static long map_at(unsigned int i, uint64_t pte)
{
    return hypercall_update_va_mapping(tree.base + i * LAM_PAGE_SIZE, pte, LAM_UVMF_INVLPG);
}

/* Our grant-table frame, with reference GREF granting data to ourselves. */
static uint64_t grant_frame(const uint64_t *data)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("map our grant-table frame",
                 map_at(0, (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    volatile struct lam_grant_entry_v1 *gtab = (void *)tree.base;
    gtab[GREF].domid = (lam_start_info->flags & LAM_SIF_INITDOMAIN) ? 0 : 1;
    gtab[GREF].frame = (uint32_t)mm_va_to_mfn(data);
    __atomic_store_n(&gtab[GREF].flags, LAM_GTF_permit_access, __ATOMIC_RELEASE);
    mm_expect_rc("unmap it again", map_at(0, 0), 0);
    return frames[0];
}

/* Copy 8 bytes out of our own grant GREF: the hypervisor reads the grant table. */
static int copy_from_grant(uint64_t *out)
{
    struct lam_gnttab_copy op = {.source = {.u.ref = GREF, .domid = LAM_DOMID_SELF, .offset = 0},
                                 .dest = {.u.gmfn = mm_va_to_mfn(out),
                                          .domid = LAM_DOMID_SELF,
                                          .offset = (uint16_t)((uint64_t)out & ~LAM_PAGE_MASK)},
                                 .len = 8,
                                 .flags = LAM_GNTCOPY_source_gref,
                                 .status = 99};
    mm_expect_rc("grant copy hypercall", hypercall_grant_table_op(LAM_GNTTABOP_copy, &op, 1), 0);
    return op.status;
}

/* Give a shared frame back; what Xen 4.17 answers, and the frame stays the hypervisor's. */
static void give_back(const char *name, uint64_t mfn)
{
    char what[96];
    long before = current_reservation();
    lam_snprintf(what, sizeof(what), "decrease_reservation of %s (mfn %lx)", name,
                 (unsigned long)mfn);
    mm_expect_rc(what, decrease(mfn), 1);
    long after = current_reservation();
    lam_printf("  current_reservation %ld -> %ld\n", before, after);
    lam_snprintf(what, sizeof(what), "  %s was not part of our reservation", name);
    mm_expect(after == before, what);
    lam_snprintf(what, sizeof(what), "  %s can no longer be mapped writable", name);
    mm_expect_rc(what, map_at(1, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), -LAM_EBUSY);
    lam_snprintf(what, sizeof(what), "  nor read-only");
    mm_expect_rc(what, map_at(1, (mfn << LAM_PAGE_SHIFT) | MM_PTE_RO), -LAM_EBUSY);
    lam_snprintf(what, sizeof(what), "  a second decrease_reservation of %s", name);
    mm_expect_rc(what, decrease(mfn), 0);
}

void test_main(void)
{
    mm_init();
    uint64_t *data = mm_alloc_page(), *buf = mm_alloc_page(), *zero = mm_alloc_page();
    data[0] = PATTERN;
    mm_expect_rc("tree under L4 slot 0", mm_tree_build(&low, 0), 0);
    mm_expect_rc("map page 0",
                 hypercall_update_va_mapping(0, mm_va_to_ma(zero) | MM_PTE_FLAGS, LAM_UVMF_INVLPG),
                 0);
    mm_expect_rc("tree under L4 slot 300", mm_tree_build(&tree, TREE_SLOT), 0);
    uint64_t g = grant_frame(data);
    uint64_t si = lam_start_info->shared_info >> LAM_PAGE_SHIFT;

    /* Room for BALLOON new frames afterwards (a domain may be at its limit). */
    uint64_t pfns[BALLOON], list[BALLOON];
    for (unsigned i = 0; i < BALLOON; i++) {
        pfns[i] = mm_alloc_unmapped_pfn();
        list[i] = mm_pfn_to_mfn(pfns[i]);
    }
    mm_expect_rc("balloon out 16 unmapped frames",
                 reservation(LAM_XENMEM_decrease_reservation, list, BALLOON), BALLOON);

    give_back("the grant-table frame", g);
    /* Unmapped first, as the grant frame: Xen 4.17 lets a frame given back that is still
     * mapped be mapped again (docs/differences.md); nothing here faults from now on (the
     * trap handler reads CR2 from shared_info). */
    mm_expect_rc("our shared_info window back to its own page",
                 hypercall_update_va_mapping((uint64_t)lam_shared_info,
                                             mm_va_to_ma(lam_shared_info) | MM_PTE_FLAGS,
                                             LAM_UVMF_INVLPG),
                 0);
    give_back("shared_info", si);

    for (unsigned i = 0; i < BALLOON; i++)
        list[i] = pfns[i];
    mm_expect_rc("populate 16 frames", reservation(LAM_XENMEM_populate_physmap, list, BALLOON),
                 BALLOON);
    int reused = 0;
    for (unsigned i = 0; i < BALLOON; i++) {
        reused |= list[i] == g || list[i] == si;
        ((uint64_t *)lam_start_info->mfn_list)[pfns[i]] = list[i];
    }
    mm_expect(!reused, "no new frame is the grant-table frame or shared_info");
    buf[0] = 0;
    mm_expect_rc("copy from our grant: the grant table still works", copy_from_grant(buf),
                 LAM_GNTST_okay);
    mm_expect(buf[0] == PATTERN, "  and still holds our grant");

    mm_expect_rc("unmap page 0", hypercall_update_va_mapping(0, 0, LAM_UVMF_INVLPG), 0);
    mm_expect_rc("release the trees", mm_tree_destroy(&tree) || mm_tree_destroy(&low), 0);
}
