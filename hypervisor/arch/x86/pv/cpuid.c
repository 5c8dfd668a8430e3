/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPUID a PV guest is shown: Xen 4.17's default PV policy, leaf by leaf.
 *
 * A PV kernel runs in ring 3 and asks for this view with the forced-emulation prefix
 * ("ud2; .ascii \"xen\"; cpuid", pv/emulate.c); Linux's PV CPUID hook (xen_cpuid) always
 * does. A plain CPUID is not intercepted: without CPUID faulting (which Lamina does not use,
 * and which Xen 4.17 leaves off for dom0 anyway) it returns the host's values. So the policy
 * below is what guest kernels decide features on; guest user space sees the hardware.
 *
 * The rules, as Xen 4.17 applies them (xen/arch/x86/cpu-policy.c, cpuid.c, the annotations
 * of public/arch-x86/cpufeatureset.h), with Lamina's own restrictions marked "Lamina":
 *
 *  Features. A feature bit is shown only if the host has it and Xen marks it 'A' (available
 *  to all guests by default). Everything else is hidden, including every bit Xen 4.17 does
 *  not know (a new CPU's features stay hidden until someone decides). 'S'/'H' (HVM only:
 *  VMX, SVM, SMEP, SMAP, PKU, UMIP, PCID, INVPCID, 1 GiB pages, PSE, PGE, MTRR, TSC
 *  deadline, ...) and unannotated bits (MONITOR, EIST, DS, PDCM, TOPOEXT, ...) are hidden.
 *  Dependent features go with the feature they build on (AVX -> FMA, F16C, AVX2, XOP, FMA4;
 *  AVX2 -> VAES, VPCLMULQDQ; XSAVE -> AVX, XSAVEOPT, XSAVEC, XGETBV1). Lamina also hides
 *  'A' features whose state or MSRs it does not manage: AVX-512 (ZMM/opmask XSAVE state),
 *  IBRSB/STIBP/SSBD/PSFD and IBPB (MSR_SPEC_CTRL/PRED_CMD), DBEXT (DR address masks), and
 *  MCE/MCA (a dom0 kernel that sees them hangs on Lamina; the MSRs still answer as Xen's).
 *  Special cases, as Xen:
 *   - HYPERVISOR always set; HTT, CMP_LEGACY, APIC, X2APIC as the host has them;
 *   - OSXSAVE set with XSAVE (the PV ABI's non-architectural leak Linux relies on);
 *     OSPKE never (PKU is hidden);
 *   - SEP hidden on AMD/Hygon (SYSENTER does not work in long mode there);
 *   - FDP_EXCP_ONLY and NO_FPU_SEL (leaf 7 EBX 6, 13) as the host has them;
 *   - dom0's kernel also sees MTRR and EIST if the host has them (old dom0 kernels took
 *     them as the sign of the memtype and P-state hypercalls), and ITSC;
 *   - RDRAND hidden on Ivy Bridge clients (SRBDS), CLWB on Skylake-SP/Cascade Lake/Cooper
 *     Lake (GDS microcode), AVX and its dependents where GDS applies (cpu_ident.c);
 *   - LFENCE_DISPATCH (0x80000021 EAX 2) on AMD when LFENCE is dispatch-serialising.
 *
 *  Leaves. Basic leaves stop at 0xd, leaf 7 at subleaf 2, extended leaves at 0x80000008
 *  (Intel) or 0x80000021 (AMD, raised to 0x80000021 for LFENCE_DISPATCH); beyond, zeros.
 *  0: vendor as the host, highest leaf clamped.
 *  1: EAX family/model/stepping (processor type cleared), EBX APIC ID 0, features above.
 *  2 (Intel): the host's descriptors, one query. 3 (serial number): zero.
 *  4 (Intel): the host's cache subleaves 0-5 up to the first null one. AMD: zero.
 *  5 (MONITOR), 6 (power), 8, 9 (DCA), 0xa (PMU: no vPMU), 0xc: zero.
 *  7: subleaf 0 EAX = highest subleaf (<= 2), features; subleaf 1 and 2: features (none).
 *  0xb: zero, unless the host has x2APIC: then ECX = subleaf, EDX = 2 * vCPU id.
 *  0xd: subleaf 0 the offered XCR0 (x87, SSE, AVX), EBX the size for the vCPU's XCR0, ECX
 *     for all offered; subleaf 1 XSAVEOPT/XSAVEC/XGETBV1, EBX the compacted size; subleaf 2
 *     AVX's offset and size from the host; the rest zero.
 *  0x40000000-0x400001ff: the hypervisor leaves (Xen's layout, highest 0x40000005):
 *     0 signature "XenVMMXenVMM"; 1 version; 2 one hypercall page, MSR 0x40000000, ECX bit 0
 *     MMU_PT_UPDATE_PRESERVE_AD; 3 time: TSC mode 0 (native), never emulated, so subleaf 0
 *     holds only EAX bit 1 (invariant TSC) and bit 2 (RDTSCP), subleaf 1 nothing, subleaf 2
 *     EAX the TSC kHz; 4 (HVM): zero; 5 EBX the machine address width.
 *  0x80000000: highest extended leaf; AMD repeats the vendor, Intel zero.
 *  0x80000001: AMD EAX the signature and the leaf-1 EDX features AMD duplicates; Intel EAX,
 *     EBX zero; features above.
 *  0x80000002-4: brand string. 0x80000005 (AMD L1): AMD as the host, Intel zero.
 *  0x80000006: ECX (L2) as the host, the rest AMD only. 0x80000007: EDX ITSC (dom0) only.
 *  0x80000008: EAX address sizes (linear at most 48: no LA57), EBX features, ECX (AMD) the
 *     core count fields, EDX zero.
 *  AMD 0x80000009-0x80000018, 0x8000001b-0x80000020: zero (SVM, IBS, LWP, TOPOEXT, SEV, QoS);
 *     0x80000019-1a as the host; 0x80000021 EAX features only.
 *  Any other leaf: zero.
 */
#include <asm/cpu.h>
#include <asm/cpu_ident.h>
#include <asm/mm.h>
#include <asm/pv/cpuid.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <asm/xsave.h>
#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/version.h>
#include <lamina/cpuid.h>

#define B(n) (1u << (n))

/* Leaf 1 EDX: FPU DE TSC MSR PAE CX8 APIC SEP CMOV PAT CLFLUSH ACPI MMX FXSR SSE SSE2 SS HTT.
 * Hidden: VME PSE MTRR PGE PSE36 DS TM PBE (and PSN, 'S' or unannotated), Lamina: MCE and MCA
 * (Xen shows them with its virtual machine-check banks; shown here, Debian's dom0 kernel
 * stops its clock in the machine-check set-up and panics: docs/differences.md). */
#define POLICY_1D                                                                                  \
    (B(0) | B(2) | B(4) | B(5) | B(6) | B(8) | B(9) | B(11) | B(15) | B(16) | B(19) | B(22) |      \
     B(23) | B(24) | B(25) | B(26) | B(27) | B(28))
/* Leaf 1 ECX: SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 X2APIC MOVBE POPCNT AESNI XSAVE AVX
 * F16C RDRAND (HYPERVISOR and OSXSAVE are set by rule). Hidden: DTES64 MONITOR DS-CPL VMX SMX
 * EIST TM2 CNXT-ID SDBG XTPR PDCM PCID DCA TSC-deadline. */
#define POLICY_1C                                                                                  \
    (B(0) | B(1) | B(9) | B(12) | B(13) | B(19) | B(20) | B(21) | B(22) | B(23) | B(25) | B(26) |  \
     B(28) | B(29) | B(30))
/* 0x80000001 EDX: SYSCALL NX MMXEXT FFXSR RDTSCP LM 3DNOWEXT 3DNOW. Hidden: 1 GiB pages. */
#define POLICY_E1D (B(11) | B(20) | B(22) | B(25) | B(27) | B(29) | B(30) | B(31))
/* The leaf-1 EDX bits AMD repeats in 0x80000001 EDX. */
#define COMMON_1D                                                                                  \
    (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(9) | B(12) | B(13) | B(14) | \
     B(15) | B(16) | B(17) | B(23) | B(24))
/* 0x80000001 ECX: LAHF_LM CMP_LEGACY ABM SSE4A MISALIGNSSE 3DNOWPREFETCH XOP FMA4 TBM.
 * Hidden: SVM EXTAPIC CR8_LEGACY OSVW IBS SKINIT WDT LWP NODEID TOPOEXT DBEXT MONITORX. */
#define POLICY_E1C (B(0) | B(1) | B(5) | B(6) | B(7) | B(8) | B(11) | B(16) | B(21))
/* 0xd.1 EAX: XSAVEOPT XSAVEC XGETBV1. Hidden: XSAVES. */
#define POLICY_DA1 (B(0) | B(1) | B(2))
/* 7.0 EBX: FSGSBASE BMI1 AVX2 BMI2 ERMS RTM RDSEED ADX CLFLUSHOPT CLWB SHA. Hidden: TSC_ADJUST
 * SGX HLE SMEP INVPCID PQM MPX PQE SMAP, Lamina: the AVX-512 bits. */
#define POLICY_7B0                                                                                 \
    (B(0) | B(3) | B(5) | B(8) | B(9) | B(11) | B(18) | B(19) | B(23) | B(24) | B(29))
#define HOST_7B0 (B(6) | B(13)) /* FDP_EXCP_ONLY, NO_FPU_SEL: how the FPU behaves */
/* 7.0 ECX: PREFETCHWT1 GFNI VAES VPCLMULQDQ RDPID CLDEMOTE. Hidden: UMIP PKU OSPKE CET_SS LA57
 * MOVDIRI MOVDIR64B ENQCMD PKS, Lamina: the AVX-512 bits. */
#define POLICY_7C0 (B(0) | B(8) | B(9) | B(10) | B(22) | B(25))
/* 7.0 EDX: MD_CLEAR. Hidden: SRBDS_CTRL, TSX controls, SERIALIZE, CET_IBT, L1D_FLUSH,
 * ARCH_CAPS, CORE_CAPS, Lamina: AVX512_4VNNIW/4FMAPS, IBRSB STIBP SSBD. */
#define POLICY_7D0 B(10)
/* 0x80000007 EDX: ITSC, dom0 only. */
#define E7D_ITSC B(8)
/* 0x80000008 EBX: CLZERO RSTR_FP_ERR_PTRS SSB_NO BTC_NO. Lamina hides IBPB and IBPB_RET. */
#define POLICY_E8B           (B(0) | B(2) | B(26) | B(29))
#define E21A_LFENCE_DISPATCH B(2)

/* Bits by name, for the rules (those <asm/x86.h> does not name). */
#define F1D_SEP        B(CPUID1_EDX_SEP_BIT)
#define F1C_PCLMULQDQ  B(1)
#define F1C_FMA        B(12)
#define F1C_AESNI      B(25)
#define F1C_F16C       B(29)
#define F1C_RDRAND     B(30)
#define F7B_AVX2       B(5)
#define F7B_CLWB       B(24)
#define F7C_VAES       B(9)
#define F7C_VPCLMULQDQ B(10)
#define F7C_RDPID      B(22)
#define FE1C_XOP       B(11)
#define FE1C_FMA4      B(16)

#define BASIC_MAX            0xdu
#define FEAT_MAX_SUB         2u
#define EXTD_MAX_INTEL       0x80000008u
#define EXTD_MAX_AMD         0x80000021u
#define CACHE_SUBLEAVES      6u
#define CPUID_LEAF_CACHE     0x4
#define CPUID_LEAF_TOPOLOGY  0xb
#define CPUID_LEAF_EXT_POWER 0x80000007u /* EDX: E7D_ITSC */
#define XSAVE_FEAT_XSAVEC    B(1)        /* leaf 0xd subleaf 1 EAX */

struct leaf {
    uint32_t a, b, c, d;
};

static struct leaf host_leaf(uint32_t leaf, uint32_t sub)
{
    struct leaf r;
    cpuid_count(leaf, sub, &r.a, &r.b, &r.c, &r.d);
    return r;
}

/* The dom0 kernel asking (not its user space): Xen's hardware-domain leaks. */
static bool dom0_kernel(const struct vcpu *v)
{
    return v->domain->is_privileged && v->kernel_mode;
}

/* AVX for guests: the host has it, XSAVE can hold its state, GDS does not forbid it. */
static bool guest_avx(void)
{
    return (xsave_guest_mask() & XSTATE_YMM) != 0;
}

static uint32_t basic_max(void)
{
    uint32_t m = host_leaf(CPUID_LEAF_VENDOR, 0).a;
    return m < BASIC_MAX ? m : BASIC_MAX;
}

/* The host's highest extended leaf (0x80000000 if it has none). */
static uint32_t host_extd_max(void)
{
    uint32_t m = host_leaf(CPUID_EXT_BASE, 0).a;
    return m < CPUID_EXT_BASE || m > 0x8000ffffu ? CPUID_EXT_BASE : m;
}

/* A leaf the host has: its values; past the host's highest leaf, zeros (a CPU answers
 * those with its highest basic leaf). */
static struct leaf host_extd_leaf(uint32_t leaf)
{
    struct leaf z = {0, 0, 0, 0};
    return leaf <= host_extd_max() ? host_leaf(leaf, 0) : z;
}

static uint32_t extd_max(void)
{
    uint32_t m = host_extd_max();
    if (!cpu_is_amd_like())
        return m < EXTD_MAX_INTEL ? m : EXTD_MAX_INTEL;
    if (host_cpu.lfence_dispatch && m < EXTD_MAX_AMD)
        m = EXTD_MAX_AMD;
    return m < EXTD_MAX_AMD ? m : EXTD_MAX_AMD;
}

/* Leaf 1 EDX as the guest sees it (also the source of AMD's duplicate in 0x80000001). */
static uint32_t policy_1d(const struct vcpu *v)
{
    uint32_t host = host_leaf(CPUID_LEAF_FEATURES, 0).d;
    uint32_t d = host & POLICY_1D;
    if (cpu_is_amd_like())
        d &= ~F1D_SEP;
    if (dom0_kernel(v))
        d |= host & CPUID1_EDX_MTRR;
    return d;
}

static uint32_t policy_1c(const struct vcpu *v)
{
    uint32_t host = host_leaf(CPUID_LEAF_FEATURES, 0).c;
    uint32_t c = host & POLICY_1C;
    if (!xsave_guest_mask())
        c &= ~CPUID1_ECX_XSAVE;
    if (!guest_avx())
        c &= ~(CPUID1_ECX_AVX | F1C_FMA | F1C_F16C);
    if (host_cpu.vendor == CPU_VENDOR_INTEL && host_cpu.family == 6 && host_cpu.model == 0x3a)
        c &= ~F1C_RDRAND; /* Ivy Bridge: SRBDS */
    if (c & CPUID1_ECX_XSAVE)
        c |= CPUID1_ECX_OSXSAVE;
    if (dom0_kernel(v))
        c |= host & CPUID1_ECX_EST;
    return c | CPUID1_ECX_HYPERVISOR;
}

static void leaf_1(const struct vcpu *v, struct leaf *r)
{
    struct leaf h = host_leaf(CPUID_LEAF_FEATURES, 0);
    r->a = h.a & 0x0fff0fff;
    r->b = h.b & 0x00ffffff; /* initial APIC ID 0 */
    r->c = policy_1c(v);
    r->d = policy_1d(v);
}

static void leaf_7(uint32_t sub, struct leaf *r)
{
    struct leaf h = host_leaf(CPUID_LEAF_EXT_FEATURES, 0);
    uint32_t max_sub = h.a < FEAT_MAX_SUB ? h.a : FEAT_MAX_SUB;
    if (sub != 0) /* subleaves 1 and 2: nothing a PV guest is offered yet */
        return;
    r->a = max_sub;
    r->b = (h.b & POLICY_7B0) | (h.b & HOST_7B0);
    r->c = h.c & POLICY_7C0;
    r->d = h.d & POLICY_7D0;
    if (!guest_avx()) {
        r->b &= ~F7B_AVX2;
        r->c &= ~(F7C_VAES | F7C_VPCLMULQDQ);
    }
    uint32_t c1 = host_leaf(CPUID_LEAF_FEATURES, 0).c;
    if (!(c1 & F1C_AESNI))
        r->c &= ~F7C_VAES;
    if (!(c1 & F1C_PCLMULQDQ))
        r->c &= ~F7C_VPCLMULQDQ;
    if (host_cpu.vendor == CPU_VENDOR_INTEL && host_cpu.family == 6 && host_cpu.model == 0x55)
        r->b &= ~F7B_CLWB; /* Skylake-SP and successors: the GDS microcode slows CLWB */
}

/* Standard-format XSAVE area size for the components in mask (x87, SSE, AVX). */
static uint32_t xsave_size(uint64_t mask)
{
    return XSAVE_AREA_BASE_SIZE + ((mask & XSTATE_YMM) ? XSAVE_YMM_SIZE : 0);
}

static void leaf_xstate(const struct vcpu *v, uint32_t sub, struct leaf *r)
{
    uint64_t mask = xsave_guest_mask();
    uint64_t xcr0 = v->xcr0 ? v->xcr0 : XSTATE_FP_SSE;
    if (!mask)
        return;
    if (sub == 0) {
        r->a = (uint32_t)mask;
        r->b = xsave_size(xcr0);
        r->c = xsave_size(mask);
    } else if (sub == 1) {
        r->a = host_leaf(CPUID_LEAF_XSTATE, 1).a & POLICY_DA1;
        if (r->a &
            XSAVE_FEAT_XSAVEC) /* XSAVEC: the compacted size for XCR0 (no supervisor state) */
            r->b = xsave_size(xcr0);
    } else if (sub == XSTATE_YMM_BIT && (mask & XSTATE_YMM)) {
        *r = host_leaf(CPUID_LEAF_XSTATE, XSTATE_YMM_BIT);
    }
}

static void leaf_cache(uint32_t sub, struct leaf *r)
{
    if (host_cpu.vendor != CPU_VENDOR_INTEL || sub >= CACHE_SUBLEAVES)
        return;
    for (uint32_t i = 0; i < sub; i++)
        if (!(host_leaf(CPUID_LEAF_CACHE, i).a & 0x1f))
            return; /* past the first null subleaf */
    *r = host_leaf(CPUID_LEAF_CACHE, sub);
}

static void leaf_topology(const struct vcpu *v, uint32_t sub, struct leaf *r)
{
    if (!(policy_1c(v) & CPUID1_ECX_X2APIC))
        return;
    r->c = sub & 0xff;
    r->d = v->vcpu_id * 2;
}

static void basic_leaf(const struct vcpu *v, uint32_t leaf, uint32_t sub, struct leaf *r)
{
    if (leaf > basic_max())
        return;
    switch (leaf) {
    case CPUID_LEAF_VENDOR:
        *r = host_leaf(CPUID_LEAF_VENDOR, 0);
        r->a = basic_max();
        break;
    case CPUID_LEAF_FEATURES:
        leaf_1(v, r);
        break;
    case 2:
        if (host_cpu.vendor == CPU_VENDOR_INTEL) {
            *r = host_leaf(2, 0);
            r->a = (r->a & ~0xffu) | 1; /* one query */
        }
        break;
    case CPUID_LEAF_CACHE:
        leaf_cache(sub, r);
        break;
    case CPUID_LEAF_EXT_FEATURES:
        leaf_7(sub, r);
        break;
    case CPUID_LEAF_TOPOLOGY:
        leaf_topology(v, sub, r);
        break;
    case CPUID_LEAF_XSTATE:
        leaf_xstate(v, sub, r);
        break;
    default:
        break; /* 3, 5, 6, 8, 9, 0xa, 0xc: hidden */
    }
}

/* The machine address width: the highest RAM frame, as Xen's get_upper_mfn_bound(). */
static uint32_t machine_address_bits(void)
{
    uint64_t top = max_mfn ? max_mfn - 1 : 0;
    uint32_t bits = 0;
    while (top >> bits)
        bits++;
    return bits + 12;
}

static void hypervisor_leaf(uint32_t leaf, uint32_t sub, struct leaf *r)
{
    switch (leaf - LAM_CPUID_BASE) {
    case LAM_CPUID_LEAF_SIGNATURE:
        r->a = LAMINA_CPUID_MAX_LEAF;
        r->b = LAM_CPUID_SIGNATURE_EBX;
        r->c = LAM_CPUID_SIGNATURE_ECX;
        r->d = LAM_CPUID_SIGNATURE_EDX;
        break;
    case LAM_CPUID_LEAF_VERSION:
        r->a = (LAMINA_ABI_MAJOR << 16) | LAMINA_ABI_MINOR;
        break;
    case LAM_CPUID_LEAF_HYPERCALL:
        r->a = 1;                       /* one hypercall page */
        r->b = LAM_CPUID_HYPERCALL_MSR; /* sets one up (HVM only; reported as Xen does) */
        r->c = LAM_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
        break;
    case LAM_CPUID_LEAF_TIME:
        /* No emulated TSC and TSC mode 0 (native), so no offset or scale here: the
         * guest's time comes from the pvclock. Xen reports the host TSC in subleaf 2. */
        if (sub == 0)
            r->a = ((host_extd_leaf(CPUID_LEAF_EXT_POWER).d & E7D_ITSC) ? LAM_CPUID_TIME_TSC_SAFE
                                                                        : 0) |
                   ((host_extd_leaf(CPUID_LEAF_EXT_INFO).d & CPUID_EXT_EDX_RDTSCP)
                        ? LAM_CPUID_TIME_RDTSCP
                        : 0);
        else if (sub == 2)
            r->a = (uint32_t)tsc_khz();
        break;
    case LAM_CPUID_LEAF_PV:
        if (sub == 0)
            r->b = machine_address_bits();
        break;
    default:
        break; /* 4 (HVM features): zero for PV */
    }
}

static void extended_leaf(const struct vcpu *v, uint32_t leaf, uint32_t sub, struct leaf *r)
{
    bool amd = cpu_is_amd_like();
    (void)sub;
    if (leaf > extd_max())
        return;
    switch (leaf) {
    case CPUID_EXT_BASE:
        r->a = extd_max();
        if (amd) {
            struct leaf h = host_leaf(CPUID_LEAF_VENDOR, 0);
            r->b = h.b, r->c = h.c, r->d = h.d;
        }
        break;
    case CPUID_LEAF_EXT_INFO: {
        struct leaf h = host_extd_leaf(CPUID_LEAF_EXT_INFO);
        r->c = h.c & POLICY_E1C;
        r->d = h.d & POLICY_E1D;
        if (!guest_avx())
            r->c &= ~(FE1C_XOP | FE1C_FMA4);
        if (amd) {
            r->a = host_leaf(CPUID_LEAF_FEATURES, 0).a & 0x0fff0fff;
            r->b = h.b & 0xff00ffff;
            r->d |= policy_1d(v) & COMMON_1D;
        }
        if (dom0_kernel(v)) /* Xen's MTRR leak reaches this leaf on every vendor */
            r->d |= host_leaf(CPUID_LEAF_FEATURES, 0).d & CPUID1_EDX_MTRR;
        break;
    }
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        *r = host_extd_leaf(leaf);
        break;
    case 0x80000005:
        if (amd)
            *r = host_extd_leaf(leaf);
        break;
    case 0x80000006:
        *r = host_extd_leaf(leaf);
        if (!amd)
            r->a = r->b = r->d = 0;
        break;
    case CPUID_LEAF_EXT_POWER:
        if (v->domain->is_privileged)
            r->d = host_extd_leaf(leaf).d & E7D_ITSC;
        break;
    case CPUID_LEAF_ADDR_SIZES: {
        struct leaf h = host_extd_leaf(leaf);
        uint32_t lin = (h.a >> 8) & 0xff;
        r->a = (h.a & 0xff) | ((lin > 48 ? 48 : lin) << 8);
        r->b = h.b & POLICY_E8B;
        r->c = amd ? h.c & 0x0003f0ff : 0;
        break;
    }
    case 0x80000019:
    case 0x8000001a:
        *r = host_extd_leaf(leaf); /* TLB details, performance hints */
        break;
    case 0x80000021:
        r->a = host_cpu.lfence_dispatch ? E21A_LFENCE_DISPATCH : 0;
        break;
    default:
        break; /* SVM, IBS, LWP, TOPOEXT, SEV, QoS and the rest: hidden */
    }
}

void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t res[CPUID_NR_REGS])
{
    struct leaf r = {0, 0, 0, 0};
    if (leaf < LAM_CPUID_BASE)
        basic_leaf(v, leaf, sub, &r);
    else if (leaf <= LAMINA_CPUID_MAX_LEAF) /* Xen answers 0x40000000-0x400001ff, */
        hypervisor_leaf(leaf, sub, &r);     /* zero past its highest leaf */
    else if (leaf >= CPUID_EXT_BASE && leaf <= 0x8000ffffu)
        extended_leaf(v, leaf, sub, &r);
    res[CPUID_EAX] = r.a;
    res[CPUID_EBX] = r.b;
    res[CPUID_ECX] = r.c;
    res[CPUID_EDX] = r.d;
}

bool pv_cpuid_has_fsgsbase(const struct vcpu *v)
{
    uint32_t res[CPUID_NR_REGS];
    pv_cpuid(v, CPUID_LEAF_EXT_FEATURES, 0, res);
    return res[CPUID_EBX] & CPUID7_EBX_FSGSBASE;
}

bool pv_cpuid_has_tsc_aux(const struct vcpu *v)
{
    uint32_t e1[CPUID_NR_REGS], l7[CPUID_NR_REGS];
    pv_cpuid(v, CPUID_LEAF_EXT_INFO, 0, e1);
    pv_cpuid(v, CPUID_LEAF_EXT_FEATURES, 0, l7);
    return (e1[CPUID_EDX] & CPUID_EXT_EDX_RDTSCP) || (l7[CPUID_ECX] & F7C_RDPID);
}
