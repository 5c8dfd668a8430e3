/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fill one CPU's timer heap: it had 256 slots and dropped a timer silently
 * when full. Three domains of 32 vCPUs on one CPU: as a boot-time domU (timer-flood-peer,
 * built from this file) every vCPU arms all three of its timers an hour ahead (periodic,
 * one-shot, poll timeout) and blocks in poll; dom0 waits until every domU vCPU is blocked,
 * does the same on its vCPUs 1..31 (288 timers queued, plus the CPU's own), then vCPU 0 asks
 * for a 5 ms one-shot timer and a 20 ms poll timeout: both must fire. With the 256-slot heap
 * they were dropped and dom0 blocked for good.
 */
#include <lamina/domctl.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "domctl_util.h"
#include "vcpu_start.h"

const char lam_test_title[] = "a timer heap full of three 32-vCPU domains' timers";

#define MS     1000000ull
#define HOUR   (3600000 * MS)
#define NVCPUS 32
#define NDOMUS 2

static uint8_t stacks[NVCPUS][4096] __attribute__((aligned(16)));
static uint32_t quiet_port; /* unbound, masked: nothing ever arrives on it */

static void poll_port(uint32_t port, uint64_t timeout)
{
    struct lam_sched_poll p = {
        .ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1, .timeout = timeout};
    hypercall_sched_op(LAM_SCHEDOP_poll, &p);
}

/* A vCPU's part: one-shot and poll timeout an hour ahead (its periodic timer is set by
 * vCPU 0), then block. */
static void hold_timers(void)
{
    for (;;) {
        hypercall_set_timer_op(lam_pvclock_ns() + HOUR);
        poll_port(quiet_port, lam_pvclock_ns() + HOUR);
    }
}

static void start_holders(void)
{
    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    quiet_port = au.port;
    lam_evtchn_mask(quiet_port);
    for (unsigned int id = 0; id < NVCPUS; id++) {
        struct lam_vcpu_set_periodic_timer p = {.period_ns = HOUR};
        long rc = hypercall_vcpu_op(LAM_VCPUOP_set_periodic_timer, id, &p);
        LAM_CHECK(rc == 0, "set_periodic_timer(vCPU %u): %ld", id, rc);
        if (id) {
            rc = lam_vcpu_start(id, hold_timers, stacks[id] + sizeof(stacks[id]));
            LAM_CHECK(rc == 0, "start vCPU %u: %ld", id, rc);
        }
    }
}

/* How many of domain dom's vCPUs are online and blocked. */
static unsigned int blocked_vcpus(uint16_t dom)
{
    unsigned int n = 0;
    for (uint32_t v = 0; v < NVCPUS; v++) {
        struct lam_domctl op;
        memset(&op, 0, sizeof(op));
        op.cmd = LAM_DOMCTL_getvcpuinfo;
        op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
        op.domain = dom;
        op.u.getvcpuinfo.vcpu = v;
        if (hypercall_domctl(&op) == 0 && op.u.getvcpuinfo.online && op.u.getvcpuinfo.blocked)
            n++;
    }
    return n;
}

static int wait_blocked(uint16_t dom, unsigned int want)
{
    uint64_t start = lam_pvclock_ns();
    while (blocked_vcpus(dom) < want) {
        if (lam_pvclock_ns() - start > 60000 * MS)
            return -1;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    return 0;
}

void test_main(void)
{
    mm_init();
    if (!(lam_start_info->flags & LAM_SIF_PRIVILEGED)) { /* timer-flood-peer */
        start_holders();
        hold_timers();
    }
    for (uint16_t d = 1; d <= NDOMUS; d++)
        LAM_CHECK(wait_blocked(d, NVCPUS) == 0, "d%u: all %u vCPUs blocked holding timers", d,
                  NVCPUS);
    start_holders();
    LAM_CHECK(wait_blocked(0, NVCPUS - 1) == 0, "d0: vCPUs 1..%u blocked holding timers",
              NVCPUS - 1);
    lam_printf("timer-flood: %u vCPUs hold %u timers on one CPU\n", (NDOMUS + 1) * NVCPUS,
               (NDOMUS + 1) * NVCPUS * 3 - 2);

    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv) == 0, "bind VIRQ_TIMER");
    lam_evtchn_mask(bv.port);
    lam_evtchn_clear(bv.port);
    uint64_t t0 = lam_pvclock_ns();
    LAM_CHECK(hypercall_set_timer_op(t0 + 5 * MS) == 0, "set_timer_op(5 ms)");
    poll_port(bv.port, t0 + 2000 * MS);
    uint64_t took = lam_pvclock_ns() - t0;
    LAM_CHECK(lam_evtchn_pending(bv.port) && took >= 5 * MS,
              "the 5 ms one-shot fired (after %lu ns)", (unsigned long)took);
    t0 = lam_pvclock_ns();
    poll_port(quiet_port, t0 + 20 * MS);
    took = lam_pvclock_ns() - t0;
    LAM_CHECK(took >= 20 * MS && took < 2000 * MS, "a 20 ms poll timeout fired (after %lu ns)",
              (unsigned long)took);
}
