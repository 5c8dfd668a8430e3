/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU hard affinity through domctl (setvcpuaffinity, getvcpuaffinity,
 * getvcpuinfo), on N physical CPUs with N vCPUs (smp-pin_SMP, dom0_max_vcpus=N):
 * vCPU 1 keeps busy; pinned to each CPU in turn (N-1 down to 0), getvcpuinfo
 * must place it on that CPU every time it is sampled, while it keeps making
 * progress. The masks read back as set, and bad requests are refused (absent
 * vCPU, no CPU in the mask, no flag). Runs on Xen 4.17 and Lamina alike.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "vCPU pinning through domctl on every physical CPU";

#define SAMPLES 200

static struct lam_domctl op;
static volatile uint64_t progress;
static volatile int stop;

static void busy(unsigned int id)
{
    (void)id;
    while (!stop) {
        for (int i = 0; i < 100000; i++)
            __atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
}

static long set_affinity(uint32_t vcpu, uint32_t flags, uint8_t *hard, uint32_t nr_bits)
{
    lam_domctl(&op, LAM_DOMCTL_scheduler_op, 0); /* clears op */
    op.cmd = LAM_DOMCTL_setvcpuaffinity;
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = flags;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)hard;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = nr_bits;
    return hypercall_domctl(&op);
}

static long vcpu_cpu(uint32_t vcpu, uint32_t *cpu)
{
    lam_domctl(&op, LAM_DOMCTL_scheduler_op, 0);
    op.cmd = LAM_DOMCTL_getvcpuinfo;
    op.u.getvcpuinfo.vcpu = vcpu;
    long rc = hypercall_domctl(&op);
    *cpu = op.u.getvcpuinfo.cpu;
    return rc;
}

/* Pin vCPU 1 to cpu; then every sample must find it there, and it must keep working. */
static void pin_and_watch(unsigned int cpu)
{
    uint8_t mask = (uint8_t)(1u << cpu);
    mm_expect_rc("setvcpuaffinity(1)", set_affinity(1, LAM_VCPUAFFINITY_HARD, &mask, 8), 0);
    mm_expect(mask == (uint8_t)(1u << cpu), "the effective mask is the one CPU");
    /* Let it move: Xen moves a running vCPU at its next reschedule, which with 4 emulated
     * CPUs on 2 host cores can take a while; from then on it must stay. */
    uint64_t start = smp_now_ns();
    uint32_t at = 99;
    while (smp_now_ns() - start < 2000000000ull && (vcpu_cpu(1, &at) || at != cpu))
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    lam_printf("vCPU 1 on CPU %u after %lu us\n", at,
               (unsigned long)((smp_now_ns() - start) / 1000));
    unsigned int wrong = 0;
    uint64_t before = progress;
    for (int i = 0; i < SAMPLES; i++) {
        uint32_t where = 99;
        if (vcpu_cpu(1, &where) || where != cpu)
            wrong++;
        for (int k = 0; k < 2000; k++)
            __asm__ volatile("pause");
    }
    lam_printf("pinned to CPU %u: %u of %d samples elsewhere, %lu units of work\n", cpu, wrong,
               SAMPLES, (unsigned long)(progress - before));
    mm_expect(wrong == 0, "vCPU 1 is always on the CPU it is pinned to");
    mm_expect(progress > before, "and it keeps running there");
    uint8_t back = 0;
    lam_domctl(&op, LAM_DOMCTL_scheduler_op, 0);
    op.cmd = LAM_DOMCTL_getvcpuaffinity;
    op.u.vcpuaffinity.vcpu = 1;
    op.u.vcpuaffinity.flags = LAM_VCPUAFFINITY_HARD;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)&back;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    mm_expect_rc("getvcpuaffinity(1)", hypercall_domctl(&op), 0);
    mm_expect(back == mask, "getvcpuaffinity reads the mask back");
}

void test_main(void)
{
    mm_init();
    /* The runner gives the domain one vCPU per CPU: the CPUs are 0..n-1. */
    unsigned int n = smp_nr_vcpus();
    lam_printf("vCPUs (and CPUs): %u\n", n);
    if (n < 2) {
        lam_skip("needs 2 vCPUs");
        return;
    }
    if (n > 4) {
        lam_skip("written for up to 4 CPUs (vCPU 5 and CPU 7 stand for missing ones)");
        return;
    }
    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, busy), 0);
    uint32_t cpu;
    mm_expect_rc("getvcpuinfo(0)", vcpu_cpu(0, &cpu), 0);
    mm_expect(op.u.getvcpuinfo.online && op.u.getvcpuinfo.running && cpu < n,
              "vCPU 0 is online and running (on one of the CPUs)");
    mm_expect_rc("getvcpuinfo(5)", vcpu_cpu(5, &cpu), -LAM_EINVAL);

    for (unsigned int c = n; c-- > 0;)
        pin_and_watch(c);

    uint8_t none = 0, all = 0xff, cpu7 = 0x80;
    mm_expect_rc("an empty mask", set_affinity(1, LAM_VCPUAFFINITY_HARD, &none, 8), -LAM_EINVAL);
    mm_expect_rc("only a CPU that does not exist", set_affinity(1, LAM_VCPUAFFINITY_HARD, &cpu7, 8),
                 -LAM_EINVAL);
    mm_expect_rc("no flag", set_affinity(1, 0, &all, 8), -LAM_EINVAL);
    mm_expect_rc("vCPU 5", set_affinity(5, LAM_VCPUAFFINITY_HARD, &all, 8), -LAM_EINVAL);
    mm_expect_rc("an unmapped bitmap", set_affinity(1, LAM_VCPUAFFINITY_HARD, (uint8_t *)0x1000, 8),
                 -LAM_EFAULT);
    mm_expect_rc("every CPU again", set_affinity(1, LAM_VCPUAFFINITY_HARD, &all, 8), 0);
    mm_expect(all == (uint8_t)((1u << n) - 1), "the effective mask is the online CPUs");

    stop = 1;
    mm_expect_rc("vCPU 1 finishes", smp_wait_done(1, 2000), 0);
}
