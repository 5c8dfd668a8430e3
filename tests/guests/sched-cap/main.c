/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Caps: d1 (cap=25) and d2 (no cap) both spin. dom0 sleeps 1 s five times and
 * reads their runstate areas: at the median d1 must have run 15-35% of a window
 * (its cap is 25% of the CPU; without the cap it would get half), d2 must have
 * had most of the rest.
 */
#include "sched_util.h"

const char lam_test_title[] = "a 25% cap holds while another domain spins";

#define WINDOW_NS (1000000000ull)
#define WINDOWS   5

void test_main(void)
{
    struct mm_tree tree;
    volatile struct sched_peer_page *peer[2];
    uint32_t handle[2];
    if (sched_attach_peers(&tree, 2, peer, handle))
        return;
    /* WINDOWS windows; the median share counts (a host stall lands on whoever runs). */
    sched_sleep_until(sched_pvclock_ns() + 100000000ull);
    uint64_t pct[2][WINDOWS];
    for (int w = 0; w < WINDOWS; w++) {
        uint64_t t0 = sched_pvclock_ns();
        uint64_t r0[2] = {sched_peer_running_ns(peer[0]), sched_peer_running_ns(peer[1])};
        sched_sleep_until(t0 + WINDOW_NS);
        uint64_t window = sched_pvclock_ns() - t0;
        for (int i = 0; i < 2; i++)
            pct[i][w] = (sched_peer_running_ns(peer[i]) - r0[i]) * 100 / window;
        lam_printf("window %lu ms: d1 (cap 25) ran %lu%%, d2 (no cap) ran %lu%%\n",
                   (unsigned long)(window / 1000000), (unsigned long)pct[0][w],
                   (unsigned long)pct[1][w]);
    }
    unsigned long m1 = (unsigned long)sched_median(pct[0], WINDOWS);
    unsigned long m2 = (unsigned long)sched_median(pct[1], WINDOWS);
    lam_printf("median: d1 %lu%%, d2 %lu%%\n", m1, m2);
    LAM_CHECK(m1 >= 15 && m1 <= 35, "d1 ran %lu%% of the CPU, not about its 25%% cap", m1);
    LAM_CHECK(m2 >= 55, "d2 ran only %lu%% of the CPU beside a capped domain", m2);
    for (int i = 0; i < 2; i++)
        mm_expect_rc("unmap", sched_unmap_peer(tree.base + (uint64_t)i * LAM_PAGE_SIZE, handle[i]),
                     0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
