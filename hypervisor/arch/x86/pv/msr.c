/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MSRs a PV guest kernel may read and write. RDMSR and WRMSR are privileged, so a PV
 * kernel's attempts trap (#GP in ring 3) and pv/emulate.c asks here; an MSR not listed is
 * bounced to the guest as #GP. What each answers is what Xen 4.17 answers a PV dom0 (as
 * measured by tests/guests/cpuid-policy on both), so the guest kernel takes the same paths:
 *
 *  segment bases  FS_BASE, GS_BASE, SHADOW_GS_BASE: the vCPU's (canonical values only)
 *  EFER           read: SCE, LME, LMA, NXE
 *  PAT            read: the PV ABI's fixed value; write: only that value
 *  TSC            read: the TSC (the guest runs on the host's TSC, never emulated)
 *  TSC_AUX        when RDTSCP or RDPID is shown: the vCPU's own 32-bit value, loaded on
 *                 every switch so RDTSCP/RDPID in the guest return it
 *  APIC_BASE      read: the default base, enabled, BSP on vCPU 0 (no APIC is reachable)
 *  UCODE_REV      read: the host's microcode revision; Intel: writing 0 (the SDM's way to
 *                 read it) is accepted
 *  PLATFORM_INFO, MISC_FEATURES_ENABLES  read 0: no CPUID faulting offered; writing 0 ok
 *  PERF_CAPABILITIES  read 0
 *  MISC_ENABLE    read: the host's, without performance monitoring and MONITOR, with BTS,
 *                 PEBS and xTPR marked unavailable; writes are ignored
 *  machine check  MCG_CAP: 2 banks (Intel also CMCI, threshold status, recovery: Xen's
 *                 values), MCG_STATUS/MCG_CTL 0, bank 0-1 CTL all ones, the rest of banks
 *                 0-31 and CTL2 0; writes ignored. No machine check is ever injected (and
 *                 CPUID does not show MCE/MCA on Lamina: pv/cpuid.c).
 *  Intel          PLATFORM_ID (the host's), FEATURE_CONTROL (locked, nothing enabled),
 *                 the architectural PMU counters and controls (0, writes ignored: no
 *                 vPMU), PERF_STATUS/PERF_CTL and THERM_STATUS (0, writes ignored)
 *  AMD, Hygon     the K7/family 15h PMU (0, writes ignored), SYSCFG, HWCR (0), NB_CFG
 *                 (0, writes ignored, also on Intel), P-state MSRs (0, writes ignored), DE_CFG
 *                 (LFENCE_SERIALISE)
 *
 * Not offered (#GP), as on Xen for a PV guest unless noted: MTRRs, x2APIC, TSC deadline,
 * VMX/SVM, XSS, MMIO_CONF_BASE, the DR address masks (DBEXT hidden), SPEC_CTRL/PRED_CMD
 * and ARCH_CAPABILITIES (Lamina hides IBRS/IBPB/ARCH_CAPS; Xen offers them where the host
 * has them: docs/differences.md).
 */
#include <asm/cpu_ident.h>
#include <asm/pv/cpuid.h>
#include <asm/x86.h>
#include <hv/domain.h>

#define MSR_TSC                  0x10
#define MSR_PLATFORM_ID          0x17
#define MSR_FEATURE_CONTROL      0x3a
#define MSR_PLATFORM_INFO        0xce
#define MSR_MISC_FEATURES        0x140
#define MSR_MCG_CAP              0x179
#define MSR_MCG_STATUS           0x17a
#define MSR_MCG_CTL              0x17b
#define MSR_PERF_STATUS          0x198
#define MSR_PERF_CTL             0x199
#define MSR_THERM_STATUS         0x19c
#define MSR_MISC_ENABLE          0x1a0
#define MSR_PERF_CAPABILITIES    0x345
#define MSR_MC0_CTL              0x400
#define MSR_MC0_CTL2             0x280
#define MSR_AMD_SYSCFG           0xc0010010
#define MSR_AMD_HWCR             0xc0010015
#define MSR_AMD_NB_CFG           0xc001001f
#define GUEST_MC_BANKS           2
#define PAT_DEFAULT              0x0000050100070406ull /* the PAT value the PV ABI promises */
#define APIC_BASE_DEFAULT        0xfee00000ull
#define APIC_BASE_BSP            (1ull << 8)
#define MCG_CAP_INTEL            0x1000c02ull /* 2 banks, CMCI_P, TES_P, SER_P */
#define MISC_ENABLE_PERF_AVAIL   (1ull << 7)
#define MISC_ENABLE_BTS_UNAVAIL  (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)
#define MISC_ENABLE_MONITOR      (1ull << 18)
#define MISC_ENABLE_XTPR_DISABLE (1ull << 23)

static bool is_segment_base(uint32_t msr)
{
    return msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE;
}

/* MCG_CAP/STATUS/CTL, and CTL2 and CTL/STATUS/ADDR/MISC of banks 0-31 (2 are real). */
static bool is_machine_check(uint32_t msr)
{
    return (msr >= MSR_MCG_CAP && msr <= MSR_MCG_CTL) ||
           (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * 32) ||
           (msr >= MSR_MC0_CTL2 && msr < MSR_MC0_CTL2 + 32);
}

/* Intel's architectural PMU: PERFCTR0-7, EVNTSEL0-3, the fixed counters and controls. */
static bool is_intel_pmu(uint32_t msr)
{
    return host_cpu.vendor == CPU_VENDOR_INTEL &&
           ((msr >= 0xc1 && msr <= 0xc8) || (msr >= 0x186 && msr <= 0x189) ||
            (msr >= 0x309 && msr <= 0x30b) || (msr >= 0x38d && msr <= 0x390));
}

/* AMD's: K7 EVNTSEL0-3/PERFCTR0-3, family 15h's six pairs; and the P-state MSRs. */
static bool is_amd_ignored(uint32_t msr)
{
    return cpu_is_amd_like() &&
           ((msr >= 0xc0010000 && msr <= 0xc0010007) || (msr >= 0xc0010200 && msr <= 0xc001020b) ||
            (msr >= 0xc0010061 && msr <= 0xc001006b));
}

static bool is_intel_power(uint32_t msr)
{
    return host_cpu.vendor == CPU_VENDOR_INTEL &&
           (msr == MSR_PERF_STATUS || msr == MSR_PERF_CTL || msr == MSR_THERM_STATUS);
}

static uint64_t machine_check_value(uint32_t msr)
{
    if (msr == MSR_MCG_CAP)
        return host_cpu.vendor == CPU_VENDOR_INTEL ? MCG_CAP_INTEL : GUEST_MC_BANKS;
    if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * GUEST_MC_BANKS &&
        (msr - MSR_MC0_CTL) % 4 == 0)
        return ~0ull; /* every error type reported */
    return 0;
}

static bool read_misc_enable(uint64_t *val)
{
    if (rdmsr_safe(MSR_MISC_ENABLE, val))
        return false;
    *val &= ~(MISC_ENABLE_PERF_AVAIL | MISC_ENABLE_MONITOR);
    *val |= MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_XTPR_DISABLE;
    return true;
}

static bool read_segment_base(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    pv_sync_segment_bases(v);
    if (msr == MSR_FS_BASE)
        *val = v->fs_base;
    else if ((msr == MSR_GS_BASE) == v->kernel_mode)
        *val = v->gs_base_kernel;
    else
        *val = v->gs_base_user;
    return true;
}

static bool read_vendor_specific(uint32_t msr, uint64_t *val)
{
    bool intel = host_cpu.vendor == CPU_VENDOR_INTEL;
    *val = 0;
    if (is_machine_check(msr)) {
        *val = machine_check_value(msr);
        return true;
    }
    if (is_intel_pmu(msr) || is_amd_ignored(msr) || is_intel_power(msr))
        return true;
    if (intel && msr == MSR_PLATFORM_ID)
        return rdmsr_safe(msr, val) == 0;
    if (intel && msr == MSR_FEATURE_CONTROL) {
        *val = 1; /* locked */
        return true;
    }
    if (cpu_is_amd_like() && (msr == MSR_AMD_SYSCFG || msr == MSR_AMD_HWCR))
        return true;
    if (msr == MSR_AMD_NB_CFG) /* Xen reads it as 0 on every vendor */
        return true;
    if (cpu_is_amd_like() && msr == MSR_AMD_DE_CFG) {
        *val = AMD_DE_CFG_LFENCE_SERIALISE;
        return true;
    }
    return false;
}

bool pv_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (is_segment_base(msr))
        return read_segment_base(v, msr, val);
    switch (msr) {
    case MSR_EFER:
        *val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
        return true;
    case MSR_PAT:
        *val = PAT_DEFAULT;
        return true;
    case MSR_TSC:
        *val = rdtsc();
        return true;
    case MSR_TSC_AUX:
        *val = v->tsc_aux;
        return pv_cpuid_has_tsc_aux(v);
    case MSR_APIC_BASE:
        *val = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->vcpu_id == 0 ? APIC_BASE_BSP : 0);
        return true;
    case MSR_UCODE_REV:
        *val = host_cpu.ucode_rev;
        return true;
    case MSR_PLATFORM_INFO:
    case MSR_MISC_FEATURES:
    case MSR_PERF_CAPABILITIES:
        *val = 0;
        return true;
    case MSR_MISC_ENABLE:
        return read_misc_enable(val);
    default:
        return read_vendor_specific(msr, val);
    }
}

