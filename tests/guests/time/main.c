/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time and timers: the pvclock in vcpu_info advances and agrees with the
 * TSC; the wall clock is plausible; a one-shot timer (VCPUOP and set_timer_op)
 * raises VIRQ_TIMER no earlier than asked; SCHEDOP_poll on a masked port wakes
 * when the timer fires, and times out when nothing comes; stopping timers
 * works; the runstate area reports "running" with advancing time. The same
 * kernel runs on Xen 4.17.
 */
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "lam.h"

const char lam_test_title[] = "pvclock, wall clock, VIRQ_TIMER, poll timeouts, runstate";

static long poll_until(uint32_t port, uint64_t deadline)
{
    struct lam_sched_poll p = {
        .ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1, .timeout = deadline};
    return hypercall_sched_op(LAM_SCHEDOP_poll, &p);
}

static struct lam_vcpu_runstate_info runstate;

void test_main(void)
{
    uint64_t a = lam_pvclock_ns();
    for (volatile int i = 0; i < 100000; i++)
        ;
    uint64_t b = lam_pvclock_ns();
    LAM_CHECK(b > a, "pvclock advances (%lu -> %lu ns)", (unsigned long)a, (unsigned long)b);

    uint32_t wc = lam_shared_info->wc_sec;
    LAM_CHECK(wc > 1577836800u && wc < 4102444800u, "wall clock at boot is a 2020-2099 date (%u)",
              wc);

    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    LAM_CHECK(rc == 0, "bind VIRQ_TIMER: %ld", rc);
    if (rc)
        return;
    uint32_t port = bv.port;
    lam_evtchn_mask(port);
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL) == 0,
              "stop the periodic timer");
    for (int i = 0; i < 3; i++) { /* let a periodic tick already in flight pass */
        poll_until(port, lam_pvclock_ns() + 20000000);
        lam_evtchn_clear(port);
    }

    /* One-shot through VCPUOP: fires, not before its time, and poll wakes for it. */
    uint64_t start = lam_pvclock_ns(), when = start + 5000000;
    struct lam_vcpu_set_singleshot_timer st = {.timeout_abs_ns = when};
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, 0, &st) == 0,
              "set a 5 ms one-shot timer");
    rc = poll_until(port, start + 2000000000ull);
    uint64_t woke = lam_pvclock_ns();
    LAM_CHECK(rc == 0 && lam_evtchn_pending(port), "poll woke with VIRQ_TIMER pending (rc %ld)",
              rc);
    LAM_CHECK(woke >= when, "not before the deadline (%ld ns early)", (long)(when - woke));
    LAM_CHECK(woke - start < 1000000000ull, "within a second (%lu ns)",
              (unsigned long)(woke - start));
    lam_evtchn_clear(port);

    /* A deadline already in the past fires at once; Xen 4.17 ignores the 'future'
     * flag (it used to refuse such deadlines with -ETIME), and so do we. */
    st.timeout_abs_ns = lam_pvclock_ns() - 1000000;
    st.flags = LAM_VCPU_SSHOTTMR_future;
    rc = hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, 0, &st);
    LAM_CHECK(rc == 0, "a past deadline with the 'future' flag is accepted (%ld)", rc);
    rc = poll_until(port, lam_pvclock_ns() + 2000000000ull);
    LAM_CHECK(rc == 0 && lam_evtchn_pending(port), "... and fires at once");
    lam_evtchn_clear(port);
    st.flags = 0;

    /* set_timer_op, then cancelled: nothing arrives; poll times out. */
    LAM_CHECK(hypercall_set_timer_op(lam_pvclock_ns() + 3000000) == 0, "set_timer_op 3 ms");
    LAM_CHECK(hypercall_set_timer_op(0) == 0, "set_timer_op 0 cancels");
    start = lam_pvclock_ns();
    rc = poll_until(port, start + 20000000);
    woke = lam_pvclock_ns();
    LAM_CHECK(rc == 0 && !lam_evtchn_pending(port), "poll times out with nothing pending");
    LAM_CHECK(woke - start >= 19000000, "after its timeout (%lu ns)",
              (unsigned long)(woke - start));

    /* set_timer_op alone fires. */
    LAM_CHECK(hypercall_set_timer_op(lam_pvclock_ns() + 2000000) == 0, "set_timer_op 2 ms");
    rc = poll_until(port, lam_pvclock_ns() + 2000000000ull);
    LAM_CHECK(rc == 0 && lam_evtchn_pending(port), "set_timer_op raised VIRQ_TIMER");
    lam_evtchn_clear(port);

    /* Runstate area: we are running, and running time grows. */
    struct lam_vcpu_register_area area = {.addr = (uint64_t)(uintptr_t)&runstate};
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area) == 0,
              "register a runstate area");
    uint64_t run0 = runstate.time[LAM_RUNSTATE_running];
    LAM_CHECK(runstate.state == LAM_RUNSTATE_running, "runstate says running (%d)", runstate.state);
    for (int i = 0; i < 3; i++) {
        hypercall_set_timer_op(lam_pvclock_ns() + 2000000);
        poll_until(port, lam_pvclock_ns() + 1000000000ull);
        lam_evtchn_clear(port);
    }
    struct lam_vcpu_runstate_info now;
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_get_runstate_info, 0, &now) == 0 ||
                  now.state == LAM_RUNSTATE_running,
              "runstate info readable");
    LAM_CHECK(runstate.time[LAM_RUNSTATE_running] + runstate.time[LAM_RUNSTATE_blocked] > run0,
              "the runstate area is updated as we block and run");
    area.addr = 0;
    hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area);
}
