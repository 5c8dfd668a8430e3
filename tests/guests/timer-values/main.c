/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-supplied time values at their extremes: every interface that takes a
 * period, a deadline or a timeout from a guest is handed 0, ~0, values with bit 63 set, values
 * just above and below Xen's STIME_DELTA_MAX (2^62 - 1 ns) and deadlines in the past. Each
 * answer, and when the timer fires, must be Xen 4.17's:
 *  - VCPUOP_set_periodic_timer: below 1 ms or above STIME_DELTA_MAX -EINVAL (~0 used to wrap
 *    now + period into the past, and the timer re-armed itself forever with interrupts off);
 *  - set_timer_op: a deadline negative as a signed time, or 2^50 ns or more ahead, fires in
 *    100 ms; a past one at once;
 *  - VCPUOP_set_singleshot_timer: a deadline with bit 63 set is in the past and fires at once
 *    (also with VCPU_SSHOTTMR_future, which Xen 4.17 ignores); INT64_MAX does not fire;
 *  - SCHEDOP_poll: a timeout with bit 63 set has passed (returns at once); INT64_MAX waits;
 *  - platform_op settime64/settime32 (dom0): any nsecs and secs are taken (mbz is the only
 *    check), the wall clock is the sum modulo 2^64; an unprivileged domain gets -EPERM.
 * Boots as dom0 on both hypervisors, and on Lamina also as a boot-time domU (timer-values-domu)
 * while dom0 checks that the host survived.
 */
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/platform.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "lam.h"

const char lam_test_title[] = "guest time values at their extremes";

#define MS              1000000ull
#define STIME_DELTA_MAX ((uint64_t)INT64_MAX >> 1)
#define NEVER           (~0ull) /* wait_virq: the timer did not fire */

static uint32_t port;

static long poll_until(uint64_t timeout)
{
    struct lam_sched_poll p = {
        .ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1, .timeout = timeout};
    return hypercall_sched_op(LAM_SCHEDOP_poll, &p);
}

/* Wait up to max_ns (a poll timeout, not the one-shot timer) for VIRQ_TIMER: how long it took,
 * or NEVER. The event is cleared either way. */
static uint64_t wait_virq(uint64_t max_ns)
{
    uint64_t start = lam_pvclock_ns();
    poll_until(start + max_ns);
    uint64_t took = lam_pvclock_ns() - start;
    int fired = lam_evtchn_pending(port);
    lam_evtchn_clear(port);
    return fired ? took : NEVER;
}

static void expect_at_once(const char *what, uint64_t took)
{
    LAM_CHECK(took != NEVER && took < 50 * MS, "%s: fires at once (%ld ns)", what, (long)took);
}

static void expect_in_100ms(const char *what, uint64_t took)
{
    LAM_CHECK(took != NEVER && took >= 80 * MS && took < 2000 * MS,
              "%s: fires in about 100 ms, as Xen (%ld ns)", what, (long)took);
}

static void expect_quiet(const char *what)
{
    uint64_t took = wait_virq(30 * MS);
    LAM_CHECK(took == NEVER, "%s: does not fire (fired after %lu ns)", what, (unsigned long)took);
}

static long set_periodic(uint64_t period)
{
    struct lam_vcpu_set_periodic_timer p = {.period_ns = period};
    return hypercall_vcpu_op(LAM_VCPUOP_set_periodic_timer, 0, &p);
}

static long set_singleshot(uint64_t deadline, uint32_t flags)
{
    struct lam_vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline, .flags = flags};
    return hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, 0, &t);
}

static void periodic_periods(void)
{
    static const struct {
        uint64_t period;
        long rc;
    } cases[] = {
        {0, -LAM_EINVAL},
        {MS - 1, -LAM_EINVAL},
        {~0ull, -LAM_EINVAL},
        {1ull << 63, -LAM_EINVAL},
        {(uint64_t)INT64_MAX, -LAM_EINVAL},
        {STIME_DELTA_MAX + 1, -LAM_EINVAL},
        {STIME_DELTA_MAX, 0},
    };
    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long rc = set_periodic(cases[i].period);
        LAM_CHECK(rc == cases[i].rc, "set_periodic_timer(0x%lx): %ld, want %ld",
                  (unsigned long)cases[i].period, rc, cases[i].rc);
    }
    /* The longest period is accepted and does not tick now. */
    lam_evtchn_clear(port);
    expect_quiet("periodic timer of STIME_DELTA_MAX");
    /* The timer still works: 1 ms ticks. */
    LAM_CHECK(set_periodic(MS) == 0, "set_periodic_timer(1 ms)");
    LAM_CHECK(wait_virq(2000 * MS) != NEVER, "the 1 ms periodic timer ticks");
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL) == 0,
              "stop_periodic_timer");
    for (int i = 0; i < 3; i++) /* a tick already on its way */
        wait_virq(5 * MS);
}

