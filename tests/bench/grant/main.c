/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant-table benchmark: map+unmap of one granted page (host
 * mapping by virtual address) and a 4 KiB grant copy (grant -> frame), each
 * timed with rdtsc over 2000 operations, 5 rounds, median. The domain grants
 * the page to itself, so the same kernel runs on Xen 4.17 and on Lamina.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "grant table benchmark";

#define TREE_SLOT 303
#define OPS       2000
#define ROUNDS    5

static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab;

static void sort(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

static uint64_t bench_map_unmap(uint64_t va)
{
    uint64_t t0 = lam_rdtsc();
    for (int i = 0; i < OPS; i++) {
        struct lam_gnttab_map_grant_ref m = {
            .host_addr = va, .flags = LAM_GNTMAP_host_map, .ref = 8, .dom = 0};
        hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1);
        if (m.status != LAM_GNTST_okay)
            return 0;
        struct lam_gnttab_unmap_grant_ref u = {.host_addr = va, .handle = m.handle};
        hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1);
        if (u.status != LAM_GNTST_okay)
            return 0;
    }
    return (lam_rdtsc() - t0) / OPS;
}

static uint64_t bench_copy(uint64_t dst_mfn)
{
    uint64_t t0 = lam_rdtsc();
    for (int i = 0; i < OPS; i++) {
        struct lam_gnttab_copy c = {
            .source = {.u.ref = 8, .domid = 0, .offset = 0},
            .dest = {.u.gmfn = dst_mfn, .domid = LAM_DOMID_SELF, .offset = 0},
            .len = 4096,
            .flags = LAM_GNTCOPY_source_gref};
        hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1);
        if (c.status != LAM_GNTST_okay)
            return 0;
    }
    return (lam_rdtsc() - t0) / OPS;
}

void test_main(void)
{
    mm_init();
    mm_expect_rc("tree", mm_tree_build(&tree, TREE_SLOT), 0);
    /* Our grant table frame 0, mapped at tree VA 0. */
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)(uintptr_t)frames};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1);
    mm_expect(rc == 0 && st.status == LAM_GNTST_okay, "setup_table");
    mm_expect_rc("map the grant table frame",
                 hypercall_update_va_mapping(
                     tree.base, (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, LAM_UVMF_INVLPG),
                 0);
    gtab = (volatile struct lam_grant_entry_v1 *)tree.base;
    uint64_t *src = mm_alloc_page(), *dst = mm_alloc_page();
    for (int i = 0; i < 512; i++)
        src[i] = 0x4772616e74ULL + (uint64_t)i;
    gtab[8].domid = 0;
    gtab[8].frame = (uint32_t)mm_va_to_mfn(src);
    __atomic_store_n(&gtab[8].flags, LAM_GTF_permit_access, __ATOMIC_RELEASE);

    uint64_t map[ROUNDS], copy[ROUNDS];
    uint64_t va = tree.base + LAM_PAGE_SIZE;
    for (int r = 0; r < ROUNDS; r++) {
        map[r] = bench_map_unmap(va);
        copy[r] = bench_copy(mm_va_to_mfn(dst));
    }
    mm_expect(map[0] && copy[0], "every operation succeeded");
    mm_expect(dst[511] == src[511], "the copy arrived");
    sort(map, ROUNDS);
    sort(copy, ROUNDS);
    lam_printf("bench: grant map+unmap x %d, %d rounds: median %lu cycles/op\n", OPS, ROUNDS,
               (unsigned long)map[ROUNDS / 2]);
    lam_printf("bench: grant copy 4096 bytes x %d, %d rounds: median %lu cycles/op\n", OPS, ROUNDS,
               (unsigned long)copy[ROUNDS / 2]);
    __atomic_store_n(&gtab[8].flags, 0, __ATOMIC_RELEASE);
    mm_update(mm_tab_ma(tree.l1, 0), 0);
    mm_expect_rc("tree down", mm_tree_destroy(&tree), 0);
}
