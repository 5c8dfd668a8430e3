/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does a domU's timer storm starve dom0? On one CPU the domU (timer-storm-peer, 32 vCPUs)
 * has four vCPUs each arming a one-shot timer 1 us ahead and blocking until it fires, over
 * and over, and 28 offline vCPUs with 1 ms periodic timers. dom0 counts how far a fixed
 * busy loop gets in 500 ms windows, alternately with the domU paused and running: with
 * equal weights dom0's fair share is half the CPU. The timer interrupts are taken in
 * whatever runs, and each wake-up may preempt the running vCPU, so the check is that dom0
 * keeps at least a third of its solo rate (median of five pairs) while the domU keeps
 * storming. The figures are printed for docs/security/xsave-timers.md.
 */
#include <lamina/domctl.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "sched_util.h"

const char lam_test_title[] = "a domU's timer storm does not starve dom0";

#define PEER      1
#define WINDOW_NS 500000000ull
#define WINDOWS   5

static struct lam_domctl op;

/* Busy-loop rounds in one window of system time. */
static uint64_t rounds_in_window(void)
{
    uint64_t n = 0, end = sched_pvclock_ns() + WINDOW_NS;
    while (sched_pvclock_ns() < end) {
        for (volatile int i = 0; i < 200; i++)
            ;
        n++;
    }
    return n;
}

void test_main(void)
{
    struct mm_tree tree;
    uint32_t handle;
    volatile struct sched_peer_page *peer;
    if (sched_attach_peers(&tree, 1, &peer, &handle))
        return;
    /* No timers of our own: the busy loop is all we do. */
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);
    /* Alternate the two cases, a window each, so that a change in the host's load hits
     * both; the ratio of each pair, in percent, and their median. */
    uint64_t pct[WINDOWS], storms = 0;
    for (int i = 0; i < WINDOWS; i++) {
        mm_expect_rc("pause the domU", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
        uint64_t solo = rounds_in_window();
        mm_expect_rc("unpause the domU", lam_domctl(&op, LAM_DOMCTL_unpausedomain, PEER), 0);
        uint64_t peer0 = peer->spins;
        uint64_t shared = rounds_in_window();
        uint64_t s = peer->spins - peer0;
        storms += s;
        pct[i] = solo ? shared * 100 / solo : 0;
        lam_printf("pair %d: dom0 %lu rounds alone, %lu beside the storm (%lu%%); domU %lu "
                   "timer rounds\n",
                   i, (unsigned long)solo, (unsigned long)shared, (unsigned long)pct[i],
                   (unsigned long)s);
    }
    mm_expect_rc("pause the domU again", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    uint64_t median = sched_median(pct, WINDOWS);
    lam_printf("dom0 keeps %lu%% of its rate beside the storm (median); the domU made %lu timer "
               "rounds\n",
               (unsigned long)median, (unsigned long)storms);
    LAM_CHECK(storms > 1000, "the domU stormed (%lu timer rounds)", (unsigned long)storms);
    LAM_CHECK(median >= 33, "dom0 keeps at least a third of its rate (%lu%%)",
              (unsigned long)median);
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
