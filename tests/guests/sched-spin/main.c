/*
 * The domU of the scheduler tests: a CPU-bound loop that never blocks. It puts
 * its runstate area into the page it shares with dom0 (see lib/sched_util.h),
 * counts iterations there and, once dom0 offers a port and a period, binds the
 * port and notifies dom0 every period, stamping the pvclock time of each send.
 * It never exits: dom0's poweroff stops the machine.
 */
#include <lamina/event_channel.h>

#include "sched_util.h"

const char lam_test_title[] = "scheduler tests: spinning domU";

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
    p->magic = PEER_MAGIC_VALUE;
    uint32_t port = 0;
    uint64_t next = 0;
    for (;;) {
        for (volatile int i = 0; i < 1000; i++)
            ;
        p->spins++;
        maybe_notify(p, &port, &next);
    }
}
