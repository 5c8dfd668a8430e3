/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Segment bases and FPU images a guest hands the hypervisor. A non-canonical
 * FS/GS base would reach WRMSR in the hypervisor (a host #GP on hardware and KVM; TCG takes
 * it), so what is checked is the answer: set_segment_base -EINVAL, an emulated WRMSR of
 * FS_BASE/GS_BASE/SHADOW_GS_BASE #GP with the base unchanged, VCPUOP_initialise -EINVAL for a
 * context with such a base (and the vCPU can still be initialised properly after). A context's
 * FXSAVE image with reserved MXCSR bits set (FXRSTOR/XRSTOR #GP in the hypervisor) starts the
 * vCPU with the state Xen 4.17 gives it; a valid image starts it with exactly that image.
 * Three vCPUs; the same kernel runs on Xen 4.17.
 */
#include <lamina/errno.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "vcpu_start.h"

const char lam_test_title[] = "non-canonical segment bases, bad MXCSR in a vCPU context";

#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u

static const uint64_t noncanonical[] = {0x0000800000000000ull, 0x8000000000000000ull,
                                        0x00007fffffffffffull + 1, 0xffff7fffffffffffull};

static uint8_t stacks[3][8192] __attribute__((aligned(16)));

/* What a started vCPU found in its FPU/SSE registers. */
static volatile struct {
    uint32_t mxcsr;
    uint16_t fcw;
    uint64_t xmm0_lo, xmm1_lo;
    int done;
} seen[3];
static volatile unsigned int starting; /* the vCPU whose entry runs next */
static int on_lamina;

static void report_fpu(void)
{
    unsigned int id = starting;
    uint32_t mxcsr;
    uint16_t fcw;
    uint64_t x0, x1;
    __asm__ volatile("stmxcsr %0\n fnstcw %1\n movq %%xmm0, %2\n movq %%xmm1, %3"
                     : "=m"(mxcsr), "=m"(fcw), "=r"(x0), "=r"(x1));
    seen[id].mxcsr = mxcsr;
    seen[id].fcw = fcw;
    seen[id].xmm0_lo = x0;
    seen[id].xmm1_lo = x1;
    __atomic_store_n(&seen[id].done, 1, __ATOMIC_RELEASE);
    hypercall_vcpu_op(LAM_VCPUOP_down, id, NULL);
    for (;;)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
}

static int try_wrmsr(uint32_t msr, uint64_t val)
{
    lam_exception_reset();
    __asm__ volatile("1: wrmsr\n2:\n" LAM_ASM_EXTABLE(1b, 2b)::"c"(msr), "a"((uint32_t)val),
                     "d"((uint32_t)(val >> 32)));
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void segment_base_hypercall(void)
{
    static const unsigned int which[] = {LAM_SEGBASE_FS, LAM_SEGBASE_GS_USER,
                                         LAM_SEGBASE_GS_KERNEL};
    uint64_t gs_kernel = rdmsr(MSR_GS_BASE);
    for (unsigned int w = 0; w < 3; w++)
        for (unsigned int i = 0; i < 4; i++) {
            long rc = hypercall_set_segment_base(which[w], noncanonical[i]);
            LAM_CHECK(rc == -LAM_EINVAL, "set_segment_base(%u, 0x%lx): %ld, want -EINVAL", which[w],
                      (unsigned long)noncanonical[i], rc);
        }
    LAM_CHECK(hypercall_set_segment_base(LAM_SEGBASE_FS, 0xffff800000001000ull) == 0 &&
                  rdmsr(MSR_FS_BASE) == 0xffff800000001000ull,
              "a canonical upper-half FS base is taken");
    LAM_CHECK(hypercall_set_segment_base(LAM_SEGBASE_GS_USER, 0x00007ffffffff000ull) == 0 &&
                  rdmsr(MSR_SHADOW_GS_BASE) == 0x00007ffffffff000ull,
              "a canonical lower-half user GS base is taken");
    hypercall_set_segment_base(LAM_SEGBASE_FS, 0);
    hypercall_set_segment_base(LAM_SEGBASE_GS_USER, 0);
    LAM_CHECK(rdmsr(MSR_GS_BASE) == gs_kernel, "the kernel GS base is unchanged");
}

static void segment_base_wrmsr(void)
{
    static const uint32_t msrs[] = {MSR_FS_BASE, MSR_GS_BASE, MSR_SHADOW_GS_BASE};
    for (unsigned int m = 0; m < 3; m++) {
        uint64_t before = rdmsr(msrs[m]);
        for (unsigned int i = 0; i < 4; i++) {
            int vec = try_wrmsr(msrs[m], noncanonical[i]);
            LAM_CHECK(vec == 13, "wrmsr 0x%x <- 0x%lx: vector %d, want #GP", msrs[m],
                      (unsigned long)noncanonical[i], vec);
        }
        LAM_CHECK(rdmsr(msrs[m]) == before, "MSR 0x%x unchanged by the refused writes", msrs[m]);
    }
    LAM_CHECK(try_wrmsr(MSR_FS_BASE, 0xffff800000002000ull) == -1 &&
                  rdmsr(MSR_FS_BASE) == 0xffff800000002000ull,
              "wrmsr of a canonical FS base works");
    try_wrmsr(MSR_FS_BASE, 0);
}

static struct lam_vcpu_guest_context ctx;

static void context_bases(void)
{
    for (unsigned int field = 0; field < 3; field++)
        for (unsigned int i = 0; i < 4; i++) {
            lam_vcpu_context(&ctx, report_fpu, stacks[1] + sizeof(stacks[1]));
            uint64_t *f = field == 0   ? &ctx.fs_base
                          : field == 1 ? &ctx.gs_base_kernel
                                       : &ctx.gs_base_user;
            *f = noncanonical[i];
            long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
            LAM_CHECK(rc == -LAM_EINVAL, "initialise with %s 0x%lx: %ld, want -EINVAL",
                      field == 0   ? "fs_base"
                      : field == 1 ? "gs_base_kernel"
                                   : "gs_base_user",
                      (unsigned long)noncanonical[i], rc);
        }
    long rc = hypercall_vcpu_op(LAM_VCPUOP_up, 1, NULL);
    LAM_CHECK(rc == -LAM_EINVAL, "the refused contexts left vCPU 1 uninitialised (up: %ld)", rc);
}

/* Start vCPU id with an FXSAVE image: FCW, MXCSR, XMM0 and XMM1's low quadwords. */
static void start_with_fpu(unsigned int id, uint32_t mxcsr)
{
    lam_vcpu_context(&ctx, report_fpu, stacks[id] + sizeof(stacks[id]));
    ctx.flags |= LAM_VGCF_i387_valid;
    uint8_t *img = ctx.fpu_ctxt;
    uint16_t fcw = 0x027f;
    uint64_t x0 = 0x1122334455667788ull, x1 = 0x99aabbccddeeff00ull;
    memcpy(img + 0, &fcw, 2);
    memcpy(img + 24, &mxcsr, 4);
    memcpy(img + 160, &x0, 8);
    memcpy(img + 176, &x1, 8);
    starting = id;
    lam_shared_info->vcpu_info[id].evtchn_upcall_mask = 1; /* it takes no events */
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, id, &ctx);
    LAM_CHECK(rc == 0, "initialise vCPU %u with MXCSR 0x%x: %ld", id, mxcsr, rc);
    if (rc)
        return;
    rc = hypercall_vcpu_op(LAM_VCPUOP_up, id, NULL);
    LAM_CHECK(rc == 0, "up vCPU %u: %ld", id, rc);
    for (int i = 0; i < 100000 && !__atomic_load_n(&seen[id].done, __ATOMIC_ACQUIRE); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(seen[id].done, "vCPU %u ran", id);
    lam_printf("vCPU %u (image MXCSR 0x%x) found MXCSR 0x%x FCW 0x%x XMM0 0x%lx XMM1 0x%lx\n", id,
               mxcsr, seen[id].mxcsr, seen[id].fcw, (unsigned long)seen[id].xmm0_lo,
               (unsigned long)seen[id].xmm1_lo);
}

static void context_fpu(void)
{
    /* A valid image: the vCPU starts with exactly it. */
    start_with_fpu(1, 0x1f80 | 0x6000);
    LAM_CHECK(seen[1].mxcsr == (0x1f80 | 0x6000) && seen[1].fcw == 0x027f &&
                  seen[1].xmm0_lo == 0x1122334455667788ull &&
                  seen[1].xmm1_lo == 0x99aabbccddeeff00ull,
              "a valid FXSAVE image is the new vCPU's state");
    /*
     * Reserved MXCSR bits: the host survives and the vCPU runs. Lamina clears them with the
     * CPU's MXCSR_MASK when it takes the context, keeping the rest of the image. Xen masks
     * MXCSR the same way when its XRSTOR faults (and resets the registers the faulting
     * restore covered); under QEMU's TCG XRSTOR does not fault, so Xen loads the bits as
     * they are: only Lamina is held to the masked value.
     */
    start_with_fpu(2, 0xffff0000u | 0x1f80 | 0x6000);
    if (on_lamina)
        LAM_CHECK(seen[2].mxcsr == (0x1f80 | 0x6000) && seen[2].fcw == 0x027f &&
                      seen[2].xmm0_lo == 0x1122334455667788ull,
                  "MXCSR reserved bits cleared, the rest of the image kept (MXCSR 0x%x)",
                  seen[2].mxcsr);
}

void test_main(void)
{
    char extra[LAM_XENVER_EXTRAVERSION_LEN + 1] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    on_lamina = strstr(extra, "lamina") != NULL;
    mm_init();
    segment_base_hypercall();
    segment_base_wrmsr();
    context_bases();
    context_fpu();
}
