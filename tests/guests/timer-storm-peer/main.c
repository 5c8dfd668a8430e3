/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU of timer-storm-2dom: as many timer interrupts and wake-ups as one domain can
 * make. vCPUs 0..3 (of --domU vcpus=N) each arm a one-shot timer 1 us ahead and block in a
 * poll of their own VIRQ_TIMER port, over and over: every one a timer interrupt and a
 * wake-up. vCPUs 4..N-1 stay offline with a 1 ms periodic timer each (Xen 4.17 ticks those
 * too). Counts its rounds in the page it shares with dom0 (lib/sched_util.h, `spins`),
 * vCPU 0 announces itself with the magic; never ends.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "sched_util.h"
#include "smp.h"

const char lam_test_title[] = "timer storm domU";

#define NEAR_NS 1000

static volatile struct sched_peer_page *page;

static void storm(unsigned int id)
{
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = id};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    if (rc)
        lam_panic("vCPU %u: bind VIRQ_TIMER: %ld", id, rc);
    uint32_t port = bv.port;
    lam_evtchn_mask(port);
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, id, NULL);
    for (;;) {
        lam_evtchn_clear(port);
        struct lam_vcpu_set_singleshot_timer t = {.timeout_abs_ns = lam_pvclock_ns() + NEAR_NS};
        hypercall_vcpu_op(LAM_VCPUOP_set_singleshot_timer, id, &t);
        struct lam_sched_poll p = {.ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1};
        hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        __atomic_fetch_add(&page->spins, 1, __ATOMIC_RELAXED);
    }
}

void test_main(void)
{
    mm_init();
    page = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    if (!page)
        lam_panic("console ring page is not in the initial mapping");
    unsigned int n = smp_nr_vcpus();
    for (unsigned int v = SMP_MAX_VCPUS; v < n; v++) {
        struct lam_vcpu_set_periodic_timer pt = {.period_ns = 1000000};
        long rc = hypercall_vcpu_op(LAM_VCPUOP_set_periodic_timer, v, &pt);
        if (rc)
            lam_panic("set_periodic_timer(vCPU %u): %ld", v, rc);
    }
    for (unsigned int v = 1; v < n && v < SMP_MAX_VCPUS; v++) {
        long rc = smp_start_vcpu(v, storm);
        if (rc)
            lam_panic("start vCPU %u: %ld", v, rc);
    }
    lam_printf("%u vCPUs: %u storming, %u offline with 1 ms periodic timers\n", n,
               n < SMP_MAX_VCPUS ? n : SMP_MAX_VCPUS, n > SMP_MAX_VCPUS ? n - SMP_MAX_VCPUS : 0);
    page->magic = PEER_MAGIC_VALUE;
    storm(0);
}
