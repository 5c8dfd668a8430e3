/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * poll-deadline: SCHEDOP_poll with a deadline microseconds away returns at the deadline.
 *
 * Found by the hypercall fuzzer (docs/security/hcfuzz.md): Lamina armed the poll's timer
 * before marking the vCPU blocked, so a deadline that passed in between (the timer
 * interrupt came first) woke a vCPU that was still running, which did nothing, and the
 * poll then slept until something else woke it -- for good, if nothing did.
 *
 * Each of 3000 polls waits on a masked VIRQ_TIMER port with a deadline 0-100 us ahead; a
 * one-shot timer 2 s ahead is the safety net that ends an overslept poll (it raises the
 * port). A poll that returns more than 1 s after it began overslept its deadline: a lost
 * wake-up sleeps until the net, while a loaded host that deschedules QEMU across a deadline
 * delays a correct poll by tens of milliseconds (Xen 4.17 at load 10: up to 90 ms), so the
 * margin keeps host noise out. The first overslept poll ends the test (it cost 2 s).
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "lam.h"

const char lam_test_title[] = "poll with a deadline that passes while it blocks returns";

#define ROUNDS       3000
#define NET_NS       2000000000ull /* the safety net: 2 s */
#define OVERSLEPT_NS 1000000000ull

void test_main(void)
{
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    if (rc) {
        lam_error("bind_virq(VIRQ_TIMER): %ld", rc);
        return;
    }
    uint32_t port = bv.port;
    lam_evtchn_mask(port);
    /* No periodic VIRQ_TIMER (Xen starts every vCPU with one): its events on this port
     * every 10 ms would wake an overslept poll long before the net does. */
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);

    unsigned int overslept = 0, errors = 0;
    uint64_t worst = 0;
    for (unsigned int i = 0; i < ROUNDS; i++) {
        uint64_t start = lam_pvclock_ns();
        struct lam_vcpu_set_singleshot_timer net = {.timeout_abs_ns = start + NET_NS};
        hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, 0, &net);
        struct lam_sched_poll p = {
            .ports = (uint64_t)&port, .nr_ports = 1, .timeout = start + (i * 37) % 100000};
        rc = hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        uint64_t took = lam_pvclock_ns() - start;
        hypercall_vcpu_op(LAM_VCPUOP_stop_singleshot_timer, 0, NULL);
        lam_evtchn_clear(port);
        if (rc)
            errors++;
        if (took > worst)
            worst = took;
        if (took > OVERSLEPT_NS) {
            overslept++;
            lam_printf("poll-deadline: poll %u (deadline %lu ns ahead) slept %lu us\n", i,
                       (unsigned long)p.timeout - (unsigned long)start,
                       (unsigned long)(took / 1000));
            break;
        }
    }
    lam_printf("poll-deadline: %u polls, %u overslept (> 1 s), %u errors, longest %lu us\n", ROUNDS,
               overslept, errors, (unsigned long)(worst / 1000));
    LAM_CHECK(errors == 0, "%u polls returned an error", errors);
    LAM_CHECK(overslept == 0, "a poll with a deadline 0-100 us ahead slept until the 2 s net");
}
