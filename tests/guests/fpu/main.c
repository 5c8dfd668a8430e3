/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FPU state per vCPU (dom0_max_vcpus=2, fpu_HV_ARGS): vCPU 0 and vCPU 1 each
 * load their own XMM0-15, MXCSR and x87 control word and check them after
 * every round of yields to the other, many times over. fpu_taskswitch: with
 * the virtual TS set the next FPU instruction raises #NM (CR0 reads show TS),
 * which clears TS so the retry works; fpu_taskswitch(0) clears it too. With
 * XSAVE in CPUID (Xen 4.17 shows it to PV guests): XGETBV, XSETBV of a valid
 * value, #GP for invalid ones, and YMM upper halves isolated between vCPUs.
 */
#include <lamina/sched.h>

#include "vcpu_start.h"

const char lam_test_title[] = "FPU/SSE/AVX state per vCPU, fpu_taskswitch and #NM, XSETBV";

#define ROUNDS 200

struct sse_state {
    uint8_t xmm[16][16] __attribute__((aligned(16)));
    uint32_t mxcsr;
    uint16_t fcw;
};

static void load_sse(const struct sse_state *s)
{
    __asm__ volatile("movdqu 0x00(%0), %%xmm0\n movdqu 0x10(%0), %%xmm1\n"
                     "movdqu 0x20(%0), %%xmm2\n movdqu 0x30(%0), %%xmm3\n"
                     "movdqu 0x40(%0), %%xmm4\n movdqu 0x50(%0), %%xmm5\n"
                     "movdqu 0x60(%0), %%xmm6\n movdqu 0x70(%0), %%xmm7\n"
                     "movdqu 0x80(%0), %%xmm8\n movdqu 0x90(%0), %%xmm9\n"
                     "movdqu 0xa0(%0), %%xmm10\n movdqu 0xb0(%0), %%xmm11\n"
                     "movdqu 0xc0(%0), %%xmm12\n movdqu 0xd0(%0), %%xmm13\n"
                     "movdqu 0xe0(%0), %%xmm14\n movdqu 0xf0(%0), %%xmm15\n"
                     "ldmxcsr %1\n fldcw %2\n"
                     :
                     : "r"(s->xmm), "m"(s->mxcsr), "m"(s->fcw)
                     : "memory");
}

static void save_sse(struct sse_state *s)
{
    __asm__ volatile("movdqu %%xmm0, 0x00(%0)\n movdqu %%xmm1, 0x10(%0)\n"
                     "movdqu %%xmm2, 0x20(%0)\n movdqu %%xmm3, 0x30(%0)\n"
                     "movdqu %%xmm4, 0x40(%0)\n movdqu %%xmm5, 0x50(%0)\n"
                     "movdqu %%xmm6, 0x60(%0)\n movdqu %%xmm7, 0x70(%0)\n"
                     "movdqu %%xmm8, 0x80(%0)\n movdqu %%xmm9, 0x90(%0)\n"
                     "movdqu %%xmm10, 0xa0(%0)\n movdqu %%xmm11, 0xb0(%0)\n"
                     "movdqu %%xmm12, 0xc0(%0)\n movdqu %%xmm13, 0xd0(%0)\n"
                     "movdqu %%xmm14, 0xe0(%0)\n movdqu %%xmm15, 0xf0(%0)\n"
                     "stmxcsr %1\n fnstcw %2\n"
                     :
                     : "r"(s->xmm), "m"(s->mxcsr), "m"(s->fcw)
                     : "memory");
}

static void fill(struct sse_state *s, uint8_t seed, uint32_t mxcsr, uint16_t fcw)
{
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            s->xmm[r][b] = (uint8_t)(seed + r * 16 + b);
    s->mxcsr = mxcsr;
    s->fcw = fcw;
}

static int same(const struct sse_state *a, const struct sse_state *b)
{
    return !memcmp(a->xmm, b->xmm, sizeof(a->xmm)) && a->mxcsr == b->mxcsr && a->fcw == b->fcw;
}

