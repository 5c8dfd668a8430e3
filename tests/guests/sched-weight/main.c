/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Proportional share: two CPU-bound boot-time domUs (sched-spin) with weights
 * 256 (d1) and 512 (d2). dom0 maps the page each shares with it, sleeps 1 s
 * five times (blocked, so only the two compete), and compares the running time
 * each one's runstate area gained: the median d2/d1 must be 1.6-2.4, and
 * together they must have used most of the time.
 */
#include "sched_util.h"

const char lam_test_title[] = "weights 256:512 share the CPU 1:2";

#define WINDOW_NS (1000000000ull)
#define WINDOWS   5

void test_main(void)
{
    struct mm_tree tree;
    volatile struct sched_peer_page *peer[2];
    uint32_t handle[2];
    if (sched_attach_peers(&tree, 2, peer, handle))
        return;
    /* Let both settle into the schedule, then measure WINDOWS windows: the median ratio
     * counts (a stall of the host while one of them runs lands on its running time). */
    sched_sleep_until(sched_pvclock_ns() + 100000000ull);
    uint64_t ratios[WINDOWS], total_ran = 0, total_window = 0;
    for (int w = 0; w < WINDOWS; w++) {
        uint64_t t0 = sched_pvclock_ns();
        uint64_t r0[2] = {sched_peer_running_ns(peer[0]), sched_peer_running_ns(peer[1])};
        sched_sleep_until(t0 + WINDOW_NS);
        uint64_t window = sched_pvclock_ns() - t0;
        uint64_t ran[2] = {sched_peer_running_ns(peer[0]) - r0[0],
                           sched_peer_running_ns(peer[1]) - r0[1]};
        ratios[w] = ran[0] ? ran[1] * 100 / ran[0] : 100000;
        total_ran += ran[0] + ran[1];
        total_window += window;
        lam_printf("window %lu ms: d1 (weight 256) ran %lu ms, d2 (weight 512) ran %lu ms, "
                   "ratio %lu.%02lu\n",
                   (unsigned long)(window / 1000000), (unsigned long)(ran[0] / 1000000),
                   (unsigned long)(ran[1] / 1000000), (unsigned long)(ratios[w] / 100),
                   (unsigned long)(ratios[w] % 100));
    }
    unsigned long ratio100 = (unsigned long)sched_median(ratios, WINDOWS);
    lam_printf("median ratio d2/d1 = %lu.%02lu (want 1.60-2.40)\n", ratio100 / 100, ratio100 % 100);
    LAM_CHECK(ratio100 >= 160 && ratio100 <= 240,
              "median d2/d1 running time %lu.%02lu is not about 2", ratio100 / 100, ratio100 % 100);
    LAM_CHECK(total_ran * 10 >= total_window * 8,
              "the two spinners used under 80%% of the time (%lu of %lu ms)",
              (unsigned long)(total_ran / 1000000), (unsigned long)(total_window / 1000000));
    for (int i = 0; i < 2; i++)
        mm_expect_rc("unmap", sched_unmap_peer(tree.base + (uint64_t)i * LAM_PAGE_SIZE, handle[i]),
                     0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
