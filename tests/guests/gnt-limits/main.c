/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The grant-table limits set on the hypervisor command line (gnt-limits_HV_ARGS:
 * gnttab_max_frames=4 gnttab_max_maptrack_frames=2, Xen's option names):
 * query_size reports 4 frames at most, setup_table grows to 4 and refuses 5,
 * and the maptrack table runs out after 2 frames' worth of handles, then
 * recovers once they are unmapped.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "grant tables: frame and maptrack limits from the command line";

#define MAX_FRAMES 4
#define LIMIT      (2u * 256u - 1u) /* as the default: all handles of the frames but one */
#define BATCH      64

static struct lam_gnttab_map_grant_ref ops[BATCH];
static uint32_t handles[LIMIT + BATCH];
static uint64_t bus_addr; /* what a device mapping of our page reports */

static void check_frames(uint64_t *frames)
{
    struct lam_gnttab_query_size qs = {.dom = LAM_DOMID_SELF, .status = 99};
    mm_expect_rc("query_size", hypercall_grant_table_op(LAM_GNTTABOP_query_size, &qs, 1), 0);
    lam_printf("query_size: nr_frames %u max %u\n", qs.nr_frames, qs.max_nr_frames);
    mm_expect(qs.max_nr_frames == MAX_FRAMES, "max_nr_frames is gnttab_max_frames");
    struct lam_gnttab_setup_table st = {.dom = LAM_DOMID_SELF,
                                        .nr_frames = MAX_FRAMES + 1,
                                        .frame_list = (uint64_t)frames,
                                        .status = 99};
    mm_expect_rc("setup_table(5)", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("one frame past the limit", st.status, LAM_GNTST_general_error);
    st.nr_frames = MAX_FRAMES;
    st.status = 99;
    mm_expect_rc("setup_table(4)", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("up to the limit", st.status, LAM_GNTST_okay);
}

/* Read-only device mappings of reference 8 (no PTE needed) until the table is full. */
static unsigned int fill_maptrack(int16_t *last)
{
    unsigned int mapped = 0;
    *last = LAM_GNTST_okay;
    /* One reference takes at most 128 pins per kind: spread over references 8.. */
    for (unsigned int n = 0; n < LIMIT + BATCH && *last == LAM_GNTST_okay; n += BATCH) {
        for (unsigned int i = 0; i < BATCH; i++)
            ops[i] = (struct lam_gnttab_map_grant_ref){.flags = LAM_GNTMAP_device_map |
                                                                LAM_GNTMAP_readonly,
                                                       .ref = 8 + (n + i) / 128,
                                                       .dom = 0,
                                                       .status = 99};
        mm_expect_rc("map batch", hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, ops, BATCH),
                     0);
        for (unsigned int i = 0; i < BATCH; i++) {
            if (ops[i].status == LAM_GNTST_okay) {
                handles[mapped++] = ops[i].handle;
                bus_addr = ops[i].dev_bus_addr;
            } else if (*last == LAM_GNTST_okay)
                *last = ops[i].status;
        }
    }
    return mapped;
}

static void unmap_all(unsigned int mapped)
{
    unsigned int bad = 0;
    for (unsigned int i = 0; i < mapped; i++) {
        struct lam_gnttab_unmap_grant_ref u = {
            .dev_bus_addr = bus_addr, .handle = handles[i], .status = 99};
        hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1);
        bad += u.status != LAM_GNTST_okay;
    }
    mm_expect(bad == 0, "every mapping unmaps");
}

void test_main(void)
{
    mm_init();
    struct mm_tree tree;
    uint64_t *page = mm_alloc_page();
    uint64_t frames[MAX_FRAMES + 1] = {0};
    if (!page || mm_tree_build(&tree, 302)) {
        lam_error("setup failed");
        return;
    }
    struct lam_gnttab_query_size qs = {.dom = LAM_DOMID_SELF, .status = 99};
    mm_expect_rc("query_size", hypercall_grant_table_op(LAM_GNTTABOP_query_size, &qs, 1), 0);
    mm_expect(qs.nr_frames == 1, "a domain starts with one grant frame");
    check_frames(frames);
    mm_expect_rc("map table frame 0",
                 mm_update(mm_tab_ma(tree.l1, 0), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    struct lam_grant_entry_v1 *gt = (void *)tree.base;
    for (unsigned int r = 8; r < 16; r++) {
        gt[r].domid = 0;
        gt[r].frame = (uint32_t)mm_va_to_mfn(page);
        __atomic_store_n(&gt[r].flags, LAM_GTF_permit_access | LAM_GTF_readonly, __ATOMIC_RELEASE);
    }
    int16_t last;
    unsigned int mapped = fill_maptrack(&last);
    mm_expect(bus_addr == mm_va_to_ma(page), "dev_bus_addr is the page's machine address");
    lam_printf("mapped %u before status %d\n", mapped, last);
    mm_expect_rc("the table runs out with no_space", last, LAM_GNTST_no_space);
    mm_expect(mapped == LIMIT, "2 maptrack frames hold 2*256-1 mappings");
    unmap_all(mapped);
    mapped = fill_maptrack(&last);
    mm_expect(mapped == LIMIT, "after unmapping, the same number fits again");
    unmap_all(mapped);
    for (unsigned int r = 8; r < 16; r++)
        mm_expect(gt[r].flags == (LAM_GTF_permit_access | LAM_GTF_readonly), "no busy bits left");
    for (unsigned int r = 8; r < 16; r++)
        gt[r].flags = 0;
    mm_expect_rc("unmap table frame 0", mm_update(mm_tab_ma(tree.l1, 0), 0), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
