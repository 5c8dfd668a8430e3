/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU of the scheduler tests: a CPU-bound loop that never blocks. It puts
 * its runstate area into the page it shares with dom0 (see lib/sched_util.h),
 * counts iterations there and, once dom0 offers a port and a period, binds the
 * port and notifies dom0 every period, stamping the pvclock time of each send.
 * It never exits: dom0's poweroff stops the machine. A domU given several
 * vCPUs (--domU vcpus=N) spins on all of them: vCPUs 1..N-1 are started first
 * (their loops count in spins_of[], nobody reads them; dom0 measures CPU time
 * with getdomaininfo), then vCPU 0 announces itself with the magic.
 *
 * Built a second time as fpu-peer (-DSPIN_FPU): it then holds its own SSE
 * pattern, yields every iteration and counts in fpu_rounds / fpu_bad how often
 * it found its registers intact or not (fpu-2dom).
 */
#include <lamina/event_channel.h>

#include <lamina/sched.h>

#include "sched_util.h"
#include "smp.h"
#include "sse_util.h"

#ifndef SPIN_FPU
#define SPIN_FPU 0
#endif
#define PEER_SEED  0xa5
#define PEER_MXCSR (0x1f80 | 0x4000) /* round up */

const char lam_test_title[] = "scheduler tests: spinning domU";

static volatile uint64_t spins_of[SMP_MAX_VCPUS];

/* A secondary vCPU's loop: CPU-bound, never blocks, never returns. */
static void spin_forever(unsigned int id)
{
    for (;;) {
        for (volatile int i = 0; i < 1000; i++)
            ;
        spins_of[id]++;
    }
}

static void start_secondaries(void)
{
    unsigned int n = smp_nr_vcpus();
    if (n > SMP_MAX_VCPUS)
        lam_panic("%u vCPUs: the spinner starts at most %u", n, SMP_MAX_VCPUS);
    for (unsigned int v = 1; v < n; v++) {
        long rc = smp_start_vcpu(v, spin_forever);
        if (rc)
            lam_panic("start vCPU %u: %ld", v, rc);
    }
    if (n > 1)
        lam_printf("spinning on %u vCPUs\n", n);
}

static void maybe_notify(volatile struct sched_peer_page *p, uint32_t *port, uint64_t *next)
{
    if (!*port && p->port) {
        struct lam_evtchn_bind_interdomain b = {.remote_dom = 0, .remote_port = (uint32_t)p->port};
        long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b);
        if (rc)
            lam_panic("bind dom0's port %lu: %ld", (unsigned long)p->port, rc);
        *port = b.local_port;
        lam_evtchn_mask(*port); /* we never take events, only send */
        lam_printf("bound dom0 port %lu as port %u\n", (unsigned long)p->port, *port);
    }
    if (!*port || !p->period_ns)
        return;
    uint64_t now = sched_pvclock_ns();
    if (!*next)
        *next = now + p->period_ns;
    if (now < *next)
        return;
    p->sent_ns = now;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct lam_evtchn_port_arg s = {.port = *port};
    if (hypercall_event_channel_op(LAM_EVTCHNOP_send, &s) == 0)
        p->nr_sent++;
    *next = now + p->period_ns;
}

void test_main(void)
{
    mm_init();
    volatile struct sched_peer_page *p = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    if (!p)
        lam_panic("console ring page is not in the initial mapping");
    struct lam_vcpu_register_area area = {.addr = (uint64_t)(uintptr_t)&p->runstate};
    long rc = hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area);
    if (rc)
        lam_panic("register the runstate area: %ld", rc);
    start_secondaries();
    p->magic = PEER_MAGIC_VALUE;
    uint32_t port = 0;
    uint64_t next = 0;
    if (SPIN_FPU)
        lam_sse_load(PEER_SEED, PEER_MXCSR);
    for (;;) {
        for (volatile int i = 0; i < 1000; i++)
            ;
        p->spins++;
        if (SPIN_FPU) {
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
            if (!lam_sse_check(PEER_SEED, PEER_MXCSR)) {
                p->fpu_bad++;
                lam_sse_load(PEER_SEED, PEER_MXCSR);
            }
            p->fpu_rounds++;
        }
        maybe_notify(p, &port, &next);
    }
}
