/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU half of evtchn-2dom: bind dom0's port (the first one dom0 allocates
 * for us is port 1, as ports are handed out lowest first), then answer every
 * notification until dom0 closes its end.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "lam.h"

const char lam_test_title[] = "evtchn-2dom peer (domU)";

void test_main(void)
{
    struct lam_evtchn_bind_interdomain b = {.remote_dom = 0, .remote_port = 1};
    long rc = -1;
    for (int i = 0; i < 200000 && rc; i++) {
        rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b);
        if (rc)
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    LAM_CHECK(rc == 0, "bind dom0's port 1: %ld", rc);
    if (rc)
        return;
    uint32_t port = b.local_port;
    lam_evtchn_mask(port);
    lam_evtchn_clear(port);
    int answered = 0;
    for (;;) {
        struct lam_sched_poll p = {.ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1};
        while (!lam_evtchn_pending(port))
            hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        lam_evtchn_clear(port);
        struct lam_evtchn_port_arg s = {.port = port};
        if (hypercall_event_channel_op(LAM_EVTCHNOP_send, &s))
            break;
        if (++answered == 1000)
            break;
    }
    lam_printf("peer answered %d notifications\n", answered);
}
