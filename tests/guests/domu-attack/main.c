/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0 outlives a hostile domU. The <attack>-2dom tests boot an attack kernel
 * (the same one that runs as dom0 on both hypervisors) as the boot-time domU
 * d1, unprivileged, beside this kernel as dom0. The domU reports its own
 * result; this kernel reports whether the host survived it:
 *  - d1 shuts down on its own with reason poweroff (it finished its attacks;
 *    a domU the hypervisor crashed, or that crashed itself, is a failure), or, for an
 *    attack the hypervisor answers with a domain crash, with reason crash,
 *  - dom0 keeps running meanwhile (this kernel gets to its result at all),
 *  - destroydomain(d1) succeeds and the domain is then reaped (-ESRCH): every
 *    frame it held came back, so nothing it did left a frame pinned, typed or
 *    referenced behind the hypervisor's back.
 * The hypervisor's frame audit of d1 at its shutdown must balance too
 * (lamina-log-expect of each test).
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "dom0 outlives a hostile domU";

/* How d1 must end: powered off by itself, unless the test (<test>_CFLAGS) says the attack is
 * one the hypervisor answers by crashing the domain. */
#ifndef DOMU_SHUTDOWN_REASON
#define DOMU_SHUTDOWN_REASON LAM_SHUTDOWN_poweroff
#endif

#define PEER  1
#define TRIES 4000000 /* yields while d1 runs: it may take a while */
#define REAP  100000  /* yields after the destroy: reaping is at the next exit to a guest */

static struct lam_domctl op;

void test_main(void)
{
    uint32_t flags = 0;
    long rc = 0;
    for (int i = 0; i < TRIES && !(flags & LAM_DOMINF_shutdown); i++) {
        rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER);
        if (rc)
            break;
        flags = op.u.getdomaininfo.flags;
        if (!(flags & LAM_DOMINF_shutdown))
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect_rc("getdomaininfo(d1) while it runs", rc, 0);
    unsigned int reason = (flags >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask;
    lam_printf("d1: flags 0x%x, shutdown reason %u, %lu pages\n", flags, reason,
               (unsigned long)op.u.getdomaininfo.tot_pages);
    mm_expect(flags & LAM_DOMINF_shutdown, "d1 shut down");
    lam_printf("d1: expected shutdown reason %u\n", (unsigned int)DOMU_SHUTDOWN_REASON);
    mm_expect(reason == DOMU_SHUTDOWN_REASON, DOMU_SHUTDOWN_REASON == LAM_SHUTDOWN_poweroff
                                                  ? "d1 powered off (it was not crashed)"
                                                  : "d1 was crashed, as it asked for");

    mm_expect_rc("destroydomain(d1)", lam_domctl(&op, LAM_DOMCTL_destroydomain, PEER), 0);
    rc = 0;
    for (int i = 0; i < REAP && rc == 0; i++) {
        rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER);
        if (rc == 0)
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    if (rc == 0)
        lam_printf("d1 still there: flags 0x%x, %lu pages\n", op.u.getdomaininfo.flags,
                   (unsigned long)op.u.getdomaininfo.tot_pages);
    mm_expect_rc("d1 reaped: getdomaininfo(d1)", rc, -LAM_ESRCH);
    mm_expect(hypercall_xen_version(0, NULL) > 0, "dom0 still gets hypercalls answered");
}
