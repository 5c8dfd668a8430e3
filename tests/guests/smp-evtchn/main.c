/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cross-CPU event channel ping-pong between pairs of vCPUs of the test domain
 * (0-1, 2-3, ...), every pair at the same time: one IPI port (bind_ipi)
 * notifying each vCPU, all masked; each side waits for its port with
 * SCHEDOP_poll, clears it and sends to its partner. Every round trip must
 * arrive exactly once, in order (a sequence number per pair), and the run must
 * finish: ROUNDS round trips, or as many as fit in RUN_NS but at least
 * MIN_ROUNDS (4 emulated CPUs on 2 host cores take milliseconds per round
 * trip), then a last ping with STOP ends the ponger. Each pair's mean round
 * trip is printed, pair 0's as
 * "smp-evtchn: ... round trip <ns> ns", which tests/bench picks up.
 * Runs with as many emulated CPUs as vCPUs (smp-evtchn_SMP); vCPU v is pinned to
 * CPU v (domctl setvcpuaffinity), so every pair talks across two CPUs, and
 * getvcpuinfo must find each vCPU there at the end.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "cross-vCPU event channel ping-pong";

#define ROUNDS     2000
#define MIN_ROUNDS 200
#define RUN_NS     2000000000ull
#define STOP       (~0ull) /* the sequence number that ends a ponger */
#define PAIRS      (SMP_MAX_VCPUS / 2)

static uint32_t port_to[SMP_MAX_VCPUS]; /* port_to[v] notifies vCPU v */

/* One pair's state (pinger 2p, ponger 2p + 1), a cache line each. */
static struct pair {
    volatile uint64_t seq;
    volatile unsigned int ping_bad, pong_bad;
    volatile uint64_t rounds, ns; /* round trips made, the pinger's time for them */
} __attribute__((aligned(64))) pairs[PAIRS];

static void pong(unsigned int id)
{
    struct pair *p = &pairs[id / 2];
    for (uint64_t i = 0;; i++) {
        smp_poll_clear(port_to[id]);
        uint64_t seq = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
        if (seq == STOP)
            break;
        if (seq != 2 * i + 1)
            p->pong_bad++;
        __atomic_store_n(&p->seq, 2 * i + 2, __ATOMIC_RELEASE);
        smp_send(port_to[id - 1]);
    }
}

static void ping(unsigned int id)
{
    struct pair *p = &pairs[id / 2];
    uint64_t t0 = smp_now_ns(), i;
    for (i = 0; i < ROUNDS && (i < MIN_ROUNDS || smp_now_ns() - t0 < RUN_NS); i++) {
        __atomic_store_n(&p->seq, 2 * i + 1, __ATOMIC_RELEASE);
        smp_send(port_to[id + 1]);
        smp_poll_clear(port_to[id]);
        if (__atomic_load_n(&p->seq, __ATOMIC_ACQUIRE) != 2 * i + 2)
            p->ping_bad++;
    }
    p->ns = smp_now_ns() - t0;
    p->rounds = i;
    __atomic_store_n(&p->seq, STOP, __ATOMIC_RELEASE);
    smp_send(port_to[id + 1]);
}

void test_main(void)
{
    mm_init();
    unsigned int n = smp_test_vcpus();
    if (!n)
        return;
    unsigned int np = n / 2;
    lam_printf("vCPUs: %u, pairs: %u\n", n, np);
    for (unsigned int v = 0; v < 2 * np; v++) {
        port_to[v] = smp_bind_ipi(v);
        mm_expect_rc("pin vCPU v to CPU v", smp_pin(v, v), 0);
    }
    /* Pongers first, so every ping finds its partner started. */
    for (unsigned int v = 1; v < 2 * np; v += 2)
        mm_expect_rc("start a ponging vCPU", smp_start_vcpu(v, pong), 0);
    for (unsigned int v = 2; v < 2 * np; v += 2)
        mm_expect_rc("start a pinging vCPU", smp_start_vcpu(v, ping), 0);
    if (lam_status() != LAM_SUCCESS)
        return;
    ping(0);

    int all_done = 1;
    for (unsigned int v = 1; v < 2 * np; v++)
        all_done &= smp_wait_done(v, 20000) == 0;
    mm_expect(all_done, "every vCPU finished its rounds");
    for (unsigned int i = 0; i < np; i++) {
        const struct pair *p = &pairs[i];
        lam_printf("pair vCPU %u-%u: %lu round trips, %u+%u out of order, round trip %lu ns\n",
                   2 * i, 2 * i + 1, (unsigned long)p->rounds, p->ping_bad, p->pong_bad,
                   (unsigned long)(p->rounds ? p->ns / p->rounds : 0));
        mm_expect(p->ping_bad == 0 && p->pong_bad == 0,
                  "every ping and pong arrived once, in order");
        mm_expect(p->rounds >= MIN_ROUNDS, "the pair made its round trips");
    }
    int placed = 1;
    for (unsigned int v = 0; v < 2 * np; v++)
        placed &= smp_cpu_of(v) == (int)v;
    mm_expect(placed, "every vCPU ran on the CPU it is pinned to");
    int quiet = 1;
    for (unsigned int v = 0; v < 2 * np; v++)
        quiet &= !lam_evtchn_pending(port_to[v]);
    mm_expect(quiet, "no event left pending");
    lam_printf("smp-evtchn: %lu round trips, round trip %lu ns\n", (unsigned long)pairs[0].rounds,
               (unsigned long)(pairs[0].rounds ? pairs[0].ns / pairs[0].rounds : 0));
}