/* YMM7's upper half (AVX), used only when XCR0 has it; the lower half (XMM7) is kept. */
static int avx_on;
static void load_ymm_hi(uint8_t seed)
{
    uint8_t v[32] __attribute__((aligned(32)));
    __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(v));
    for (int i = 16; i < 32; i++)
        v[i] = (uint8_t)(seed + i);
    __asm__ volatile("vmovdqu %0, %%ymm7" : : "m"(v));
}
static int check_ymm(uint8_t seed)
{
    uint8_t v[32] __attribute__((aligned(32)));
    __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(v));
    for (int i = 16; i < 32; i++)
        if (v[i] != (uint8_t)(seed + i))
            return 0;
    return 1;
}

static int xsetbv(uint32_t index, uint64_t value);
static uint64_t xgetbv0(void);
static void set_cr4_osxsave(void);

static volatile int go, other_rounds, other_bad, other_fresh = -1;
static uint8_t other_stack[8192] __attribute__((aligned(16)));

__attribute__((noreturn)) static void other_vcpu(void)
{
    struct sse_state mine, now, fresh;
    /* A new vCPU's FPU state is the reset one, nothing left from vCPU 0. */
    save_sse(&now);
    memset(&fresh, 0, sizeof(fresh));
    fresh.mxcsr = 0x1f80;
    fresh.fcw = 0x037f;
    other_fresh = same(&now, &fresh);
    fill(&mine, 0x80, 0x1f80 | 0x6000 /* round toward zero */, 0x027f);
    load_sse(&mine);
    if (avx_on) { /* XCR0 is per vCPU: enable AVX here too */
        set_cr4_osxsave();
        if (xsetbv(0, 7) != -1 || xgetbv0() != 7)
            other_bad = 1000;
        load_ymm_hi(0xc0);
    }
    for (;;) {
        if (go) {
            save_sse(&now);
            if (!same(&mine, &now) || (avx_on && !check_ymm(0xc0)))
                other_bad++;
            other_rounds++;
        }
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
}

static void test_isolation(void)
{
    struct sse_state mine, now;
    fill(&mine, 0x10, 0x1f80 | 0x2000 /* round down */, 0x037e);
    load_sse(&mine);
    if (avx_on)
        load_ymm_hi(0x40);
    long rc = lam_vcpu_start(1, other_vcpu, other_stack + sizeof(other_stack));
    if (rc) {
        lam_fail("start vCPU 1: %ld", rc);
        return;
    }
    go = 1;
    int bad = 0, yields = 0;
    for (int i = 0; i < ROUNDS * 20 && other_rounds < ROUNDS; i++, yields++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        save_sse(&now);
        if (!same(&mine, &now) || (avx_on && !check_ymm(0x40))) {
            if (!bad++)
                lam_printf("vCPU 0 first difference: mxcsr %x/%x fcw %x/%x xmm0[0] %x/%x "
                           "xmm15[15] %x/%x ymm %d\n",
                           mine.mxcsr, now.mxcsr, mine.fcw, now.fcw, mine.xmm[0][0], now.xmm[0][0],
                           mine.xmm[15][15], now.xmm[15][15], avx_on ? check_ymm(0x40) : -1);
        }
    }
    lam_printf("vCPU 1 checked %d times, vCPU 0 %d times\n", other_rounds, yields);
    LAM_CHECK(other_rounds >= ROUNDS, "vCPU 1 ran %d rounds", other_rounds);
    LAM_CHECK(other_fresh == 1, "vCPU 1 started with a clean FPU/SSE state (%d)", other_fresh);
    LAM_CHECK(!bad, "vCPU 0's FPU/SSE%s state changed %d times", avx_on ? "/AVX" : "", bad);
    LAM_CHECK(!other_bad, "vCPU 1's FPU/SSE%s state changed %d times", avx_on ? "/AVX" : "",
              other_bad);
    go = 0;
    hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL);
}

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

