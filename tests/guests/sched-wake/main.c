/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A spinning domain cannot starve a blocked one: dom0 blocks (SCHEDOP_poll, no
 * timeout but a safety net) on an interdomain port whose other end belongs to
 * a CPU-bound boot-time domU (sched-spin). The domU notifies every 20 ms and
 * stamps the pvclock time of each send in the page it shares with dom0; dom0
 * must be running again soon after each send (it woke from blocking: the
 * scheduler's boost): median within 4 ms, worst within 15 ms, over a batch of 20
 * (up to 5 batches, as a loaded host delays QEMU at random).
 * Latencies are printed.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "sched_util.h"

const char lam_test_title[] = "a blocked domain woken by an event runs at once beside a spinner";

#define ROUNDS  20
#define BATCHES 5
/* As sched-timer: a median and a worst case far below what waiting for the spinner's 30 ms
 * slice would give, with room for a loaded host delaying QEMU itself. */
#define MAX_MEDIAN_NS  4000000ull
#define MAX_LATENCY_NS 15000000ull

void test_main(void)
{
    struct mm_tree tree;
    uint32_t handle;
    volatile struct sched_peer_page *peer;
    if (sched_attach_peers(&tree, 1, &peer, &handle))
        return;

    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = 1};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au);
    LAM_CHECK(rc == 0, "alloc_unbound for d1: %ld", rc);
    if (lam_status() != LAM_SUCCESS)
        return;
    uint32_t port = au.port;
    lam_evtchn_mask(port);
    peer->period_ns = 20000000ull;
    peer->port = port;

    /* Batches of ROUNDS wake-ups until one meets both limits (at most BATCHES): a loaded
     * host delays QEMU at random, a scheduler that lets the spinner finish its slice is
     * late in every batch. */
    uint64_t last_sent = 0;
    int good_batch = -1, total = 0;
    for (int b = 0; b < BATCHES && good_batch < 0; b++) {
        uint64_t worst = 0, lats[ROUNDS];
        int got = 0;
        uint64_t give_up = sched_pvclock_ns() + 5000000000ull;
        while (got < ROUNDS && sched_pvclock_ns() < give_up) {
            struct lam_sched_poll p = {
                .ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1, .timeout = give_up};
            while (!lam_evtchn_pending(port) && sched_pvclock_ns() < give_up)
                hypercall_sched_op(LAM_SCHEDOP_poll, &p);
            uint64_t woke = sched_pvclock_ns();
            lam_evtchn_clear(port);
            uint64_t sent = peer->sent_ns;
            /* The first notification follows the bind (which also raises our port). */
            if (!sent || sent == last_sent)
                continue;
            last_sent = sent;
            uint64_t lat = woke > sent ? woke - sent : 0;
            lats[got++] = lat;
            if (lat > worst)
                worst = lat;
        }
        total += got;
        uint64_t median = sched_median(lats, got);
        lam_printf("batch %d: %d wake-ups, latency median %lu us, worst %lu us\n", b, got,
                   (unsigned long)(median / 1000), (unsigned long)(worst / 1000));
        if (got < ROUNDS)
            break; /* notifications stopped waking us: fails below */
        if (median <= MAX_MEDIAN_NS && worst <= MAX_LATENCY_NS)
            good_batch = b;
    }
    lam_printf("domU sent %lu notifications, %d woke us\n", (unsigned long)peer->nr_sent, total);
    LAM_CHECK(total % ROUNDS == 0 && total > 0, "a batch ended with %d wake-ups", total % ROUNDS);
    LAM_CHECK(good_batch >= 0,
              "no batch of %d wake-ups had median latency <= %lu us and worst <= %lu us", ROUNDS,
              (unsigned long)(MAX_MEDIAN_NS / 1000), (unsigned long)(MAX_LATENCY_NS / 1000));
    peer->period_ns = 0;
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
