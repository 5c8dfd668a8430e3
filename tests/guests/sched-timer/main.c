/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Timer accuracy under load: while a boot-time domU (sched-spin) spins, dom0
 * sets a 10 ms one-shot timer (VCPUOP_set_singleshot_timer) and blocks in
 * SCHEDOP_poll on its masked VIRQ_TIMER port, in batches of 20. Each wake-up must come
 * no earlier than the deadline, the median at most 4 ms and the worst at most
 * 15 ms after it (far below the spinner's 30 ms slice) in at least one of up to 5
 * batches (a loaded host delays QEMU at random; see below); the spinner must
 * have run in between (so the timer really fired against a busy CPU).
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "sched_util.h"

const char lam_test_title[] = "a 10 ms timer fires on time while another domain spins";

#define ROUNDS    20
#define BATCHES   5
#define PERIOD_NS 10000000ull
/* A timer that waited for the spinner's 30 ms slice would be ~15 ms late at the median; under a
 * loaded host (make test runs two QEMUs beside other work) QEMU itself is 1-2 ms late. */
#define MAX_MEDIAN_NS 4000000ull
#define MAX_LATE_NS   15000000ull

void test_main(void)
{
    struct mm_tree tree;
    uint32_t handle;
    volatile struct sched_peer_page *peer;
    if (sched_attach_peers(&tree, 1, &peer, &handle))
        return;

    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    LAM_CHECK(rc == 0, "bind VIRQ_TIMER: %ld", rc);
    if (lam_status() != LAM_SUCCESS)
        return;
    uint32_t port = bv.port;
    lam_evtchn_mask(port);
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);
    sched_sleep_until(sched_pvclock_ns() + 30000000ull); /* a periodic tick in flight passes */
    lam_evtchn_clear(port);

    /* Batches of ROUNDS timers until one meets both limits (at most BATCHES): a loaded
     * host delays QEMU itself at random, a hypervisor that lets timers wait for the
     * spinner's slice is late in every batch. Missed or early timers fail at once. */
    int early = 0, missed = 0, good_batch = -1;
    uint64_t spins0 = peer->spins;
    for (int b = 0; b < BATCHES && good_batch < 0 && !early && !missed; b++) {
        uint64_t worst = 0, lates[ROUNDS];
        int nlate = 0;
        for (int i = 0; i < ROUNDS; i++) {
            uint64_t deadline = sched_pvclock_ns() + PERIOD_NS;
            struct lam_vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline};
            hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, 0, &t);
            while (!lam_evtchn_pending(port) && sched_pvclock_ns() < deadline + 1000000000ull) {
                struct lam_sched_poll p = {.ports = (uint64_t)(uintptr_t)&port,
                                           .nr_ports = 1,
                                           .timeout = deadline + 1000000000ull};
                hypercall_sched_op(LAM_SCHEDOP_poll, &p);
            }
            uint64_t woke = sched_pvclock_ns();
            if (!lam_evtchn_pending(port)) {
                missed++;
                continue;
            }
            lam_evtchn_clear(port);
            if (woke < deadline) {
                early++;
                continue;
            }
            lates[nlate++] = woke - deadline;
            if (woke - deadline > worst)
                worst = woke - deadline;
        }
        uint64_t median = sched_median(lates, nlate);
        lam_printf("batch %d: %d timers, lateness median %lu us, worst %lu us\n", b, nlate,
                   (unsigned long)(median / 1000), (unsigned long)(worst / 1000));
        if (nlate == ROUNDS && median <= MAX_MEDIAN_NS && worst <= MAX_LATE_NS)
            good_batch = b;
    }
    uint64_t spun = peer->spins - spins0;
    lam_printf("spinner loops meanwhile %lu\n", (unsigned long)spun);
    LAM_CHECK(!missed, "%d timers never fired", missed);
    LAM_CHECK(!early, "%d timers woke us before their deadline", early);
    LAM_CHECK(good_batch >= 0,
              "no batch of %d timers had median lateness <= %lu us and worst <= %lu us", ROUNDS,
              (unsigned long)(MAX_MEDIAN_NS / 1000), (unsigned long)(MAX_LATE_NS / 1000));
    LAM_CHECK(spun > 0, "the spinner ran while we waited");
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
