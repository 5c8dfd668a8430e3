/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpuid-policy: the CPUID leaves and MSRs a PV guest is shown, run under
 * several QEMU CPU models (test.mk) on both hypervisors.
 *
 * Two kinds of check. The rules every PV policy must keep are checked here: no protection
 * keys (a kernel that sees PKU executes WRPKRU, which #UDs in a PV guest: Debian's dom0
 * panicked), nothing only a ring-0 or HVM kernel can use (VMX, SVM, SMEP, SMAP, UMIP, LA57,
 * PCID, INVPCID, PGE, PSE, TSC deadline, MONITOR, 1 GiB pages, PKS), the hypervisor bit,
 * OSXSAVE with XSAVE, AVX only with its XSAVE state, leaves past the highest ones zero, the
 * hypervisor leaves' layout; RDTSCP/RDPID return the vCPU's TSC_AUX, and with CR4.FSGSBASE
 * the bases set by WRFSBASE/WRGSBASE and by the hypervisor agree. Then every leaf (through
 * the forced-emulation prefix and plain CPUID), every MSR of a list (read, and some written)
 * is printed on a "cmp" line, and the runner requires those lines to be the same on Xen 4.17
 * and on Lamina (cpuid-policy_COMPARE): the policy is Xen's, leaf by leaf. Values that
 * legitimately differ are printed on "info" lines instead: the TSC and its calibrated
 * frequency, and what Lamina does not offer (docs/differences.md): ARCH_CAPABILITIES and
 * the machine-check features MCE/MCA (whose MSRs still answer as Xen's, and are compared).
 */
#include <lamina/cpuid.h>
#include <lamina/traps.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "the CPUID leaves and MSRs a PV guest is shown";

#define B(n) (1u << (n))

static void native_cpuid(uint32_t leaf, uint32_t sub, struct lam_cpuid *r)
{
    __asm__ volatile("cpuid"
                     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
                     : "0"(leaf), "2"(sub));
}

static unsigned int subleaves(uint32_t leaf)
{
    switch (leaf) {
    case 0xd:
        return 64;
    case 4:
    case 0xb:
    case 0x1f:
    case 0x8000001d:
        return 8;
    case 7:
    case 0xf:
    case 0x10:
    case 0x12:
    case 0x14:
    case 0x17:
    case 0x18:
    case 0x40000003:
    case 0x80000020:
        return 4;
    default:
        return 1;
    }
}

/* What may differ between the hypervisors, printed on an info line instead. */
static void mask_volatile(const char *tag, uint32_t leaf, uint32_t sub, struct lam_cpuid *r)
{
    if (tag[0] == 'c' && leaf == LAM_CPUID_LEAF(LAM_CPUID_LEAF_TIME) && sub == 2) {
        lam_printf("info tsc-khz %u\n", r->eax); /* each calibrates the TSC itself */
        r->eax = 0;
    }
    if (tag[0] == 'c' && (leaf == 1 || leaf == 0x80000001) && (r->edx & (B(7) | B(14)))) {
        lam_printf("info mce shown in %x\n", leaf); /* Xen shows MCE/MCA, Lamina not */
        r->edx &= ~(B(7) | B(14));
    }
    if (tag[0] == 'c' && leaf == 7 && sub == 0 && (r->edx & B(29))) {
        lam_printf("info arch-caps shown\n"); /* Xen offers ARCH_CAPS to dom0, Lamina not */
        r->edx &= ~B(29);
    }
}

static void dump(const char *tag, void (*fn)(uint32_t, uint32_t, struct lam_cpuid *), uint32_t lo,
                 uint32_t hi)
{
    for (uint32_t l = lo; l <= hi; l++) {
        for (uint32_t s = 0; s < subleaves(l); s++) {
            struct lam_cpuid r;
            fn(l, s, &r);
            mask_volatile(tag, l, s, &r);
            if (r.eax | r.ebx | r.ecx | r.edx)
                lam_printf("cmp %s %08x.%x: %08x %08x %08x %08x\n", tag, l, s, r.eax, r.ebx, r.ecx,
                           r.edx);
        }
    }
}

static void dump_all(const char *tag, void (*fn)(uint32_t, uint32_t, struct lam_cpuid *))
{
    dump(tag, fn, 0, 0x20);
    dump(tag, fn, 0x40000000, 0x40000010);
    dump(tag, fn, 0x40000100, 0x40000104);
    dump(tag, fn, 0x80000000, 0x80000028);
    dump(tag, fn, 0xc0000000, 0xc0000004);
    dump(tag, fn, 0x20000000, 0x20000000);
    dump(tag, fn, 0x8fffffff, 0x8fffffff);
}

static int try_rdmsr(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    lam_exception_reset();
    __asm__ volatile("1: rdmsr\n2:\n" LAM_ASM_EXTABLE(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr));
    *val = ((uint64_t)hi << 32) | lo;
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

static int try_wrmsr(uint32_t msr, uint64_t val)
{
    lam_exception_reset();
    __asm__ volatile("1: wrmsr\n2:\n" LAM_ASM_EXTABLE(1b, 2b)::"c"(msr), "a"((uint32_t)val),
                     "d"((uint32_t)(val >> 32)));
    return lam_last_exception.seen ? (int)lam_last_exception.vector : -1;
}

/* Architectural, Intel and AMD MSRs a kernel touches (Linux's boot, mce, PMU, cpufreq,
 * microcode and speculation code), and the ones Xen answers for a PV guest. */
static const uint32_t msrs[] = {
    0x10,       0x17,       0x1b,       0x3a,       0x48,       0x49,       0x8b,       0x9e,
    0xce,       0xe7,       0xe8,       0xfe,       0x10a,      0x10b,      0x122,      0x123,
    0x140,      0x174,      0x175,      0x176,      0x179,      0x17a,      0x17b,      0x186,
    0x187,      0xc1,       0x198,      0x199,      0x19a,      0x19b,      0x19c,      0x1a0,
    0x1a2,      0x1b1,      0x1d9,      0x200,      0x201,      0x250,      0x277,      0x280,
    0x281,      0x2ff,      0x309,      0x345,      0x38d,      0x38f,      0x400,      0x401,
    0x402,      0x403,      0x404,      0x408,      0x480,      0x4d0,      0x6e0,      0x802,
    0x808,      0xd90,      0xda0,      0x1b01,     0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083,
    0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104, 0xc0010000, 0xc0010004,
    0xc0010010, 0xc0010015, 0xc001001f, 0xc0010055, 0xc0010058, 0xc0010061, 0xc0010062, 0xc0010063,
    0xc0010064, 0xc0010114, 0xc0010117, 0xc0010131, 0xc0010140, 0xc0010141, 0xc0010200, 0xc001011f,
    0xc0011020, 0xc0011021, 0xc0011022, 0xc0011023, 0xc0011027, 0xc0011029, 0xc001100c, 0xc0000408,
};

/* Writes a kernel makes at boot (and a few it should not get away with). */
static const struct {
    uint32_t msr;
    uint64_t val;
} writes[] = {
    {0x8b, 0},                      /* Intel's microcode-revision read sequence */
    {0x8b, 1},                      /* ... and anything else */
    {0x140, 0},                     /* MISC_FEATURES_ENABLES: no CPUID faulting */
    {0x140, 1},                     /* ... which is not offered */
    {0x17a, 0},                     /* MCG_STATUS */
    {0x401, 0},                     /* MC0_STATUS cleared */
    {0x400, ~0ull},                 /* MC0_CTL all enabled */
    {0x186, 0},                     /* Intel EVNTSEL0 */
    {0xc0010000, 0},                /* AMD K7 EVNTSEL0 */
    {0x199, 0},                     /* Intel PERF_CTL */
    {0xc0010062, 0},                /* AMD P-state control */
    {0x277, 0x0007040600070406ull}, /* PAT: only the ABI's value */
    {0x49, 1},                      /* PRED_CMD */
    {0x48, 0},                      /* SPEC_CTRL */
    {0x1b, 0xfee00900},             /* APIC_BASE */
    {0xc001001f, 0},                /* NB_CFG */
    {0xc0000103, 1ull << 32},       /* TSC_AUX is 32 bits */
};

static void dump_msrs(void)
{
    for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        uint64_t v;
        int vec = try_rdmsr(msrs[i], &v);
        if (msrs[i] == 0x10a) /* ARCH_CAPS: Xen offers it to dom0 on Intel, Lamina not */
            lam_printf("info msr %08x: %d %016lx\n", msrs[i], vec, (unsigned long)v);
        else if (vec >= 0)
            lam_printf("cmp msr %08x: vector %d\n", msrs[i], vec);
        else if (msrs[i] == 0x10) /* the TSC */
            lam_printf("info msr %08x: %016lx\n", msrs[i], (unsigned long)v);
        else
            lam_printf("cmp msr %08x: %016lx\n", msrs[i], (unsigned long)v);
    }
    for (unsigned int i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
        lam_printf("cmp wrmsr %08x <- %lx: vector %d\n", writes[i].msr,
                   (unsigned long)writes[i].val, try_wrmsr(writes[i].msr, writes[i].val));
}

static void check_hidden(void)
{
    struct lam_cpuid l1, l7, e1;
    lam_cpuid(1, 0, &l1);
    lam_cpuid(7, 0, &l7);
    lam_cpuid(0x80000001, 0, &e1);
    lam_printf("leaf 1 ecx %08x edx %08x, leaf 7 ebx %08x ecx %08x edx %08x, 0x80000001 ecx "
               "%08x edx %08x\n",
               l1.ecx, l1.edx, l7.ebx, l7.ecx, l7.edx, e1.ecx, e1.edx);
    LAM_CHECK(!(l7.ecx & (B(3) | B(4))), "protection keys shown: leaf 7 ecx %08x", l7.ecx);
    LAM_CHECK(!(l7.ecx & (B(2) | B(16) | B(31))), "UMIP/LA57/PKS shown: leaf 7 ecx %08x", l7.ecx);
    LAM_CHECK(!(l7.ebx & (B(7) | B(20) | B(10) | B(1) | B(2) | B(14))),
              "SMEP/SMAP/INVPCID/TSC_ADJUST/SGX/MPX shown: leaf 7 ebx %08x", l7.ebx);
    LAM_CHECK(!(l1.ecx & (B(3) | B(5) | B(6) | B(17) | B(24))),
              "MONITOR/VMX/SMX/PCID/TSC-deadline shown: leaf 1 ecx %08x", l1.ecx);
    LAM_CHECK(!(l1.edx & (B(3) | B(13) | B(17))), "PSE/PGE/PSE36 shown: leaf 1 edx %08x", l1.edx);
    LAM_CHECK(!(e1.ecx & (B(2) | B(4))), "SVM/CR8_LEGACY shown: 0x80000001 ecx %08x", e1.ecx);
    LAM_CHECK(!(e1.edx & B(26)), "1 GiB pages shown: 0x80000001 edx %08x", e1.edx);
    LAM_CHECK(l1.ecx & B(31), "no hypervisor bit: leaf 1 ecx %08x", l1.ecx);
    LAM_CHECK(!!(l1.ecx & B(26)) == !!(l1.ecx & B(27)), "OSXSAVE without XSAVE or the reverse");
    if (l1.ecx & B(26)) {
        struct lam_cpuid d;
        lam_cpuid(0xd, 0, &d);
        LAM_CHECK((d.eax & 3) == 3, "XSAVE without x87/SSE state: %08x", d.eax);
        LAM_CHECK(!!(l1.ecx & B(28)) == !!(d.eax & 4), "AVX %d but YMM state %d",
                  !!(l1.ecx & B(28)), !!(d.eax & 4));
        LAM_CHECK(!(d.eax & ~7u) && !d.edx, "state beyond x87/SSE/AVX offered: %08x:%08x", d.edx,
                  d.eax);
    }
    if (!(l1.ecx & B(28)))
        LAM_CHECK(!(l1.ecx & (B(12) | B(29))) && !(l7.ebx & B(5)), "FMA/F16C/AVX2 without AVX");
}

static void check_ranges(void)
{
    struct lam_cpuid r, z;
    lam_cpuid(0, 0, &r);
    LAM_CHECK(r.eax >= 1, "highest basic leaf %x", r.eax);
    LAM_CHECK(r.eax <= 0xd, "basic leaves up to %x (Xen 4.17: at most 0xd)", r.eax);
    lam_cpuid(r.eax + 1, 0, &z);
    LAM_CHECK(!(z.eax | z.ebx | z.ecx | z.edx), "leaf %x past the highest is not zero", r.eax + 1);
    lam_cpuid(0x80000000, 0, &r);
    lam_cpuid(r.eax + 1, 0, &z);
    LAM_CHECK(!(z.eax | z.ebx | z.ecx | z.edx), "leaf %x past the highest is not zero", r.eax + 1);
    if (r.eax >= 0x80000008) {
        lam_cpuid(0x80000008, 0, &z);
        LAM_CHECK(((z.eax >> 8) & 0xff) <= 48, "linear address bits %u", (z.eax >> 8) & 0xff);
    }
    lam_cpuid(0xc0000000, 0, &z);
    LAM_CHECK(!(z.eax | z.ebx | z.ecx | z.edx), "leaf c0000000 is not zero");
    lam_cpuid(LAM_CPUID_BASE, 0, &r);
    LAM_CHECK(r.eax == LAM_CPUID_LEAF(LAM_CPUID_LEAF_PV), "highest hypervisor leaf %x", r.eax);
    lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_HYPERCALL), 0, &r);
    LAM_CHECK(r.ecx & LAM_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD, "PRESERVE_AD not announced");
    lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_PV), 0, &r);
    LAM_CHECK((r.ebx & 0xff) >= 20 && (r.ebx & 0xff) <= 52, "machine address width %u",
              r.ebx & 0xff);
    lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_TIME), 2, &r);
    uint64_t khz = ((1000000ull << 32) / lam_shared_info->vcpu_info[0].time.tsc_to_system_mul);
    int8_t shift = lam_shared_info->vcpu_info[0].time.tsc_shift;
    khz = shift >= 0 ? khz >> shift : khz << -shift;
    lam_printf("time leaf: TSC %u kHz, pvclock %lu kHz\n", r.eax, (unsigned long)khz);
    LAM_CHECK(r.eax > khz - khz / 50 && r.eax < khz + khz / 50,
              "time leaf TSC %u kHz, pvclock says %lu kHz", r.eax, (unsigned long)khz);
}

