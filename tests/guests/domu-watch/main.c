/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0 for attack tests that a boot-time domU makes: the domU kernel tries its
 * attack and reports its own result line; this kernel waits (sleeping in poll, so the domU
 * gets the CPU) until every domU has shut down, at most 120 s of system time, and then checks
 * that the host still works for dom0: a 5 ms timer fires on time, an event channel to itself
 * delivers. A host the domU hung or crashed never lets it print its result. Built as each
 * "<attack>-domu" test (<test>_DIR := domu-watch) with the attack kernel in domu-modules.
 */
#include <lamina/domctl.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "domctl_util.h"
#include "lam.h"

const char lam_test_title[] = "dom0 watching boot-time domUs that attack the hypervisor";

#define MS        1000000ull
#define MAX_DOMUS 8

static uint32_t timer_port;

static void sleep_ms(uint64_t ms)
{
    uint64_t until = lam_pvclock_ns() + ms * MS;
    while (lam_pvclock_ns() < until) {
        struct lam_sched_poll p = {
            .ports = (uint64_t)(uintptr_t)&timer_port, .nr_ports = 1, .timeout = until};
        hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        lam_evtchn_clear(timer_port);
    }
}

/* The domUs that exist (ids 1..MAX_DOMUS) and how many of them have shut down. */
static unsigned int count_domus(unsigned int *down)
{
    struct lam_domctl op;
    unsigned int n = 0;
    *down = 0;
    for (uint16_t id = 1; id <= MAX_DOMUS; id++) {
        if (lam_domctl(&op, LAM_DOMCTL_getdomaininfo, id) || op.domain != id)
            continue;
        n++;
        uint32_t f = op.u.getdomaininfo.flags;
        if (f & LAM_DOMINF_shutdown) {
            (*down)++;
            unsigned int why = (f >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask;
            LAM_CHECK(why == LAM_SHUTDOWN_poweroff, "d%u shut down with reason %u", id, why);
        }
    }
    return n;
}

void test_main(void)
{
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv) == 0, "bind VIRQ_TIMER");
    timer_port = bv.port;
    lam_evtchn_mask(timer_port);

    unsigned int n, down;
    uint64_t start = lam_pvclock_ns();
    while ((n = count_domus(&down)) == 0 || down < n) {
        if (lam_pvclock_ns() - start > 120000 * MS)
            break;
        sleep_ms(20);
    }
    lam_printf("domu-watch: %u domU(s), %u shut down after %lu ms\n", n, down,
               (unsigned long)((lam_pvclock_ns() - start) / MS));
    LAM_CHECK(n > 0, "no domU found");
    LAM_CHECK(down == n, "only %u of %u domU(s) shut down", down, n);

    /* The host still serves dom0: a one-shot timer on time, an event to itself. */
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);
    sleep_ms(30);
    uint64_t t0 = lam_pvclock_ns();
    LAM_CHECK(hypercall_set_timer_op(t0 + 5 * MS) == 0, "set_timer_op");
    struct lam_sched_poll p = {
        .ports = (uint64_t)(uintptr_t)&timer_port, .nr_ports = 1, .timeout = t0 + 2000 * MS};
    hypercall_sched_op(LAM_SCHEDOP_poll, &p);
    uint64_t took = lam_pvclock_ns() - t0;
    LAM_CHECK(lam_evtchn_pending(timer_port) && took >= 5 * MS && took < 1000 * MS,
              "dom0's 5 ms timer fired after %lu ns", (unsigned long)took);
    lam_evtchn_clear(timer_port);
    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    struct lam_evtchn_bind_interdomain bi = {.remote_dom = LAM_DOMID_SELF, .remote_port = au.port};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &bi) == 0,
              "bind_interdomain to ourselves");
    lam_evtchn_mask(au.port);
    lam_evtchn_clear(au.port);
    struct lam_evtchn_port_arg s = {.port = bi.local_port};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_send, &s) == 0 && lam_evtchn_pending(au.port),
              "an event to ourselves is delivered");
}
