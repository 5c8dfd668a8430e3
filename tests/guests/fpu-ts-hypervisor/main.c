/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's CR0.TS is the CPU's while it runs (fpu_taskswitch, MOV to CR0, CLTS), so an
 * FPU instruction the hypervisor executes on its behalf then raises #NM in ring 0 unless it
 * clears TS first. Two such paths, each with TS set (vCPU 0, dom0_max_vcpus=2):
 *  - XSETBV enabling AVX for the first time: the hypervisor initialises the new component
 *    with XRSTOR. The XSETBV must work (Xen 4.17 clears TS around its XRSTOR and puts it
 *    back), TS must still be set afterwards (#NM on the next FPU instruction), and YMM's
 *    upper halves must then read zero;
 *  - VCPUOP_initialise with an FXSAVE image (VGCF_i387_valid), the first of the boot: the
 *    hypervisor reads its own MXCSR_MASK with FXSAVE to sanitise the image. It must answer
 *    0 and start vCPU 1 with the image's XMM0 and MXCSR.
 * Both were a host panic (#NM in the hypervisor). Both hypervisors, the same answers.
 */
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "vcpu_start.h"

const char lam_test_title[] = "hypervisor FPU use while the guest's CR0.TS is set";

#define CR0_TS      (1ull << 3)
#define CR4_OSXSAVE (1ull << 18)

static uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/* One FPU instruction; 1 if it raised #NM. */
static int fpu_touch(void)
{
    lam_exception_reset();
    __asm__ volatile("1: fnop\n2:\n" LAM_ASM_EXTABLE(1b, 2b));
    return lam_last_exception.seen && lam_last_exception.vector == 7;
}

static int xsetbv(uint64_t value)
{
    lam_exception_reset();
    __asm__ volatile("1: xsetbv\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

static void xsetbv_with_ts(void)
{
    struct lam_cpuid c1, cd;
    lam_cpuid(1, 0, &c1);
    lam_cpuid(0xd, 0, &cd);
    if (!((c1.ecx >> 27) & 1) || !(cd.eax & 4) || !((c1.ecx >> 28) & 1)) {
        lam_printf("no AVX state offered: XSETBV with TS not tested\n");
        return;
    }
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSXSAVE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    LAM_CHECK(hypercall_fpu_taskswitch(1) == 0 && (read_cr0() & CR0_TS), "TS set");
    int vec = xsetbv(7); /* AVX for the first time */
    LAM_CHECK(vec == -1, "XSETBV(7) with TS set: taken (vector %d)", vec);
    LAM_CHECK(read_cr0() & CR0_TS, "TS still set after it");
    LAM_CHECK(fpu_touch(), "the next FPU instruction raises #NM");
    LAM_CHECK(!(read_cr0() & CR0_TS) && !fpu_touch(), "which cleared TS");
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    LAM_CHECK(lo == 7 && hi == 0, "XCR0 reads 7 (%x)", lo);
    uint8_t y[32] __attribute__((aligned(32)));
    __asm__ volatile("vmovdqu %%ymm3, %0" : "=m"(y));
    int zero = 1;
    for (int i = 16; i < 32; i++)
        zero &= y[i] == 0;
    LAM_CHECK(zero, "YMM3's upper half starts zero");
}

static uint8_t other_stack[8192] __attribute__((aligned(16)));
static volatile uint32_t other_mxcsr;
static volatile uint8_t other_xmm0[16];
static volatile int other_ran;

__attribute__((noreturn)) static void other_vcpu(void)
{
    uint8_t x[16] __attribute__((aligned(16)));
    uint32_t m;
    __asm__ volatile("movdqa %%xmm0, %0\n stmxcsr %1" : "=m"(x), "=m"(m));
    for (int i = 0; i < 16; i++)
        other_xmm0[i] = x[i];
    other_mxcsr = m;
    __atomic_store_n(&other_ran, 1, __ATOMIC_RELEASE);
    for (;;)
        hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL);
}

static struct lam_vcpu_guest_context ctx;

static void initialise_with_ts(void)
{
    lam_vcpu_context(&ctx, other_vcpu, other_stack + sizeof(other_stack));
    ctx.flags |= LAM_VGCF_i387_valid;
    *(uint16_t *)ctx.fpu_ctxt = 0x037f;
    *(uint32_t *)(ctx.fpu_ctxt + 24) = 0x1f80 | 0x6000; /* round toward zero */
    for (int i = 0; i < 16; i++)
        ctx.fpu_ctxt[160 + i] = (uint8_t)(0xa0 + i);
    LAM_CHECK(hypercall_fpu_taskswitch(1) == 0 && (read_cr0() & CR0_TS), "TS set");
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc == 0, "VCPUOP_initialise with an FXSAVE image, TS set: %ld", rc);
    LAM_CHECK(read_cr0() & CR0_TS, "TS still set after it");
    hypercall_fpu_taskswitch(0);
    if (rc)
        return;
    rc = hypercall_vcpu_op(LAM_VCPUOP_up, 1, NULL);
    LAM_CHECK(rc == 0, "VCPUOP_up: %ld", rc);
    for (int i = 0; i < 100000 && !__atomic_load_n(&other_ran, __ATOMIC_ACQUIRE); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(other_ran, "vCPU 1 ran");
    int same = 1;
    for (int i = 0; i < 16; i++)
        same &= other_xmm0[i] == (uint8_t)(0xa0 + i);
    LAM_CHECK(same && other_mxcsr == (0x1f80 | 0x6000), "vCPU 1 started with the image (MXCSR %x)",
              other_mxcsr);
}

void test_main(void)
{
    mm_init();
    /* First: nothing in the boot has sanitised an FXSAVE image yet. */
    initialise_with_ts();
    xsetbv_with_ts();
}
