/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does one domain's page-type contention slow another domain's memory
 * hypercalls? The domU (mm-contend-peer) retypes one frame on two vCPUs, each
 * retype flushing the other vCPU's CPU while the hypervisor's global memory
 * lock is held. dom0, alone on its own CPU, times its own mmu_update (making a
 * page of its own read-only and writable again, no retype, no flush) for a
 * while with the domU paused and then with it running, and reports both.
 * Timing under QEMU depends on the host's load, so the only checks are that
 * both sides made progress; the numbers are for reading (docs/security/
 * pv-pagetables-memop.md, "Contention").
 */
#include <lamina/domctl.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "dom0's memory hypercalls while a domU fights over a frame";

#define PEER     1
#define PHASE_NS 1000000000ull

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
    lam_printf("%s: dom0 %lu mmu_update calls in 1 s, average %lu us, slowest %lu us; "
               "domU %lu page-type calls\n",
               name, p->calls, (unsigned long)(p->total_ns / p->calls / 1000),
               (unsigned long)(p->worst_ns / 1000), p->peer_calls);
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
    struct phase quiet, busy;
    mm_expect_rc("pause the domU", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    measure("domU paused", page, ring, &quiet);
    mm_expect_rc("unpause the domU", lam_domctl(&op, LAM_DOMCTL_unpausedomain, PEER), 0);
    measure("domU running", page, ring, &busy);
    mm_expect(quiet.failed == 0 && busy.failed == 0, "every mmu_update succeeded");
    mm_expect(busy.calls > 0 && busy.peer_calls > 0, "both domains made progress");
    lam_printf("dom0's average call %lux slower with the domU running\n",
               (unsigned long)((busy.total_ns / busy.calls) / (quiet.total_ns / quiet.calls + 1)));

    mm_expect_rc("pause the domU again", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    struct lam_gnttab_unmap_grant_ref u = {.host_addr = tree.base, .handle = m.handle};
    mm_expect_rc("unmap", hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
