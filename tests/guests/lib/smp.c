/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary vCPUs for test kernels (see smp.h).
 */
#include "smp.h"

#include <lamina/domctl.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/traps.h>
#include <lamina/vcpu.h>

#include "mm_util.h"

static uint8_t stacks[SMP_MAX_VCPUS][SMP_STACK_BYTES] __attribute__((aligned(16)));
static struct lam_vcpu_guest_context ctx;
static volatile int done[SMP_MAX_VCPUS];

unsigned int smp_nr_vcpus(void)
{
    unsigned int n = 0;
    while (n < 64 && hypercall_vcpu_op(LAM_VCPUOP_is_up, n, 0) >= 0)
        n++;
    return n;
}

unsigned int smp_test_vcpus(void)
{
    unsigned int n = smp_nr_vcpus();
    if (n < 2) {
        lam_skip("needs 2 vCPUs (dom0_max_vcpus=2 or more)");
        return 0;
    }
    return n > SMP_MAX_VCPUS ? SMP_MAX_VCPUS : n;
}

__attribute__((noreturn, used)) static void secondary_start(unsigned int id,
                                                            void (*fn)(unsigned int id))
{
    long rc = lam_install_trap_table();
    if (rc)
        lam_panic("vCPU %u: set_trap_table failed: %ld", id, rc);
    fn(id);
    __atomic_store_n(&done[id], 1, __ATOMIC_RELEASE);
    for (;;)
        hypercall_vcpu_op(LAM_VCPUOP_down, id, 0);
}

long smp_start_vcpu(unsigned int id, void (*fn)(unsigned int id))
{
    if (id == 0 || id >= SMP_MAX_VCPUS)
        return -LAM_EINVAL;
    /* No upcalls: there is no event callback, everything waits with SCHEDOP_poll. */
    lam_shared_info->vcpu_info[id].evtchn_upcall_mask = 1;
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = LAM_VGCF_in_kernel;
    ctx.user_regs.rip = (uint64_t)secondary_start;
    /* At a function's entry RSP + 8 is 16-byte aligned (as after a call). */
    ctx.user_regs.rsp = (uint64_t)&stacks[id][SMP_STACK_BYTES] - 8;
    ctx.user_regs.cs = LAM_FLAT_KERNEL_CS;
    ctx.user_regs.ss = LAM_FLAT_KERNEL_SS;
    ctx.user_regs.rflags = 0x200;
    ctx.user_regs.rdi = id;
    ctx.user_regs.rsi = (uint64_t)fn;
    ctx.kernel_ss = LAM_FLAT_KERNEL_SS;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = mm_cur_l4_mfn << 12;
    done[id] = 0;
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, id, &ctx);
    if (rc)
        return rc;
    return hypercall_vcpu_op(LAM_VCPUOP_up, id, 0);
}

int smp_wait_done(unsigned int id, unsigned int timeout_ms)
{
    uint64_t end = smp_now_ns() + (uint64_t)timeout_ms * 1000000;
    while (!__atomic_load_n(&done[id], __ATOMIC_ACQUIRE)) {
        if (smp_now_ns() > end)
            return -1;
        hypercall_sched_op(LAM_SCHEDOP_yield, 0);
    }
    return 0;
}

/* A domctl on the test domain (dom0) with the header filled in, the rest cleared. */
static void domctl_init(struct lam_domctl *op, uint32_t cmd)
{
    memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op->domain = 0;
}

long smp_pin(unsigned int vcpu, unsigned int cpu)
{
    static struct lam_domctl op; /* static: off the secondary vCPUs' stacks */
    uint8_t mask = (uint8_t)(1u << (cpu & 7));
    if (cpu >= 8)
        return -LAM_EINVAL;
    domctl_init(&op, LAM_DOMCTL_setvcpuaffinity);
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = LAM_VCPUAFFINITY_HARD;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)&mask;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    return hypercall_domctl(&op);
}

int smp_cpu_of(unsigned int vcpu)
{
    static struct lam_domctl op;
    domctl_init(&op, LAM_DOMCTL_getvcpuinfo);
    op.u.getvcpuinfo.vcpu = vcpu;
    return hypercall_domctl(&op) ? -1 : (int)op.u.getvcpuinfo.cpu;
}

uint32_t smp_bind_ipi(unsigned int vcpu)
{
    struct lam_evtchn_bind_ipi b = {.vcpu = vcpu};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_ipi, &b);
    if (rc)
        lam_panic("bind_ipi(vcpu %u): %ld", vcpu, rc);
    lam_evtchn_mask(b.port);
    return b.port;
}

void smp_send(uint32_t port)
{
    struct lam_evtchn_port_arg s = {.port = port};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_send, &s);
    if (rc)
        lam_panic("evtchn send(%u): %ld", port, rc);
}

void smp_poll_clear(uint32_t port)
{
    while (!lam_evtchn_pending(port)) {
        struct lam_sched_poll p = {.ports = (uint64_t)&port, .nr_ports = 1, .timeout = 0};
        long rc = hypercall_sched_op(LAM_SCHEDOP_poll, &p);
        if (rc)
            lam_panic("poll(%u): %ld", port, rc);
    }
    lam_evtchn_clear(port);
}

/* This vCPU's record: the vCPU number is not at hand, so read vCPU 0's; pvclock is
 * the same function of the TSC for every vCPU here (one TSC, no drift). */
uint64_t smp_now_ns(void)
{
    return lam_pvclock_ns();
}
