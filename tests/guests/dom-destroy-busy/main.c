/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destroying a domain in the middle of long page-table work: the domU
 * (churn-peer) pins and unpins a 70-table tree for ever, so its pins and
 * unpins are often preempted and continued. dom0 watches its round counter,
 * then destroys it at an arbitrary moment. Whatever state the tables were in
 * (validated, partial, a deferred teardown), everything must be released:
 * the domain must be gone at once (nobody else maps its memory), and the
 * hypervisor's log must not report tables left typed (checked by the runner
 * through the frame audit and by this test through getdomaininfo).
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "destroying a domain in the middle of preempted page-table work";

#define PEER 1

static struct lam_domctl op;

static uint64_t peer_rounds(volatile uint64_t *ring)
{
    return __atomic_load_n(&ring[0], __ATOMIC_ACQUIRE);
}

void test_main(void)
{
    mm_init();
    struct mm_tree tree;
    mm_expect_rc("build a tree for the mapping", mm_tree_build(&tree, 302), 0);
    struct lam_gnttab_map_grant_ref m = {.status = 1};
    for (int i = 0; i < 200000 && m.status != LAM_GNTST_okay; i++) {
        m = (struct lam_gnttab_map_grant_ref){.host_addr = tree.base,
                                              .flags = LAM_GNTMAP_host_map | LAM_GNTMAP_readonly,
                                              .ref = 0,
                                              .dom = PEER};
        hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1);
        if (m.status != LAM_GNTST_okay)
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect(m.status == LAM_GNTST_okay, "map the peer's ring page read-only");
    if (m.status != LAM_GNTST_okay)
        return;
    volatile uint64_t *ring = (volatile uint64_t *)tree.base;
    /* Let it get going: a few rounds, then destroy it while it works. */
    for (int i = 0; i < 2000000 && peer_rounds(ring) < 3; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    uint64_t before = peer_rounds(ring);
    lam_printf("peer completed %lu pin/unpin rounds\n", (unsigned long)before);
    mm_expect(before >= 3, "the peer is pinning and unpinning");
    mm_expect_rc("getdomaininfo(d1)", lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER), 0);
    mm_expect(!(op.u.getdomaininfo.flags & LAM_DOMINF_shutdown), "it has not stopped by itself");

    mm_expect_rc("destroydomain(d1) while it works",
                 lam_domctl(&op, LAM_DOMCTL_destroydomain, PEER), 0);
    mm_expect_rc("getdomaininfo(d1)", lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER), 0);
    lam_printf("d1 after destroy: flags 0x%x tot_pages %lu\n", op.u.getdomaininfo.flags,
               (unsigned long)op.u.getdomaininfo.tot_pages);
    mm_expect(op.u.getdomaininfo.tot_pages == 1, "only the ring page we map is left");
    uint64_t after = peer_rounds(ring);
    hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    mm_expect(peer_rounds(ring) == after, "the peer runs no more");

    struct lam_gnttab_unmap_grant_ref u = {.host_addr = tree.base, .handle = m.handle};
    mm_expect_rc("unmap", hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1), 0);
    mm_expect(u.status == LAM_GNTST_okay, "unmap status okay");
    mm_expect_rc("d1 is gone", lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER), -LAM_ESRCH);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
