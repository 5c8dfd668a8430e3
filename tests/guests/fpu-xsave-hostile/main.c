/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XSETBV and XRSTOR from a hostile PV kernel.
 *  - XSETBV of x87|SSE plus each single bit 2..63: a bit outside what CPUID leaf 0xd shows
 *    (MPX, AVX-512, PKRU, AMX, reserved) is #GP and XCR0 keeps its value; XCR0 with AVX
 *    but without SSE, without x87, XCR1, XCR 0xffffffff: #GP; ECX's upper half is ignored.
 *  - XSETBV behind prefixes, as Xen 4.17's emulator takes them: segment overrides, 67 and
 *    REX (also REX.W) run it; 66/F2/F3 (the CPU's own #UD) and LOCK are #UD.
 *  - The guest's own XRSTOR of malformed images (XSTATE_BV outside XCR0, reserved header
 *    bytes, the compacted form without XSAVEC, MXCSR reserved bits) and FXRSTOR with MXCSR
 *    reserved bits: #GP in the guest, which keeps its registers; its state still survives
 *    a trip through the hypervisor afterwards (x87 stack, FCW, MXCSR, XMM, YMM).
 * Both hypervisors, the same answers.
 */
#include <stdbool.h>

#include <lamina/sched.h>

#include "lam.h"

const char lam_test_title[] = "XSETBV with hostile values and prefixes; malformed XRSTOR images";

#define CR4_OSXSAVE (1ull << 18)
#define NONE        (-1)

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int vector(void)
{
    return lam_last_exception.seen ? (int)lam_last_exception.vector : NONE;
}

/* XSETBV with rcx as given (upper half too), and with each prefix form. */
static int xsetbv_rcx(uint64_t rcx, uint64_t v)
{
    lam_exception_reset();
    __asm__ volatile("1: xsetbv\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "c"(rcx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    return vector();
}

#define XSETBV_PREFIXED(name, bytes)                                                               \
    static int name(uint64_t v)                                                                    \
    {                                                                                              \
        lam_exception_reset();                                                                     \
        __asm__ volatile("1: .byte " bytes ", 0x0f, 0x01, 0xd1\n2:\n" LAM_ASM_EXTABLE(1b, 2b)      \
                         :                                                                         \
                         : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));                    \
        return vector();                                                                           \
    }
XSETBV_PREFIXED(xsetbv_cs, "0x2e")
XSETBV_PREFIXED(xsetbv_ds_fs, "0x3e, 0x64")
XSETBV_PREFIXED(xsetbv_addr32, "0x67")
XSETBV_PREFIXED(xsetbv_rex, "0x40")
XSETBV_PREFIXED(xsetbv_rexw, "0x48")
XSETBV_PREFIXED(xsetbv_opsize, "0x66")
XSETBV_PREFIXED(xsetbv_rep, "0xf3")
XSETBV_PREFIXED(xsetbv_repne, "0xf2")
XSETBV_PREFIXED(xsetbv_lock, "0xf0")

static uint64_t offered; /* CPUID 0xd.0 EDX:EAX */

static void xsetbv_bits(void)
{
    uint64_t base = offered & 4 ? 7 : 3;
    LAM_CHECK(xsetbv_rcx(0, base) == NONE && xgetbv0() == base, "XSETBV 0x%lx",
              (unsigned long)base);
    int refused = 0, taken = 0;
    for (int b = 2; b < 64; b++) {
        uint64_t v = base | (1ull << b);
        if (v == base)
            continue;
        int vec = xsetbv_rcx(0, v);
        uint64_t now = xgetbv0();
        lam_printf("cmp: XSETBV(XCR0 0x%lx): vector %d, XCR0 now 0x%lx\n", (unsigned long)v, vec,
                   (unsigned long)now);
        if (!(offered & (1ull << b))) {
            LAM_CHECK(vec == 13 && now == base, "XCR0 bit %d (not offered): #GP, XCR0 kept (%d)", b,
                      vec);
            refused++;
        } else {
            taken += vec == NONE;
            xsetbv_rcx(0, base); /* back, if it was taken */
        }
    }
    lam_printf("bits 2..63 above 0x%lx: %d refused as not offered, %d offered and taken\n",
               (unsigned long)base, refused, taken);
    LAM_CHECK(xsetbv_rcx(0, 0) == 13 && xgetbv0() == base, "XCR0 0 (no x87): #GP");
    LAM_CHECK(xsetbv_rcx(0, 2) == 13, "XCR0 SSE without x87: #GP");
    if (offered & 4)
        LAM_CHECK(xsetbv_rcx(0, 5) == 13 && xgetbv0() == base, "XCR0 AVX without SSE: #GP");
    LAM_CHECK(xsetbv_rcx(0, ~0ull) == 13 && xgetbv0() == base, "XCR0 ~0: #GP");
    LAM_CHECK(xsetbv_rcx(1, 3) == 13, "XCR1: #GP");
    LAM_CHECK(xsetbv_rcx(0xffffffffull, 3) == 13, "XCR 0xffffffff: #GP");
    LAM_CHECK(xsetbv_rcx(0x100000000ull, 3) == NONE && xgetbv0() == 3,
              "ECX's upper half is ignored: RCX 2^32 is XCR0");
    LAM_CHECK(xsetbv_rcx(0xffffffff00000000ull, base) == NONE && xgetbv0() == base,
              "RCX 0xffffffff00000000 is XCR0");
}

