/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels between two vCPUs of one domain (dom0_max_vcpus=2,
 * evtchn-vcpus_HV_ARGS): an IPI port for each vCPU, both masked; each vCPU blocks in
 * SCHEDOP_poll on its own port and answers the other's notification. 5
 * batches of 200 round trips, all must complete; the median batch is a bench
 * line (tests/bench/events). Runs on Xen 4.17 and Lamina.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "vcpu_start.h"

const char lam_test_title[] = "IPI event channel ping-pong between two vCPUs";

#define BATCHES 5
#define TRIPS   200

static uint32_t port_to0, port_to1; /* IPI ports notifying vCPU 0 / vCPU 1 */
static volatile int answered;
static uint8_t stack1[8192] __attribute__((aligned(16)));

static void wait_port(uint32_t port)
{
    struct lam_sched_poll p = {.ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1};
    while (!lam_evtchn_pending(port))
        hypercall_sched_op(LAM_SCHEDOP_poll, &p);
    lam_evtchn_clear(port);
}

static void send(uint32_t port)
{
    struct lam_evtchn_port_arg a = {.port = port};
    hypercall_event_channel_op(LAM_EVTCHNOP_send, &a);
}

__attribute__((noreturn)) static void vcpu1_main(void)
{
    for (;;) {
        wait_port(port_to1);
        answered++;
        send(port_to0);
    }
}

void test_main(void)
{
    mm_init();
    struct lam_evtchn_bind_ipi b0 = {.vcpu = 0}, b1 = {.vcpu = 1};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_ipi, &b0);
    if (!rc)
        rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_ipi, &b1);
    if (rc == -LAM_ENOENT) {
        lam_skip("dom0 has one vCPU (dom0_max_vcpus=2 not honoured)");
        return;
    }
    LAM_CHECK(rc == 0, "bind two IPI ports: %ld", rc);
    if (rc)
        return;
    port_to0 = b0.port;
    port_to1 = b1.port;
    lam_evtchn_mask(port_to0);
    lam_evtchn_mask(port_to1);
    rc = lam_vcpu_start(1, vcpu1_main, stack1 + sizeof(stack1));
    LAM_CHECK(rc == 0, "start vCPU 1: %ld", rc);
    if (rc)
        return;

    uint64_t per[BATCHES] = {0};
    int done = 0;
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = lam_rdtsc();
        for (int i = 0; i < TRIPS; i++, done++) {
            send(port_to1);
            wait_port(port_to0);
        }
        uint64_t v = (lam_rdtsc() - t0) / TRIPS;
        int j = b;
        for (; j > 0 && per[j - 1] > v; j--)
            per[j] = per[j - 1];
        per[j] = v;
    }
    LAM_CHECK(done == BATCHES * TRIPS && answered == BATCHES * TRIPS,
              "%d round trips, vCPU 1 answered %d", done, answered);
    lam_printf("bench: evtchn round trip vCPU0<->vCPU1 (IPI ports) median %lu cycles/trip\n",
               (unsigned long)per[BATCHES / 2]);
    hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL);
}
