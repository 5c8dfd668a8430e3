/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hc-fuzz-domu: the hypercall fuzzer (hc-fuzz) as an unprivileged boot-time domU, d1, with
 * this kernel as dom0 watching the host survive it (docs/security/hcfuzz.md). A domU
 * has a different attack surface from dom0: every privileged path must refuse it, and
 * what it does must not reach dom0.
 *
 * dom0 waits for d1 to shut down (getdomaininfo every 50 ms, wait=SECONDS on the command
 * line, default 150), printing a line every 5 s; it must have powered off (the fuzzer
 * finishing its calls), not crashed. Then dom0 destroys d1 and waits until it is gone
 * (getdomaininfo no longer lists it: every frame it had is back in the heap), and checks
 * that its own services still work (a loopback event channel, xen_version). The runner
 * checks d1's own result line and Lamina's frame audit of d1 (test.mk).
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/version.h>

#include "domctl_util.h"

const char lam_test_title[] = "the hypercall fuzzer as an unprivileged domU; dom0 watches";

#define FUZZ_DOMID 1

static struct lam_domctl op;

static unsigned int parse_wait(void)
{
    const char *s = strstr((const char *)lam_start_info->cmd_line, "wait=");
    unsigned int v = 0;
    if (!s)
        return 150;
    for (s += 5; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (unsigned int)(*s - '0');
    return v ? v : 150;
}

/* Sleep about ms milliseconds (poll with a deadline on no port). */
static void sleep_ms(uint64_t ms)
{
    struct lam_sched_poll p = {
        .ports = 0, .nr_ports = 0, .timeout = lam_pvclock_ns() + ms * 1000000};
    hypercall_sched_op(LAM_SCHEDOP_poll, &p);
}

/* d1's flags, or -1 if getdomaininfo does not list it any more. */
static long fuzz_domain_flags(void)
{
    long rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, FUZZ_DOMID);
    if (rc == -LAM_ESRCH || (rc == 0 && op.u.getdomaininfo.domain != FUZZ_DOMID))
        return -1;
    if (rc)
        lam_panic("getdomaininfo(d%u): %ld", FUZZ_DOMID, rc);
    return op.u.getdomaininfo.flags;
}

static void check_host_works(void)
{
    long v = hypercall_xen_version(LAM_XENVER_version, NULL);
    LAM_CHECK(v > 0, "xen_version after the fuzzer: %ld", v);
    struct lam_evtchn_alloc_unbound a = {.dom = LAM_DOMID_SELF, .remote_dom = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &a);
    struct lam_evtchn_bind_interdomain b = {.remote_dom = 0, .remote_port = a.port};
    long rc2 = rc ? rc : hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b);
    struct lam_evtchn_port_arg s = {.port = b.local_port};
    lam_evtchn_mask(a.port);
    long rc3 = rc2 ? rc2 : hypercall_event_channel_op(LAM_EVTCHNOP_send, &s);
    lam_printf("mon: loopback channel %u -> %u: alloc %ld bind %ld send %ld, pending %d\n",
               b.local_port, a.port, rc, rc2, rc3, lam_evtchn_pending(a.port));
    LAM_CHECK(rc == 0 && rc2 == 0 && rc3 == 0 && lam_evtchn_pending(a.port),
              "a loopback event channel works after the fuzzer");
}

void test_main(void)
{
    unsigned int wait_s = parse_wait();
    uint64_t start = lam_pvclock_ns(), next_line = start;
    long flags = 0;
    for (;;) {
        flags = fuzz_domain_flags();
        if (flags < 0 || (flags & LAM_DOMINF_shutdown))
            break;
        uint64_t now = lam_pvclock_ns();
        if (now >= next_line) {
            lam_printf("mon: d%u running, %lu s\n", FUZZ_DOMID,
                       (unsigned long)((now - start) / 1000000000));
            next_line = now + 5000000000ull;
        }
        if (now - start > (uint64_t)wait_s * 1000000000ull) {
            lam_fail("d%u still running after %u s", FUZZ_DOMID, wait_s);
            break;
        }
        sleep_ms(50);
    }
    if (flags < 0) {
        lam_fail("d%u is gone before dom0 destroyed it", FUZZ_DOMID);
        return;
    }
    unsigned int reason =
        (unsigned int)(flags >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask;
    lam_printf("mon: d%u shut down (reason %u) after %lu ms, %lu pages\n", FUZZ_DOMID, reason,
               (unsigned long)((lam_pvclock_ns() - start) / 1000000),
               (unsigned long)op.u.getdomaininfo.tot_pages);
    LAM_CHECK(!(flags & LAM_DOMINF_shutdown) || reason == LAM_SHUTDOWN_poweroff,
              "d%u shut down with reason %u, not poweroff (the fuzzer crashed it?)", FUZZ_DOMID,
              reason);

    long rc = lam_domctl(&op, LAM_DOMCTL_destroydomain, FUZZ_DOMID);
    LAM_CHECK(rc == 0, "destroydomain(d%u): %ld", FUZZ_DOMID, rc);
    uint64_t t0 = lam_pvclock_ns();
    while (fuzz_domain_flags() >= 0 && lam_pvclock_ns() - t0 < 10000000000ull)
        sleep_ms(10);
    LAM_CHECK(fuzz_domain_flags() < 0,
              "d%u still listed 10 s after destroydomain (frames still referenced?)", FUZZ_DOMID);
    lam_printf("mon: d%u gone %lu ms after destroydomain\n", FUZZ_DOMID,
               (unsigned long)((lam_pvclock_ns() - t0) / 1000000));
    check_host_works();
}