static void xsetbv_prefixes(void)
{
    static const struct {
        const char *what;
        int (*fn)(uint64_t);
        int want; /* for a valid value */
    } cases[] = {
        {"CS override", xsetbv_cs, NONE},
        {"DS and FS overrides", xsetbv_ds_fs, NONE},
        {"67 (address size)", xsetbv_addr32, NONE},
        {"REX", xsetbv_rex, NONE},
        {"REX.W", xsetbv_rexw, NONE},
        {"66 (operand size)", xsetbv_opsize, 6},
        {"F3", xsetbv_rep, 6},
        {"F2", xsetbv_repne, 6},
        {"LOCK", xsetbv_lock, 6},
    };
    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xsetbv_rcx(0, 3);
        uint64_t want_xcr0 = cases[i].want == NONE && (offered & 4) ? 7 : 3;
        int vec = cases[i].fn(offered & 4 ? 7 : 3);
        LAM_CHECK(vec == cases[i].want && xgetbv0() == want_xcr0,
                  "XSETBV with %s: vector %d (want %d), XCR0 0x%lx", cases[i].what, vec,
                  cases[i].want, (unsigned long)xgetbv0());
        if (cases[i].want == NONE) { /* an invalid value behind the prefix is still #GP */
            vec = cases[i].fn(0);
            LAM_CHECK(vec == 13, "XSETBV(0) with %s: #GP (%d)", cases[i].what, vec);
        }
    }
}

/* ---- the guest's own XRSTOR / FXRSTOR ---- */

static uint8_t area[4096] __attribute__((aligned(64)));
static uint8_t good[4096] __attribute__((aligned(64)));
static uint8_t after[4096] __attribute__((aligned(64))); /* the state after an attempt */

static int xrstor(const uint8_t *img, uint64_t rfbm)
{
    lam_exception_reset();
    __asm__ volatile("1: xrstor64 %0\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "m"(*(const uint8_t(*)[4096])img), "a"((uint32_t)rfbm),
                       "d"((uint32_t)(rfbm >> 32))
                     : "memory");
    return vector();
}

static void xsave(uint8_t *img, uint64_t rfbm)
{
    __asm__ volatile("xsave64 %0"
                     : "=m"(*(uint8_t(*)[4096])img)
                     : "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32))
                     : "memory");
}

static int fxrstor(const uint8_t *img)
{
    lam_exception_reset();
    __asm__ volatile("1: fxrstor64 %0\n2:\n" LAM_ASM_EXTABLE(1b, 2b)
                     :
                     : "m"(*(const uint8_t(*)[512])img)
                     : "memory");
    return vector();
}