static void set_timer_op_deadlines(void)
{
    uint64_t now = lam_pvclock_ns();
    LAM_CHECK(hypercall_set_timer_op(~0ull) == 0, "set_timer_op(~0)");
    expect_in_100ms("set_timer_op(~0)", wait_virq(2000 * MS));
    LAM_CHECK(hypercall_set_timer_op(1ull << 63) == 0, "set_timer_op(1 << 63)");
    expect_in_100ms("set_timer_op(1 << 63)", wait_virq(2000 * MS));
    LAM_CHECK(hypercall_set_timer_op((uint64_t)INT64_MAX) == 0, "set_timer_op(INT64_MAX)");
    expect_in_100ms("set_timer_op(INT64_MAX)", wait_virq(2000 * MS));
    /* 2^50 ahead of the hypervisor's now, which is a little later than ours: add a second. */
    now = lam_pvclock_ns();
    LAM_CHECK(hypercall_set_timer_op(now + (1ull << 50) + 1000 * MS) == 0,
              "set_timer_op(now + 2^50 + 1 s)");
    expect_in_100ms("set_timer_op(now + 2^50 + 1 s)", wait_virq(2000 * MS));
    /* Just under 2^50 ahead: a real (13-day) deadline, it does not fire now. */
    now = lam_pvclock_ns();
    LAM_CHECK(hypercall_set_timer_op(now + (1ull << 50) - 1000 * MS) == 0,
              "set_timer_op(now + 2^50 - 1 s)");
    expect_quiet("set_timer_op(now + 2^50 - 1 s)");
    LAM_CHECK(hypercall_set_timer_op(0) == 0, "set_timer_op(0) cancels");
    /* Past deadlines fire at once: 1 ns after boot, and a millisecond ago. */
    LAM_CHECK(hypercall_set_timer_op(1) == 0, "set_timer_op(1)");
    expect_at_once("set_timer_op(1)", wait_virq(2000 * MS));
    LAM_CHECK(hypercall_set_timer_op(lam_pvclock_ns() - MS) == 0, "set_timer_op(now - 1 ms)");
    expect_at_once("set_timer_op(now - 1 ms)", wait_virq(2000 * MS));
}

static void singleshot_deadlines(void)
{
    static const uint64_t negative[] = {~0ull, 1ull << 63, (1ull << 63) + 12345};
    for (unsigned int i = 0; i < 3; i++)
        for (uint32_t flags = 0; flags <= LAM_VCPU_SSHOTTMR_future;
             flags += LAM_VCPU_SSHOTTMR_future) {
            long rc = set_singleshot(negative[i], flags);
            LAM_CHECK(rc == 0, "set_singleshot_timer(0x%lx, flags %u): %ld",
                      (unsigned long)negative[i], flags, rc);
            char what[64];
            lam_snprintf(what, sizeof(what), "singleshot 0x%lx flags %u",
                         (unsigned long)negative[i], flags);
            expect_at_once(what, wait_virq(2000 * MS));
        }
    LAM_CHECK(set_singleshot((uint64_t)INT64_MAX, 0) == 0, "set_singleshot_timer(INT64_MAX)");
    expect_quiet("singleshot at INT64_MAX");
    LAM_CHECK(set_singleshot(lam_pvclock_ns() + STIME_DELTA_MAX, LAM_VCPU_SSHOTTMR_future) == 0,
              "set_singleshot_timer(now + STIME_DELTA_MAX, future)");
    expect_quiet("singleshot at now + STIME_DELTA_MAX");
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_stop_singleshot_timer, 0, NULL) == 0,
              "stop_singleshot_timer");
    LAM_CHECK(set_singleshot(lam_pvclock_ns() + 2 * MS, 0) == 0, "a 2 ms one-shot after them");
    LAM_CHECK(wait_virq(2000 * MS) != NEVER, "... fires");
}

/* Poll with a timeout; the one-shot timer, on the polled port, is the guard. */
static uint64_t poll_took(uint64_t timeout, uint64_t guard_ns)
{
    uint64_t start = lam_pvclock_ns();
    set_singleshot(start + guard_ns, 0);
    long rc = poll_until(timeout);
    uint64_t took = lam_pvclock_ns() - start;
    LAM_CHECK(rc == 0, "poll(timeout 0x%lx): %ld", (unsigned long)timeout, rc);
    hypercall_vcpu_op(LAM_VCPUOP_stop_singleshot_timer, 0, NULL);
    lam_evtchn_clear(port);
    return took;
}

