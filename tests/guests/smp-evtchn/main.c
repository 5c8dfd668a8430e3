/*
 * Cross-CPU event channel ping-pong between two vCPUs of the test domain:
 * two IPI ports (bind_ipi), one notifying each vCPU, both masked; each side
 * waits for its port with SCHEDOP_poll, clears it and sends to the other.
 * Every round trip must arrive exactly once, in order (a shared sequence
 * number), and the run must finish; the mean round trip is printed
 * ("smp-evtchn: round trip <ns> ns"), which tests/bench picks up.
 * Runs with two emulated CPUs (qemu-smp) so the vCPUs can sit on both.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "cross-vCPU event channel ping-pong";

#define ROUNDS 2000

static uint32_t port_to[2]; /* port_to[v] notifies vCPU v */
static volatile uint64_t seq;
static volatile unsigned int out_of_order;

static void pong(unsigned int id)
{
    (void)id;
    for (uint64_t i = 0; i < ROUNDS; i++) {
        smp_poll_clear(port_to[1]);
        if (__atomic_load_n(&seq, __ATOMIC_ACQUIRE) != 2 * i + 1)
            out_of_order++;
        __atomic_store_n(&seq, 2 * i + 2, __ATOMIC_RELEASE);
        smp_send(port_to[0]);
    }
}

void test_main(void)
{
    mm_init();
    unsigned int n = smp_nr_vcpus();
    lam_printf("vCPUs: %u\n", n);
    if (n < 2) {
        lam_skip("needs 2 vCPUs (dom0_max_vcpus=2)");
        return;
    }
    port_to[0] = smp_bind_ipi(0);
    port_to[1] = smp_bind_ipi(1);
    lam_printf("ports: to vCPU0 %u, to vCPU1 %u\n", port_to[0], port_to[1]);
    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, pong), 0);

    uint64_t t0 = smp_now_ns();
    unsigned int bad = 0;
    for (uint64_t i = 0; i < ROUNDS; i++) {
        __atomic_store_n(&seq, 2 * i + 1, __ATOMIC_RELEASE);
        smp_send(port_to[1]);
        smp_poll_clear(port_to[0]);
        if (__atomic_load_n(&seq, __ATOMIC_ACQUIRE) != 2 * i + 2)
            bad++;
    }
    uint64_t t1 = smp_now_ns();
    mm_expect(smp_wait_done(1, 10000) == 0, "vCPU 1 finished its rounds");
    mm_expect(bad == 0 && out_of_order == 0, "every ping and pong arrived once, in order");
    mm_expect(!lam_evtchn_pending(port_to[0]) && !lam_evtchn_pending(port_to[1]),
              "no event left pending");
    lam_printf("smp-evtchn: %u round trips, round trip %lu ns\n", ROUNDS,
               (unsigned long)((t1 - t0) / ROUNDS));
}