/* RDTSCP and RDPID return TSC_AUX, which the guest sets with WRMSR. */
static void check_tsc_aux(void)
{
    struct lam_cpuid e1, l7;
    lam_cpuid(0x80000001, 0, &e1);
    lam_cpuid(7, 0, &l7);
    if (!(e1.edx & B(27)) && !(l7.ecx & B(22)))
        return;
    LAM_CHECK(try_wrmsr(0xc0000103, 0x1234abcd) == -1, "WRMSR TSC_AUX refused");
    uint64_t v;
    LAM_CHECK(try_rdmsr(0xc0000103, &v) == -1 && v == 0x1234abcd, "TSC_AUX reads %lx",
              (unsigned long)v);
    if (e1.edx & B(27)) {
        uint32_t lo, hi, aux;
        __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
        LAM_CHECK(aux == 0x1234abcd, "RDTSCP gives TSC_AUX %x", aux);
    }
    if (l7.ecx & B(22)) {
        uint64_t aux;
        __asm__ volatile("rdpid %0" : "=r"(aux));
        LAM_CHECK(aux == 0x1234abcd, "RDPID gives %lx", (unsigned long)aux);
    }
    try_wrmsr(0xc0000103, 0);
}

static uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" ::"r"(v));
}

/* With CR4.FSGSBASE the guest writes its bases itself; the hypervisor must see them. */
static void check_fsgsbase(void)
{
    struct lam_cpuid l7;
    lam_cpuid(7, 0, &l7);
    if (!(l7.ebx & B(0)))
        return;
    uint64_t cr4 = read_cr4(), v, gs;
    write_cr4(cr4 | (1ul << 16));
    LAM_CHECK(read_cr4() & (1ul << 16), "CR4.FSGSBASE does not stick");
    try_rdmsr(0xc0000101, &gs);
    __asm__ volatile("wrfsbase %0" ::"r"(0x7fff12345000ul));
    LAM_CHECK(try_rdmsr(0xc0000100, &v) == -1 && v == 0x7fff12345000ul,
              "WRFSBASE, then RDMSR FS_BASE reads %lx", (unsigned long)v);
    hypercall_set_segment_base(LAM_SEGBASE_FS, 0x7fff54321000ul);
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    LAM_CHECK(v == 0x7fff54321000ul, "set_segment_base, then RDFSBASE reads %lx", (unsigned long)v);
    __asm__ volatile("wrgsbase %0" ::"r"(0xffff800012340000ul));
    LAM_CHECK(try_rdmsr(0xc0000101, &v) == -1 && v == 0xffff800012340000ul,
              "WRGSBASE, then RDMSR GS_BASE reads %lx", (unsigned long)v);
    __asm__ volatile("wrgsbase %0" ::"r"(gs));
    hypercall_set_segment_base(LAM_SEGBASE_FS, 0);
    write_cr4(cr4);
    LAM_CHECK(!(read_cr4() & (1ul << 16)), "CR4.FSGSBASE does not clear");
}

void test_main(void)
{
    check_hidden();
    check_ranges();
    check_tsc_aux();
    check_fsgsbase();
    dump_all("cpuid", lam_cpuid);
    dump_all("ncpuid", native_cpuid);
    dump_msrs();
}
