/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does one domain's page-type contention slow another domain's memory
 * hypercalls? The domU (mm-contend-peer) retypes one frame on two vCPUs, each
 * retype flushing the other vCPU's CPU. dom0, alone on its own CPU, times its
 * own mmu_update (making a page of its own read-only and writable again, no
 * retype, no flush) in short phases, the domU paused and running in turn.
 *
 * With one memory lock for the whole machine, held across those flushes,
 * dom0's calls ran about 100x slower with the domU running (docs/security/
 * pv-pagetables-memop.md, "Contention"). Now a domain's own frames are under
 * its own lock and no flush is sent while holding one, so dom0 must keep at
 * least a tenth of its throughput: the median over interleaved pairs of
 * phases, so that the host's noise (other QEMUs on two cores) hits both sides
 * alike; a round that misses is run again, up to three rounds.
 */
#include <lamina/domctl.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "dom0's memory hypercalls while a domU fights over a frame";

#define PEER      1
#define PHASE_NS  300000000ull /* one phase: 0.3 s */
#define PAIRS     5            /* paused/running pairs per round; the median decides */
#define ROUNDS    3
#define MIN_SHARE 10 /* running: at least 1/10 of the paused throughput */

static struct lam_domctl op;

static long pin(uint16_t dom, unsigned int vcpu, unsigned int cpu)
{
    static uint8_t mask;
    mask = (uint8_t)(1u << cpu);
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_setvcpuaffinity;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = LAM_VCPUAFFINITY_HARD;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)&mask;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    return hypercall_domctl(&op);
}

static uint64_t peer_calls(volatile uint64_t *ring)
{
    return __atomic_load_n(&ring[0], __ATOMIC_ACQUIRE) +
           __atomic_load_n(&ring[1], __ATOMIC_ACQUIRE);
}

struct phase {
    unsigned long calls, failed, peer_calls;
    uint64_t total_ns, worst_ns;
};

static void measure(const char *name, uint64_t *page, volatile uint64_t *ring, struct phase *p)
{
    uint64_t peer0 = peer_calls(ring);
    uint64_t end = smp_now_ns() + PHASE_NS;
    *p = (struct phase){0};
    for (uint64_t now = smp_now_ns(); now < end;) {
        long rc = p->calls & 1 ? mm_page_set_rw(page) : mm_page_set_ro(page);
        uint64_t after = smp_now_ns(), dt = after - now;
        p->calls++;
        p->failed += rc != 0;
        p->total_ns += dt;
        if (dt > p->worst_ns)
            p->worst_ns = dt;
        now = after;
    }
    if (p->calls & 1)
        p->failed += mm_page_set_rw(page) != 0;
    p->peer_calls = (unsigned long)(peer_calls(ring) - peer0);
    lam_printf("  %s: dom0 %lu mmu_update calls in 0.3 s, average %lu us, slowest %lu us; "
               "domU %lu page-type calls\n",
               name, p->calls, (unsigned long)(p->total_ns / p->calls / 1000),
               (unsigned long)(p->worst_ns / 1000), p->peer_calls);
}

/* Per mille of dom0's paused throughput kept with the domU running. */
static unsigned long kept_permille(const struct phase *quiet, const struct phase *busy)
{
    return quiet->calls ? busy->calls * 1000 / quiet->calls : 0;
}

static unsigned long median(unsigned long *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            unsigned long t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

struct totals {
    unsigned long failed, busy_calls, peer_calls;
};

/* One round of interleaved pairs: the median share dom0 kept, in per mille. */
static unsigned long round_permille(unsigned int r, uint64_t *page, volatile uint64_t *ring,
                                    struct totals *t)
{
    unsigned long kept[PAIRS];
    for (unsigned int i = 0; i < PAIRS; i++) {
        struct phase quiet, busy;
        lam_printf("round %u, pair %u:\n", r, i);
        mm_expect_rc("pause the domU", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
        measure("domU paused", page, ring, &quiet);
        mm_expect_rc("unpause the domU", lam_domctl(&op, LAM_DOMCTL_unpausedomain, PEER), 0);
        measure("domU running", page, ring, &busy);
        kept[i] = kept_permille(&quiet, &busy);
        t->failed += quiet.failed + busy.failed;
        t->busy_calls += busy.calls;
        t->peer_calls += busy.peer_calls;
    }
    unsigned long m = median(kept, PAIRS);
    lam_printf("round %u: dom0 kept %lu.%lu%% of its throughput with the domU running "
               "(median of %u pairs)\n",
               r, m / 10, m % 10, PAIRS);
    return m;
}

void test_main(void)
{
    mm_init();
    struct mm_tree tree;
    mm_expect_rc("build a tree for the mapping", mm_tree_build(&tree, 303), 0);
    struct lam_gnttab_map_grant_ref m = {.status = 1};
    for (int i = 0; i < 200000 && m.status != LAM_GNTST_okay; i++) {
        m = (struct lam_gnttab_map_grant_ref){.host_addr = tree.base,
                                              .flags = LAM_GNTMAP_host_map | LAM_GNTMAP_readonly,
                                              .ref = 0,
                                              .dom = PEER};
        hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1);
        if (m.status != LAM_GNTST_okay)
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect(m.status == LAM_GNTST_okay, "map the peer's ring page read-only");
    if (m.status != LAM_GNTST_okay)
        return;
    volatile uint64_t *ring = (volatile uint64_t *)tree.base;
    mm_expect_rc("pin dom0's vCPU 0 to CPU 0", pin(0, 0, 0), 0);
    mm_expect_rc("pin the domU's vCPU 0 to CPU 1", pin(PEER, 0, 1), 0);
    mm_expect_rc("pin the domU's vCPU 1 to CPU 2", pin(PEER, 1, 2), 0);
    for (int i = 0; i < 2000000 && (!ring[0] || !ring[1]); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    mm_expect(ring[0] && ring[1], "both of the domU's vCPUs are at work");

    uint64_t *page = mm_alloc_page();
    struct totals t = {0};
    unsigned long best = 0;
    for (unsigned int r = 0; r < ROUNDS && best * MIN_SHARE < 1000; r++) {
        unsigned long m = round_permille(r, page, ring, &t);
        if (m > best)
            best = m;
    }
    mm_expect(t.failed == 0, "every mmu_update succeeded");
    mm_expect(t.busy_calls > 0 && t.peer_calls > 0, "both domains made progress");
    lam_printf("best round: dom0 kept %lu.%lu%% (at least %u%% required)\n", best / 10, best % 10,
               100 / MIN_SHARE);
    mm_expect(best * MIN_SHARE >= 1000,
              "dom0's mmu_update keeps a tenth of its speed while the domU retypes");

    mm_expect_rc("pause the domU for good", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    struct lam_gnttab_unmap_grant_ref u = {.host_addr = tree.base, .handle = m.handle};
    mm_expect_rc("unmap", hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