static void poll_timeouts(void)
{
    static const uint64_t past[] = {~0ull, 1ull << 63, 1};
    for (unsigned int i = 0; i < 3; i++) {
        uint64_t took = poll_took(past[i], 2000 * MS);
        LAM_CHECK(took < 50 * MS, "poll(timeout 0x%lx) returns at once (%lu ns)",
                  (unsigned long)past[i], (unsigned long)took);
    }
    uint64_t took = poll_took((uint64_t)INT64_MAX, 20 * MS);
    LAM_CHECK(took >= 19 * MS, "poll(timeout INT64_MAX) waits for the event (%lu ns)",
              (unsigned long)took);
}

static long settime64(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    struct lam_platform_op op = {.cmd = LAM_XENPF_settime64,
                                 .interface_version = LAM_PLATFORM_INTERFACE_VERSION};
    op.u.settime64 =
        (struct lam_xenpf_settime64){.secs = secs, .nsecs = nsecs, .system_time = system_time};
    return hypercall_platform_op(&op);
}

static uint64_t wallclock_at_zero_ns(void)
{
    const volatile struct lam_shared_info *s = lam_shared_info;
    uint32_t v;
    uint64_t ns;
    do {
        v = __atomic_load_n(&s->wc_version, __ATOMIC_ACQUIRE);
        ns = (((uint64_t)s->wc_sec_hi << 32) | s->wc_sec) * 1000000000ull + s->wc_nsec;
    } while ((v & 1) || v != __atomic_load_n(&s->wc_version, __ATOMIC_ACQUIRE));
    return ns;
}

static void wallclock_setters(void)
{
    int privileged = (lam_start_info->flags & LAM_SIF_PRIVILEGED) != 0;
    uint64_t orig = wallclock_at_zero_ns();
    uint64_t orig_sec = orig / 1000000000ull;
    uint32_t orig_nsec = (uint32_t)(orig % 1000000000ull);
    if (!privileged) {
        long rc = settime64(orig_sec, orig_nsec, 0);
        LAM_CHECK(rc == -LAM_EPERM, "settime64 from an unprivileged domain: %ld", rc);
        return;
    }
    /* nsecs beyond a second is simply added in, as on Xen. */
    uint64_t t = lam_pvclock_ns();
    long rc = settime64(orig_sec + 5, 1999999999u, t);
    LAM_CHECK(rc == 0, "settime64 with nsecs 1999999999: %ld", rc);
    uint64_t want = (orig_sec + 5) * 1000000000ull + 1999999999u - t;
    uint64_t got = wallclock_at_zero_ns();
    LAM_CHECK(got / 1000000000ull == want / 1000000000ull, "wall clock seconds %lu, want %lu",
              (unsigned long)(got / 1000000000ull), (unsigned long)(want / 1000000000ull));
    /* A wrapping sum is taken as it is (only the wall-clock fields see it). */
    rc = settime64(~0ull, ~0u, ~0ull);
    LAM_CHECK(rc == 0, "settime64(~0, ~0, ~0): %ld", rc);
    struct lam_platform_op op = {.cmd = LAM_XENPF_settime32,
                                 .interface_version = LAM_PLATFORM_INTERFACE_VERSION};
    op.u.settime32 = (struct lam_xenpf_settime32){.secs = ~0u, .nsecs = ~0u, .system_time = ~0ull};
    rc = hypercall_platform_op(&op);
    LAM_CHECK(rc == 0, "settime32(~0, ~0, ~0): %ld", rc);
    rc = settime64(orig_sec, orig_nsec, 0);
    LAM_CHECK(rc == 0 && wallclock_at_zero_ns() == orig, "the wall clock is put back (%ld)", rc);
}

void test_main(void)
{
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    LAM_CHECK(rc == 0, "bind VIRQ_TIMER: %ld", rc);
    if (rc)
        return;
    port = bv.port;
    lam_evtchn_mask(port);
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL) == 0,
              "stop the periodic timer");
    for (int i = 0; i < 3; i++)
        wait_virq(20 * MS);

    periodic_periods();
    set_timer_op_deadlines();
    singleshot_deadlines();
    poll_timeouts();
    wallclock_setters();
    /* Still alive and keeping time: a last 5 ms timer. An event of the cases above may still
     * be on its way when the host is loaded (seen once on Xen): let it land first. */
    for (int i = 0; i < 2; i++)
        wait_virq(20 * MS);
    LAM_CHECK(hypercall_set_timer_op(lam_pvclock_ns() + 5 * MS) == 0, "a last 5 ms timer");
    uint64_t took = wait_virq(2000 * MS);
    LAM_CHECK(took != NEVER && took >= 4 * MS, "... fires on time (%ld ns)", (long)took);
}
