/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exhausting the maptrack table: read-only device mappings (no PTE needed)
 * of many self-granted references until map_grant_ref answers
 * GNTST_no_space (-13) after 1024 * 256 - 1 mappings (Xen 4.17's default
 * limit, also Lamina's). A reference takes at most 128 pins per kind
 * before Xen refuses it (general_error), so the mappings spread over enough
 * references. Then everything is unmapped and the busy bits must be gone.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "grant tables: maptrack exhaustion and recovery";

#define SELF      0
#define NR_FRAMES 5                   /* 2560 references */
#define PER_REF   128                 /* pins per reference kind */
#define LIMIT     (1024u * 256u - 1u) /* expected handles */
#define BATCH     128

static struct lam_gnttab_map_grant_ref ops[BATCH];
static struct lam_gnttab_unmap_grant_ref uops[BATCH];
static uint32_t handles[LIMIT + 16];

void test_main(void)
{
    mm_init();
    struct mm_tree tree;
    uint64_t *page = mm_alloc_page();
    if (!page || mm_tree_build(&tree, 302)) {
        lam_error("setup failed");
        return;
    }
    uint64_t frames[NR_FRAMES] = {0};
    struct lam_gnttab_setup_table st = {.dom = LAM_DOMID_SELF,
                                        .nr_frames = NR_FRAMES,
                                        .frame_list = (uint64_t)frames,
                                        .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("setup_table status", st.status, LAM_GNTST_okay);
    for (unsigned int f = 0; f < NR_FRAMES; f++)
        mm_expect_rc("map a table frame",
                     mm_update(mm_tab_ma(tree.l1, f), (frames[f] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
                     0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    struct lam_grant_entry_v1 *gt = (void *)tree.base;
    uint64_t mfn = mm_va_to_mfn(page);
    unsigned int nr_refs = NR_FRAMES * 512 - 8;
    for (unsigned int r = 8; r < NR_FRAMES * 512; r++) {
        gt[r].domid = SELF;
        gt[r].frame = (uint32_t)mfn;
        __atomic_store_n(&gt[r].flags, LAM_GTF_permit_access | LAM_GTF_readonly, __ATOMIC_RELEASE);
    }

    unsigned int mapped = 0, other = 0;
    int16_t last = 0;
    for (unsigned int n = 0; n < nr_refs * PER_REF && last == 0; n += BATCH) {
        for (unsigned int i = 0; i < BATCH; i++) {
            unsigned int k = n + i;
            ops[i] = (struct lam_gnttab_map_grant_ref){.flags = LAM_GNTMAP_device_map |
                                                                LAM_GNTMAP_readonly,
                                                       .ref = 8 + k / PER_REF,
                                                       .dom = SELF,
                                                       .status = 99};
        }
        long rc = hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, ops, BATCH);
        if (rc != 0) {
            lam_fail("map batch returned %ld", rc);
            break;
        }
        for (unsigned int i = 0; i < BATCH; i++) {
            if (ops[i].status == LAM_GNTST_okay && mapped < LIMIT + 16)
                handles[mapped++] = ops[i].handle;
            else if (ops[i].status != LAM_GNTST_okay) {
                if (ops[i].status != LAM_GNTST_no_space)
                    other++;
                last = ops[i].status;
            }
        }
    }
    lam_printf("mapped %u before status %d (%u other errors)\n", mapped, last, other);
    mm_expect_rc("mapping stops with no_space", last, LAM_GNTST_no_space);
    mm_expect(other == 0, "no other map errors");
    mm_expect(mapped == LIMIT, "maptrack holds 1024*256-1 mappings");
    mm_expect(gt[8].flags == (LAM_GTF_permit_access | LAM_GTF_readonly | LAM_GTF_reading),
              "mapped reference shows GTF_reading");

    unsigned int bad = 0;
    for (unsigned int i = 0; i < mapped; i += BATCH) {
        unsigned int c = mapped - i < BATCH ? mapped - i : BATCH;
        for (unsigned int j = 0; j < c; j++)
            uops[j] = (struct lam_gnttab_unmap_grant_ref){
                .dev_bus_addr = mfn << LAM_PAGE_SHIFT, .handle = handles[i + j], .status = 99};
        long rc = hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, uops, c);
        if (rc != 0) {
            lam_fail("unmap batch returned %ld", rc);
            break;
        }
        for (unsigned int j = 0; j < c; j++)
            bad += uops[j].status != LAM_GNTST_okay;
    }
    mm_expect(bad == 0, "every mapping unmapped");
    unsigned int busy = 0;
    for (unsigned int r = 8; r < NR_FRAMES * 512; r++)
        busy += (gt[r].flags & (LAM_GTF_reading | LAM_GTF_writing)) != 0;
    mm_expect(busy == 0, "no busy bits left after unmapping everything");
    uint32_t h = 0;
    ops[0] = (struct lam_gnttab_map_grant_ref){
        .flags = LAM_GNTMAP_device_map | LAM_GNTMAP_readonly, .ref = 8, .dom = SELF};
    hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, ops, 1);
    h = ops[0].handle;
    mm_expect_rc("map works again after the unmaps", ops[0].status, LAM_GNTST_okay);
    uops[0] =
        (struct lam_gnttab_unmap_grant_ref){.dev_bus_addr = mfn << LAM_PAGE_SHIFT, .handle = h};
    hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, uops, 1);
    mm_expect_rc("and unmaps", uops[0].status, LAM_GNTST_okay);
    for (unsigned int f = 0; f < NR_FRAMES; f++)
        mm_update(mm_tab_ma(tree.l1, f), 0);
    mm_expect_rc("tree teardown", mm_tree_destroy(&tree), 0);
}
