/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does a domU's timer storm starve dom0? On one CPU the domU (timer-storm-peer, 32 vCPUs)
 * has four vCPUs each arming a one-shot timer 1 us ahead and blocking until it fires, over
 * and over, and 28 offline vCPUs with 1 ms periodic timers. dom0 counts how far a fixed
 * busy loop gets in 500 ms windows, alternately with the domU paused and running: with
 * equal weights dom0's fair share is half the CPU. The timer interrupts are taken in
 * whatever runs, and each wake-up may preempt the running vCPU. The check is on the
 * scheduler's own account, dom0's runstate: in the windows beside the storm dom0 must have
 * run at least a third of the time (median of five pairs). How much work dom0 got done in
 * that time (its busy-loop rounds against the solo window) is printed, not checked: under
 * QEMU's TCG the storm's 1 us timers also cost the emulator's own timer thread host CPU,
 * and on a loaded build host that comes out of the emulated CPU's speed in those windows
 * only (CI once saw the rounds ratio at 14-46% with dom0 still given its share), so it
 * measures the host as much as us; make bench is where speed is compared. The figures are
 * printed for docs/security/xsave-timers.md.
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

/* Our vCPU's time in the running state so far (ns), the current stint included. */
static uint64_t dom0_running_ns(void)
{
    struct lam_vcpu_runstate_info rs;
    if (hypercall_vcpu_op(LAM_VCPUOP_get_runstate_info, 0, &rs))
        return 0;
    uint64_t t = rs.time[LAM_RUNSTATE_running];
    if (rs.state == LAM_RUNSTATE_running)
        t += sched_pvclock_ns() - rs.state_entry_time;
    return t;
}

/* Busy-loop rounds in one window of system time; *ran = how long we ran in it (ns). */
static uint64_t rounds_in_window(uint64_t *ran)
{
    uint64_t n = 0, start = sched_pvclock_ns(), run0 = dom0_running_ns();
    uint64_t end = start + WINDOW_NS, now;
    while ((now = sched_pvclock_ns()) < end) {
        for (volatile int i = 0; i < 200; i++)
            ;
        n++;
    }
    *ran = (dom0_running_ns() - run0) * 100 / (now - start);
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
    uint64_t pct[WINDOWS], share[WINDOWS], storms = 0;
    for (int i = 0; i < WINDOWS; i++) {
        uint64_t ran_solo, ran_shared;
        mm_expect_rc("pause the domU", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
        uint64_t solo = rounds_in_window(&ran_solo);
        mm_expect_rc("unpause the domU", lam_domctl(&op, LAM_DOMCTL_unpausedomain, PEER), 0);
        uint64_t peer0 = peer->spins;
        uint64_t shared = rounds_in_window(&ran_shared);
        uint64_t s = peer->spins - peer0;
        storms += s;
        pct[i] = solo ? shared * 100 / solo : 0;
        share[i] = ran_shared;
        lam_printf("pair %d: dom0 ran %lu%% of the solo window, %lu%% beside the storm; %lu "
                   "rounds alone, %lu beside it (%lu%%); domU %lu timer rounds\n",
                   i, (unsigned long)ran_solo, (unsigned long)ran_shared, (unsigned long)solo,
                   (unsigned long)shared, (unsigned long)pct[i], (unsigned long)s);
    }
    mm_expect_rc("pause the domU again", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    uint64_t median = sched_median(pct, WINDOWS), median_share = sched_median(share, WINDOWS);
    lam_printf("dom0 ran %lu%% of the time beside the storm and kept %lu%% of its rate (medians); "
               "the domU made %lu timer rounds\n",
               (unsigned long)median_share, (unsigned long)median, (unsigned long)storms);
    LAM_CHECK(storms > 1000, "the domU stormed (%lu timer rounds)", (unsigned long)storms);
    LAM_CHECK(median_share >= 33, "dom0 ran at least a third of the time beside the storm (%lu%%)",
              (unsigned long)median_share);
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
