/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xcr0-lower: a PV kernel lowers its XCR0 (XSETBV, emulated) after its AVX state was
 * saved at a context switch, then is switched out and back in.
 *
 * Found by the hypercall fuzzer (docs/security/hcfuzz.md): XSAVE writes the XSTATE_BV
 * bits of the components it saves only, so the image kept the AVX bit from the earlier
 * save; restoring it with XCR0 = x87|SSE made XRSTOR raise #GP in the hypervisor, a host
 * panic. Lamina now saves and restores under every component the vCPU ever enabled, as
 * Xen does, which also keeps what it turned off and starts a component it enables for
 * the first time in its initial state -- before, that one held what the previous vCPU
 * on the CPU left in the registers (here another vCPU's YMM upper halves).
 *
 * dom0_max_vcpus=2 on one CPU. vCPU 0 sets CR4.OSXSAVE and XCR0 = 7, writes YMM7, lets
 * vCPU 1 run (vCPU 0 is switched out with AVX state), sets XCR0 = 3, lets vCPU 1 run
 * again: XCR0 and XMM7 are kept; XCR0 = 7 again: YMM7's upper half is its own still (as
 * on Xen). Then vCPU 1, which never had AVX, enables it right after vCPU 0 ran with its
 * pattern: its YMM7 upper half must be zero, not vCPU 0's.
 */
#include <lamina/sched.h>

#include "vcpu_start.h"

const char lam_test_title[] = "lowering XCR0 below a saved XSAVE image";

#define CR4_OSXSAVE (1ull << 18)

static volatile uint64_t other_runs;
static volatile int other_enable; /* 1: vCPU 1 enables AVX and reads YMM7 (then 2) */
static uint8_t other_ymm7[32] __attribute__((aligned(32)));
static int other_xsetbv;
static uint8_t other_stack[8192] __attribute__((aligned(16)));

static void set_cr4_osxsave(void);
static int xsetbv0(uint64_t value);

__attribute__((noreturn)) static void other_vcpu(void)
{
    for (;;) {
        if (other_enable == 1) {
            set_cr4_osxsave();
            other_xsetbv = xsetbv0(7);
            __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(other_ymm7));
            other_enable = 2;
        }
        other_runs++;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
}

/* Yield until vCPU 1 has run: vCPU 0's state is then saved and restored. */
static int switch_away_and_back(void)
{
    uint64_t before = other_runs;
    for (int i = 0; i < 100000 && other_runs == before; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    return other_runs != before;
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* XSETBV (emulated for a PV kernel); returns the vector it raised, or -1. */
static int xsetbv0(uint64_t value)
{
    lam_exception_reset();
    __asm__ volatile("1: xsetbv\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

static void set_cr4_osxsave(void)
{
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSXSAVE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
}

static void write_ymm7(uint8_t seed)
{
    uint8_t v[32] __attribute__((aligned(32)));
    for (int i = 0; i < 32; i++)
        v[i] = (uint8_t)(seed + i);
    __asm__ volatile("vmovdqu %0, %%ymm7" : : "m"(v));
}

static int xmm7_is(uint8_t seed)
{
    uint8_t v[16] __attribute__((aligned(16)));
    __asm__ volatile("movdqu %%xmm7, %0" : "=m"(v));
    for (int i = 0; i < 16; i++)
        if (v[i] != (uint8_t)(seed + i))
            return 0;
    return 1;
}

/* Does YMM7's upper half (bytes 16-31) read seed + i? seed -1: all zero. */
static int upper_is(const uint8_t v[32], int seed)
{
    for (int i = 16; i < 32; i++)
        if (v[i] != (seed < 0 ? 0 : (uint8_t)(seed + i)))
            return 0;
    return 1;
}

void test_main(void)
{
    struct lam_cpuid c1, cd;
    lam_cpuid(1, 0, &c1);
    lam_cpuid(0xd, 0, &cd);
    int xsave = (c1.ecx >> 26) & 1, avx = (c1.ecx >> 28) & 1;
    lam_printf("CPUID: XSAVE %d AVX %d, XCR0 may hold 0x%x\n", xsave, avx, cd.eax);
    if (!xsave || !avx || !(cd.eax & 4)) {
        lam_skip("no XSAVE with AVX offered to PV guests here");
        return;
    }
    mm_init();
    long rc = lam_vcpu_start(1, other_vcpu, other_stack + sizeof(other_stack));
    if (rc == -LAM_ENOENT) {
        lam_skip("dom0 has one vCPU (dom0_max_vcpus=2 not honoured)");
        return;
    }
    mm_expect_rc("start vCPU 1", rc, 0);

    set_cr4_osxsave();
    mm_expect(xsetbv0(7) == -1 && xgetbv0() == 7, "XCR0 = x87|SSE|AVX");
    write_ymm7(0x40); /* AVX state not in its initial configuration */
    mm_expect(switch_away_and_back(), "vCPU 1 ran (our AVX state was saved)");
    mm_expect(xsetbv0(3) == -1 && xgetbv0() == 3, "XCR0 lowered to x87|SSE");
    mm_expect(switch_away_and_back(), "vCPU 1 ran again (our state was restored)");
    lam_printf("after the switches: XCR0 0x%lx, XMM7 %s\n", (unsigned long)xgetbv0(),
               xmm7_is(0x40) ? "kept" : "changed");
    mm_expect(xgetbv0() == 3, "XCR0 is still x87|SSE");
    mm_expect(xmm7_is(0x40), "XMM7 (the SSE half of YMM7) is kept");

    uint8_t v[32] __attribute__((aligned(32)));
    mm_expect(xsetbv0(7) == -1, "XCR0 = x87|SSE|AVX again");
    __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(v));
    lam_printf("vCPU 0's YMM7 upper half after AVX came back: %02x .. %02x\n", v[16], v[31]);
    mm_expect(upper_is(v, 0x40), "vCPU 0's YMM7 upper half is its own still");

    write_ymm7(0x40);
    other_enable = 1;
    for (int i = 0; i < 100000 && other_enable != 2; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    lam_printf("vCPU 1 (never had AVX) enabled it: XSETBV %d, YMM7 upper half %02x .. %02x\n",
               other_xsetbv, other_ymm7[16], other_ymm7[31]);
    mm_expect(other_enable == 2 && other_xsetbv == -1, "vCPU 1 enabled AVX");
    mm_expect(upper_is(other_ymm7, -1), "vCPU 1's YMM7 upper half starts zero (not vCPU 0's)");
}