static bool write_segment_base(struct vcpu *v, uint32_t msr, uint64_t val)
{
    /* Segment bases must be canonical (WRMSR would fault in the hypervisor): #GP, as Xen. */
    if (!is_canonical_address(val))
        return false;
    pv_sync_segment_bases(v);
    switch (msr) {
    case MSR_FS_BASE:
        v->fs_base = val;
        wrmsr(MSR_FS_BASE, val);
        break;
    case MSR_GS_BASE:
        if (v->kernel_mode)
            v->gs_base_kernel = val;
        else
            v->gs_base_user = val;
        wrmsr(MSR_GS_BASE, val);
        break;
    default: /* the inactive GS base */
        if (v->kernel_mode)
            v->gs_base_user = val;
        else
            v->gs_base_kernel = val;
        break;
    }
    return true;
}

bool pv_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (is_segment_base(msr))
        return write_segment_base(v, msr, val);
    switch (msr) {
    case MSR_PAT:
        return val == PAT_DEFAULT; /* accepted only unchanged, as on Xen */
    case MSR_TSC_AUX:
        if (!pv_cpuid_has_tsc_aux(v) || val != (uint32_t)val)
            return false;
        v->tsc_aux = (uint32_t)val;
        wrmsr(MSR_TSC_AUX, val);
        return true;
    case MSR_UCODE_REV:
        return host_cpu.vendor == CPU_VENDOR_INTEL && val == 0;
    case MSR_MISC_FEATURES:
        return val == 0; /* CPUID faulting is not offered */
    case MSR_MISC_ENABLE: {
        uint64_t host;
        return rdmsr_safe(MSR_MISC_ENABLE, &host) == 0; /* ignored, as Xen ignores a change */
    }
    default:
        break;
    }
    return is_machine_check(msr) || is_intel_pmu(msr) || is_amd_ignored(msr) ||
           msr == MSR_AMD_NB_CFG || (host_cpu.vendor == CPU_VENDOR_INTEL && msr == MSR_PERF_CTL);
}
