/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables between two domains: a boot-time domU (gnt-peer) whose builder
 * granted its console ring page to dom0 as reference 0. dom0 maps it (by
 * virtual address), reads the peer's pattern, writes an answer the peer sees,
 * reads the peer's reply, and unmaps. Grant copies go both ways: from the
 * peer's reference into a dom0 frame and from a dom0 frame into it. Mapping the peer's reference 0
 * with the wrong domain id, its never-granted reference 5, and a read-write mapping of what the
 * peer did not grant are refused. Both domains' frame audits must stay balanced.
 */
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "mm_util.h"

const char lam_test_title[] = "grant tables across two domains";

#define TREE_SLOT 302
#define PEER      1
#define HELLO     0x706565722d313131ULL
#define ANSWER    0x646f6d302d323232ULL
#define BYE       0x706565722d333333ULL
#define COPIED    0x636f706965642121ULL

static int16_t map(uint64_t va, uint32_t flags, uint32_t ref, uint16_t dom, uint32_t *handle)
{
    struct lam_gnttab_map_grant_ref op = {
        .host_addr = va, .flags = flags, .ref = ref, .dom = dom, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1);
    mm_expect_rc("map_grant_ref hypercall", rc, 0);
    *handle = op.handle;
    return op.status;
}

static int16_t unmap(uint64_t va, uint32_t handle)
{
    struct lam_gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &op, 1);
    mm_expect_rc("unmap_grant_ref hypercall", rc, 0);
    return op.status;
}

static int16_t copy(struct lam_gnttab_copy_ptr src, struct lam_gnttab_copy_ptr dst, uint16_t flags)
{
    struct lam_gnttab_copy op = {
        .source = src, .dest = dst, .len = 8, .flags = flags, .status = 99};
    mm_expect_rc("copy hypercall", hypercall_grant_table_op(LAM_GNTTABOP_copy, &op, 1), 0);
    return op.status;
}

/* Copy the peer's pattern out of its granted page, and a value into it (slot 3). */
static void copy_both_ways(volatile uint64_t *mapped)
{
    uint64_t *local = mm_alloc_page();
    uint64_t mfn = mm_va_to_mfn(local);
    struct lam_gnttab_copy_ptr peer0 = {.u.ref = 0, .domid = PEER, .offset = 0};
    struct lam_gnttab_copy_ptr peer3 = {.u.ref = 0, .domid = PEER, .offset = 24};
    struct lam_gnttab_copy_ptr ours = {.u.gmfn = mfn, .domid = LAM_DOMID_SELF, .offset = 8};
    local[1] = 0;
    mm_expect_rc("copy the peer's grant -> our frame", copy(peer0, ours, LAM_GNTCOPY_source_gref),
                 LAM_GNTST_okay);
    mm_expect(local[1] == HELLO, "the copy brought the peer's pattern");
    local[1] = COPIED;
    mm_expect_rc("copy our frame -> the peer's grant", copy(ours, peer3, LAM_GNTCOPY_dest_gref),
                 LAM_GNTST_okay);
    mm_expect(mapped[3] == COPIED, "the copy landed in the peer's page");
    struct lam_gnttab_copy_ptr wrong = {.u.ref = 0, .domid = 2, .offset = 0};
    mm_expect(copy(wrong, ours, LAM_GNTCOPY_source_gref) == LAM_GNTST_bad_domain,
              "copy from a domain that does not exist is refused");
}

void test_main(void)
{
    struct mm_tree tree;
    mm_init();
    mm_expect_rc("build a tree for the mappings", mm_tree_build(&tree, TREE_SLOT), 0);
    uint64_t va = tree.base;
    uint32_t h = 0;

    /* The peer's grant is in place as soon as it is built; its pattern may lag. */
    int16_t st = map(va, LAM_GNTMAP_host_map, 0, PEER, &h);
    mm_expect(st == LAM_GNTST_okay, "map d1 reference 0 read-write");
    if (st != LAM_GNTST_okay)
        return;
    volatile uint64_t *page = (volatile uint64_t *)va;
    int hello = 0;
    for (int i = 0; i < 2000000 && !hello; i++) {
        if (page[0] == HELLO)
            hello = 1;
        else
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect(hello, "read the peer's pattern through the mapping");
    copy_both_ways(page);
    page[1] = ANSWER;
    int bye = 0;
    for (int i = 0; i < 2000000 && !bye; i++) {
        if (page[2] == BYE)
            bye = 1;
        else
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect(bye, "the peer saw our answer and replied");
    mm_expect(unmap(va, h) == LAM_GNTST_okay, "unmap");
    mm_expect(mm_try_write((volatile uint64_t *)va, 1) != 0, "the mapping is gone");

    uint32_t h2;
    mm_expect(map(va, LAM_GNTMAP_host_map, 0, 2, &h2) != LAM_GNTST_okay,
              "map with the wrong domain id is refused");
    mm_expect(map(va, LAM_GNTMAP_host_map, 5, PEER, &h2) != LAM_GNTST_okay,
              "map a reference the peer never granted is refused");
    mm_expect(map(va, LAM_GNTMAP_host_map, 100000, PEER, &h2) != LAM_GNTST_okay,
              "map an out-of-range reference is refused");
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
