/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EVTCHNOP_reset of another domain (the XSA-343 class: a reset racing the owner's own
 * event-channel calls). dom0 gives the boot-time domU d1 (idle-peer, running) a port
 * bound to one of dom0's, then resets d1's table: Xen 4.17 refuses that (-EINVAL) while
 * d1 runs, and does it once dom0 has paused d1 (pausedomain): d1's port is closed and
 * dom0's end is unbound again. reset_cont of d1 then answers -EBUSY (no reset under
 * way), and reset_cont of a missing domain -ESRCH.
 */
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include "domctl_util.h"

const char lam_test_title[] = "EVTCHNOP_reset of another domain: only while it is paused";

#define PEER 1

static long op(int cmd, void *arg)
{
    return hypercall_event_channel_op(cmd, arg);
}

static uint32_t status_of(uint16_t dom, uint32_t port, struct lam_evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    long rc = op(LAM_EVTCHNOP_status, st);
    if (rc)
        lam_fail("status of d%u port %u: %ld", dom, port, rc);
    return st->status;
}

#define EXPECT(what, got, want)                                                                    \
    do {                                                                                           \
        long g_ = (got), w_ = (want);                                                              \
        if (g_ != w_)                                                                              \
            lam_fail("%s: got %ld, want %ld", what, g_, w_);                                       \
        else                                                                                       \
            lam_printf("ok: %s (%ld)\n", what, g_);                                                \
    } while (0)

void test_main(void)
{
    struct lam_domctl dc;
    struct lam_evtchn_status st;
    struct lam_evtchn_alloc_unbound au = {.dom = PEER, .remote_dom = 0};
    EXPECT("alloc_unbound in d1 for dom0", op(LAM_EVTCHNOP_alloc_unbound, &au), 0);
    struct lam_evtchn_bind_interdomain b = {.remote_dom = PEER, .remote_port = au.port};
    EXPECT("bind dom0 to it", op(LAM_EVTCHNOP_bind_interdomain, &b), 0);
    EXPECT("d1's port is interdomain", status_of(PEER, au.port, &st), LAM_EVTCHNSTAT_interdomain);

    struct lam_evtchn_reset r = {.dom = PEER};
    EXPECT("reset of the running d1", op(LAM_EVTCHNOP_reset, &r), -LAM_EINVAL);
    EXPECT("... d1's port still bound", status_of(PEER, au.port, &st), LAM_EVTCHNSTAT_interdomain);
    EXPECT("reset_cont of the running d1", op(LAM_EVTCHNOP_reset_cont, &r), -LAM_EINVAL);

    EXPECT("pause d1", lam_domctl(&dc, LAM_DOMCTL_pausedomain, PEER), 0);
    EXPECT("reset of the paused d1", op(LAM_EVTCHNOP_reset, &r), 0);
    EXPECT("... d1's port closed", status_of(PEER, au.port, &st), LAM_EVTCHNSTAT_closed);
    EXPECT("... dom0's end unbound", status_of(LAM_DOMID_SELF, b.local_port, &st),
           LAM_EVTCHNSTAT_unbound);
    EXPECT("... for d1", st.u.unbound.dom, PEER);
    EXPECT("reset_cont of the paused d1 (nothing to resume)", op(LAM_EVTCHNOP_reset_cont, &r),
           -LAM_EBUSY);
    EXPECT("unpause d1", lam_domctl(&dc, LAM_DOMCTL_unpausedomain, PEER), 0);
    EXPECT("reset of d1 running again", op(LAM_EVTCHNOP_reset, &r), -LAM_EINVAL);
    r.dom = 77;
    EXPECT("reset_cont of a missing domain", op(LAM_EVTCHNOP_reset_cont, &r), -LAM_ESRCH);
    EXPECT("close dom0's end", op(LAM_EVTCHNOP_close, &(struct lam_evtchn_port_arg){b.local_port}),
           0);
}