/* A recognisable state: x87 stack 1..8, FCW, MXCSR, XMM0-15 and (with AVX) YMM uppers. */
static void load_pattern(void)
{
    static const double st[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint16_t fcw = 0x027f;
    static const uint32_t mxcsr = 0x1f80 | 0x6000;
    static uint8_t xmm[16] __attribute__((aligned(32)));
    __asm__ volatile("fninit\n fldcw %0" : : "m"(fcw));
    for (int i = 0; i < 8; i++)
        __asm__ volatile("fldl %0" : : "m"(st[i]));
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    for (int i = 0; i < 16; i++)
        xmm[i] = (uint8_t)(0x30 + i);
    __asm__ volatile("movdqa %0, %%xmm0\n movdqa %0, %%xmm7\n movdqa %0, %%xmm15" : : "m"(xmm));
}

/* The x87/SSE/AVX parts of two XSAVE images (FOP/FIP/FDP aside). */
static int same_state(const uint8_t *img, const uint8_t *ref, const char *when)
{
    int same = !memcmp(img, ref, 4) && !memcmp(img + 24, ref + 24, 4) &&
               !memcmp(img + 32, ref + 32, 128 + 256) && !memcmp(img + 576, ref + 576, 256);
    if (!same)
        lam_printf("%s: FCW %x/%x MXCSR %x/%x ST0[0] %x/%x XMM0[0] %x/%x\n", when,
                   *(const uint16_t *)img, *(const uint16_t *)ref, *(const uint32_t *)(img + 24),
                   *(const uint32_t *)(ref + 24), img[32], ref[32], img[160], ref[160]);
    return same;
}

/* One restore of a malformed image: #GP, and our registers as they were, on hardware; QEMU's
 * TCG takes reserved header bytes and MXCSR bits without a fault (noted, not a failure).
 * Either way the good state is loaded again afterwards. */
static void restore_attempt(const char *what, int vec, uint8_t *now, uint64_t xcr0)
{
    memset(now, 0, 2048);
    xsave(now, xcr0);
    if (vec == 13)
        LAM_CHECK(same_state(now, good, what), "%s: #GP, our registers unchanged", what);
    else
        lam_printf("%s: taken without a fault (vector %d): QEMU's TCG does not check it\n", what,
                   vec);
    LAM_CHECK(vec == 13 || vec == NONE, "%s: #GP or taken (%d)", what, vec);
    LAM_CHECK(xrstor(good, xcr0) == NONE, "XRSTOR of our own image again");
}

static void malformed_images(void)
{
    uint64_t xcr0 = xgetbv0();
    load_pattern();
    memset(good, 0, sizeof(good));
    xsave(good, xcr0);
    uint64_t xstate_bv = *(uint64_t *)(good + 512);
    lam_printf("XSAVE under XCR0 0x%lx: XSTATE_BV 0x%lx\n", (unsigned long)xcr0,
               (unsigned long)xstate_bv);
    LAM_CHECK(xrstor(good, xcr0) == NONE, "XRSTOR of our own image");

    static const struct {
        const char *what;
        unsigned int off, size;
        uint64_t value;
        bool must_fault; /* QEMU's TCG checks it too */
    } bad[] = {
        {"XRSTOR with XSTATE_BV bit 9 (PKRU, outside XCR0)", 512, 8, 1ull << 9, true},
        {"XRSTOR with XSTATE_BV bit 63", 512, 8, 1ull << 63, true},
        {"XRSTOR with a reserved header byte (24)", 536, 8, 1, false},
        {"XRSTOR with a reserved header byte (63)", 568, 8, 1ull << 56, false},
        {"XRSTOR with MXCSR reserved bits", 24, 4, 0xffff0000u, false},
    };
    uint8_t *now = after;
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memcpy(area, good, 2048);
        uint64_t v = bad[i].value;
        if (bad[i].off == 512)
            v |= xstate_bv;
        if (bad[i].off == 24)
            v |= *(uint32_t *)(good + 24);
        memcpy(area + bad[i].off, &v, bad[i].size);
        int vec = xrstor(area, xcr0);
        if (bad[i].must_fault)
            LAM_CHECK(vec == 13, "%s: #GP (%d)", bad[i].what, vec);
        restore_attempt(bad[i].what, vec, now, xcr0);
    }
    /* The compacted form (XCOMP_BV bit 63) is XRSTORS/XSAVEC's; XRSTOR takes it only where
     * XSAVEC exists, and then only with XCOMP_BV covering XSTATE_BV. */
    memcpy(area, good, 2048);
    uint64_t comp = (1ull << 63) | 1; /* x87 only, while XSTATE_BV has SSE (and AVX) */
    memcpy(area + 520, &comp, 8);
    int vec = xrstor(area, xcr0);
    LAM_CHECK(vec == 13, "XRSTOR of a compacted image not covering XSTATE_BV: #GP (%d)", vec);
    restore_attempt("XRSTOR of a compacted image", vec, now, xcr0);
    memcpy(area, good, 512);
    *(uint32_t *)(area + 24) |= 0xffff0000u;
    restore_attempt("FXRSTOR with MXCSR reserved bits", fxrstor(area), now, xcr0);

    /* Whatever the CPU took (under TCG: reserved MXCSR bits), the hypervisor saves and
     * restores it with the rest, without a fault, on every trip through it. */
    memcpy(area, good, 512);
    *(uint32_t *)(area + 24) |= 0xffff0000u;
    vec = fxrstor(area);
    memset(good, 0, 2048);
    xsave(good, xcr0);
    for (int i = 0; i < 50; i++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        hypercall_xen_version(0, NULL);
    }
    memset(now, 0, 2048);
    xsave(now, xcr0);
    LAM_CHECK(same_state(now, good, "after hypercalls"),
              "our state (MXCSR 0x%x: the CPU %s the reserved bits) survives hypercalls",
              *(uint32_t *)(good + 24), vec == 13 ? "refused" : "took");
    __asm__ volatile("fninit");
    uint32_t mxcsr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

void test_main(void)
{
    struct lam_cpuid c1, cd;
    lam_cpuid(1, 0, &c1);
    if (!((c1.ecx >> 26) & 1) || !((c1.ecx >> 27) & 1)) {
        lam_skip("no XSAVE offered to PV guests on this CPU");
        return;
    }
    lam_cpuid(0xd, 0, &cd);
    offered = ((uint64_t)cd.edx << 32) | cd.eax;
    lam_printf("CPUID 0xd.0: XCR0 may have 0x%lx\n", (unsigned long)offered);
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSXSAVE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    xsetbv_bits();
    xsetbv_prefixes();
    xsetbv_rcx(0, offered & 4 ? 7 : 3);
    malformed_images();
}
