/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU half of dom-destroy-busy: builds a big page-table tree, then pins
 * and unpins it for ever, so that whenever dom0 destroys it, the domain is
 * likely in the middle of a long (preempted, continued) validation or
 * teardown. It counts its rounds in its console ring page (granted to dom0
 * as reference 0), so dom0 can wait until it is busy.
 */
#include <lamina/sched.h>

#include "big_tree.h"
#include "mm_util.h"

const char lam_test_title[] = "dom-destroy-busy peer (domU)";

static struct big_tree tree;

void test_main(void)
{
    mm_init();
    volatile uint64_t *ring = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    uint64_t *data = mm_alloc_page();
    if (!ring || !data || big_tree_build(&tree, data)) {
        lam_error("setup failed");
        return;
    }
    for (uint64_t round = 1;; round++) {
        if (mm_ext(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn) ||
            mm_ext(LAM_MMUEXT_UNPIN_TABLE, tree.l4_mfn)) {
            lam_fail("pin/unpin round %lu failed", (unsigned long)round);
            return;
        }
        __atomic_store_n(&ring[0], round, __ATOMIC_RELEASE);
    }
}
