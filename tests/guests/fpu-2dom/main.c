/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FPU/SSE state isolation between two domains (Lamina only): dom0 and a
 * boot-time domU (fpu-peer) each hold their own XMM0-15 and MXCSR pattern and
 * yield to each other; each checks its registers after every switch back. dom0
 * reads the domU's counts through the page it shares (lib/sched_util.h).
 */
#include <lamina/sched.h>

#include "sched_util.h"
#include "sse_util.h"

const char lam_test_title[] = "FPU/SSE state isolation between two domains";

#define ROUNDS   300
#define MY_SEED  0x3c
#define MY_MXCSR (0x1f80 | 0x2000) /* round down */

void test_main(void)
{
    struct mm_tree tree;
    uint32_t handle;
    volatile struct sched_peer_page *peer;
    if (sched_attach_peers(&tree, 1, &peer, &handle))
        return;
    lam_sse_load(MY_SEED, MY_MXCSR);
    int bad = 0, rounds = 0;
    uint64_t give_up = sched_pvclock_ns() + 20000000000ull;
    while (peer->fpu_rounds < ROUNDS && sched_pvclock_ns() < give_up) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        if (!lam_sse_check(MY_SEED, MY_MXCSR)) {
            bad++;
            lam_sse_load(MY_SEED, MY_MXCSR);
        }
        rounds++;
    }
    lam_printf("dom0: %d checks, %d bad; d1: %lu checks, %lu bad\n", rounds, bad,
               (unsigned long)peer->fpu_rounds, (unsigned long)peer->fpu_bad);
    LAM_CHECK(peer->fpu_rounds >= ROUNDS, "d1 checked %lu times", (unsigned long)peer->fpu_rounds);
    LAM_CHECK(!bad, "dom0's SSE state changed %d times", bad);
    LAM_CHECK(!peer->fpu_bad, "d1's SSE state changed %lu times", (unsigned long)peer->fpu_bad);
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
