/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU half of dom-destroy. It maps dom0's grant reference 10 read-write
 * and writes a pattern through it, allocates an event channel for dom0, leaves
 * the port number and a greeting in its console ring page (which its builder
 * granted to dom0 as reference 0), and shuts down while still holding the
 * mapping and the port: tearing those down is the hypervisor's job once dom0
 * destroys this domain.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "mm_util.h"

const char lam_test_title[] = "dom-destroy peer (domU)";

#define TREE_SLOT  302
#define DOM0_REF   10
#define HELLO      0x7065657220686921ULL
#define PEER_MAGIC 0x6d61707065642121ULL

void test_main(void)
{
    mm_init();
    volatile uint64_t *ring = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    LAM_CHECK(ring != NULL, "console ring page is in our initial mapping");
    struct mm_tree tree;
    long rc = mm_tree_build(&tree, TREE_SLOT);
    LAM_CHECK(rc == 0, "build a tree for the mapping: %ld", rc);
    if (!ring || rc)
        return;

    /* domctl is the control domain's alone. */
    struct lam_domctl dc = {.cmd = LAM_DOMCTL_destroydomain,
                            .interface_version = LAM_DOMCTL_INTERFACE_VERSION,
                            .domain = 0};
    rc = hypercall_domctl(&dc);
    LAM_CHECK(rc == -LAM_EPERM, "a domU's destroydomain(d0) is refused: %ld", rc);
    dc.cmd = LAM_DOMCTL_getdomaininfo;
    rc = hypercall_domctl(&dc);
    LAM_CHECK(rc == -LAM_EPERM, "a domU's getdomaininfo is refused: %ld", rc);

    /* dom0 grants its page some time after we start. */
    struct lam_gnttab_map_grant_ref op = {.status = 1};
    for (int i = 0; i < 200000 && op.status != LAM_GNTST_okay; i++) {
        op = (struct lam_gnttab_map_grant_ref){
            .host_addr = tree.base, .flags = LAM_GNTMAP_host_map, .ref = DOM0_REF, .dom = 0};
        if (hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1))
            break;
        if (op.status != LAM_GNTST_okay)
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    LAM_CHECK(op.status == LAM_GNTST_okay, "map dom0's reference %d: status %d", DOM0_REF,
              op.status);
    if (op.status != LAM_GNTST_okay)
        return;
    *(volatile uint64_t *)tree.base = PEER_MAGIC;

    struct lam_evtchn_alloc_unbound a = {.dom = LAM_DOMID_SELF, .remote_dom = 0};
    rc = hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &a);
    LAM_CHECK(rc == 0, "alloc_unbound for dom0: %ld", rc);
    ring[1] = a.port;
    __atomic_store_n(&ring[0], HELLO, __ATOMIC_RELEASE);
    /* Shut down holding the mapping and the port (the framework powers off). */
}