static void test_taskswitch(void)
{
    LAM_CHECK(!fpu_touch(), "no #NM with TS clear");
    LAM_CHECK(hypercall_fpu_taskswitch(1) == 0, "fpu_taskswitch(1)");
    LAM_CHECK(read_cr0() & 8, "CR0 reads show TS set");
    LAM_CHECK(fpu_touch(), "an FPU instruction with TS set raises #NM");
    LAM_CHECK(!(read_cr0() & 8), "... which clears TS");
    LAM_CHECK(!fpu_touch(), "the retry runs");
    hypercall_fpu_taskswitch(1);
    LAM_CHECK(hypercall_fpu_taskswitch(0) == 0, "fpu_taskswitch(0)");
    LAM_CHECK(!fpu_touch(), "no #NM after fpu_taskswitch(0)");
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* XSETBV (emulated for a PV kernel); returns the vector it raised, or -1. */
static int xsetbv(uint32_t index, uint64_t value)
{
    lam_exception_reset();
    __asm__ volatile("1: xsetbv\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

#define CR4_OSXSAVE (1ull << 18)

static uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void set_cr4_osxsave(void)
{
    uint64_t cr4 = read_cr4() | CR4_OSXSAVE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
}

static void test_xsave(void)
{
    struct lam_cpuid c1, cd;
    lam_cpuid(1, 0, &c1);
    int xsave = (c1.ecx >> 26) & 1, osxsave = (c1.ecx >> 27) & 1, avx = (c1.ecx >> 28) & 1;
    lam_printf("CPUID: XSAVE %d OSXSAVE %d AVX %d\n", xsave, osxsave, avx);
    if (!xsave || !osxsave) {
        lam_printf("no XSAVE for PV guests here: XSETBV not tested\n");
        return;
    }
    lam_cpuid(0xd, 0, &cd);
    uint64_t supported = ((uint64_t)cd.edx << 32) | cd.eax;
    uint64_t xcr0 = xgetbv0();
    lam_printf("XCR0 0x%lx, supported 0x%lx, area %u bytes\n", (unsigned long)xcr0,
               (unsigned long)supported, cd.ebx);
    LAM_CHECK((xcr0 & 3) == 3, "XCR0 has x87 and SSE (%lx)", (unsigned long)xcr0);
    LAM_CHECK(!(read_cr4() & CR4_OSXSAVE), "the guest's CR4.OSXSAVE starts clear");
    int vec = xsetbv(0, 3);
    LAM_CHECK(vec == 6, "XSETBV before setting CR4.OSXSAVE is #UD (vector %d)", vec);
    set_cr4_osxsave();
    LAM_CHECK(read_cr4() & CR4_OSXSAVE, "CR4.OSXSAVE reads back set");
    vec = xsetbv(0, 3);
    LAM_CHECK(vec == -1, "XSETBV x87|SSE is accepted (vector %d)", vec);
    LAM_CHECK(xgetbv0() == 3, "... and read back");
    LAM_CHECK(xsetbv(0, 0) == 13, "XSETBV without x87 is #GP");
    LAM_CHECK(xsetbv(0, 1ull << 63) == 13, "XSETBV of an unsupported bit is #GP");
    LAM_CHECK(xsetbv(1, 3) == 13, "XSETBV of XCR1 is #GP");
    if ((supported & 4) && avx) {
        LAM_CHECK(xsetbv(0, 5) == 13, "XSETBV of AVX without SSE is #GP");
        LAM_CHECK(xsetbv(0, 7) == -1, "XSETBV x87|SSE|AVX is accepted");
        avx_on = xgetbv0() == 7;
        LAM_CHECK(avx_on, "... and read back");
    }
}

void test_main(void)
{
    mm_init();
    test_taskswitch();
    test_xsave();
    test_isolation();
}
