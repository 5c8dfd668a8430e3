/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SCHEDOP_poll on a masked port that never fires, with a timeout just ahead (0.1 to 50 us):
 * every call must return once the timeout has passed. If the timer is armed before the vCPU
 * is marked blocked, it can fire in between (interrupts are on during hypercalls), find
 * nothing to wake, and the vCPU then blocks for good: the poll never returns. Xen 4.17 marks
 * the vCPU blocked before it arms the timer.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "lam.h"

const char lam_test_title[] = "poll with timeouts a few microseconds ahead returns";

#define ROUNDS 20000

void test_main(void)
{
    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    lam_evtchn_mask(au.port);
    uint32_t port = au.port;
    unsigned int early = 0;
    uint64_t t0 = lam_pvclock_ns();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        uint64_t ahead = 100 + (i * 997) % 50000; /* 0.1 .. 50 us */
        uint64_t deadline = lam_pvclock_ns() + ahead;
        struct lam_sched_poll p = {.ports = (uintptr_t)&port, .nr_ports = 1, .timeout = deadline};
        long rc = hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        if (rc != 0) {
            lam_fail("poll %u returned %ld", i, rc);
            return;
        }
        if (lam_pvclock_ns() < deadline)
            early++;
    }
    lam_printf("%u polls returned in %lu ms, %u before their timeout\n", ROUNDS,
               (unsigned long)((lam_pvclock_ns() - t0) / 1000000), early);
    LAM_CHECK(early == 0, "%u polls returned before their timeout", early);
}
