/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the host CPU is: vendor, family and model, microcode revision, and two properties
 * Xen 4.17 derives from them and shows PV guests through CPUID, which Lamina derives the
 * same way so a guest sees the same thing on both:
 *
 *  - LFENCE dispatch-serialising (CPUID 0x80000021 EAX bit 2, AMD and Hygon): always so on
 *    families 0xf and 0x11; on the others it is made so by setting DE_CFG bit 1 on every
 *    CPU (the MSR may be missing or read-only, so each step is checked), as Xen and Linux
 *    do for Spectre v1. Guests use it to choose LFENCE as a speculation barrier.
 *  - Gather Data Sampling (XSA-435): on the Intel models it affects, running virtualised
 *    without GDS_NO or the GDS_CTRL microcode in ARCH_CAPABILITIES, Xen withholds AVX
 *    from guests (AVX, its dependents and the YMM state); so does Lamina.
 */
#include <asm/cpu_ident.h>
#include <asm/x86.h>

struct cpu_ident host_cpu;

#define MSR_ARCH_CAPABILITIES 0x10a
#define ARCH_CAPS_GDS_CTRL    (1ull << 25)
#define ARCH_CAPS_GDS_NO      (1ull << 26)

static enum cpu_vendor vendor_of(uint32_t b, uint32_t c, uint32_t d)
{
    if (b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e) /* GenuineIntel */
        return CPU_VENDOR_INTEL;
    if (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) /* AuthenticAMD */
        return CPU_VENDOR_AMD;
    if (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975) /* HygonGenuine */
        return CPU_VENDOR_HYGON;
    return CPU_VENDOR_OTHER;
}

/* The microcode revision: Intel reports it in the high half once 0 was written and CPUID
 * run; AMD keeps the patch level in the low half. A CPU without the MSR reads 0. */
static uint64_t read_ucode_rev(void)
{
    uint64_t v;
    uint32_t a, b, c, d;
    if (host_cpu.vendor == CPU_VENDOR_INTEL) {
        if (wrmsr_safe(MSR_UCODE_REV, 0))
            return 0;
        cpuid(1, &a, &b, &c, &d);
    }
    return rdmsr_safe(MSR_UCODE_REV, &v) ? 0 : v;
}

/* DE_CFG.LFENCE_SERIALISE on this CPU: true if it is set (already, or now). */
static bool amd_lfence_serialise(void)
{
    uint64_t v;
    if (rdmsr_safe(MSR_AMD_DE_CFG, &v))
        return false;
    if (v & AMD_DE_CFG_LFENCE_SERIALISE)
        return true;
    if (wrmsr_safe(MSR_AMD_DE_CFG, v | AMD_DE_CFG_LFENCE_SERIALISE) ||
        rdmsr_safe(MSR_AMD_DE_CFG, &v))
        return false;
    return (v & AMD_DE_CFG_LFENCE_SERIALISE) != 0;
}

static bool lfence_dispatch_setup(void)
{
    if (!cpu_is_amd_like())
        return false;
    if (host_cpu.family == 0xf || host_cpu.family == 0x11)
        return true; /* always dispatch-serialising there */
    return amd_lfence_serialise();
}

/* Intel family 6 models affected by Gather Data Sampling (Xen's and Linux's list). */
static bool gds_affected_model(unsigned int model)
{
    static const uint8_t models[] = {0x55, 0x9e, 0x8e, 0x7e, 0x6a, 0x6c,
                                     0x8c, 0x8d, 0xa5, 0xa6, 0xa7};
    for (unsigned int i = 0; i < sizeof(models); i++)
        if (models[i] == model)
            return true;
    return false;
}

static bool gds_hide_avx(void)
{
    uint32_t a, b, c, d;
    uint64_t caps = 0;
    if (host_cpu.vendor != CPU_VENDOR_INTEL || host_cpu.family != 6 ||
        !gds_affected_model(host_cpu.model))
        return false;
    cpuid(1, &a, &b, &c, &d);
    if (!(c &
          CPUID1_ECX_HYPERVISOR)) /* not virtualised: the microcode question is the firmware's */
        return false;
    cpuid(0, &a, &b, &c, &d);
    if (a >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        if ((d >> 29) & 1) /* ARCH_CAPABILITIES */
            rdmsr_safe(MSR_ARCH_CAPABILITIES, &caps);
    }
    return !(caps & (ARCH_CAPS_GDS_NO | ARCH_CAPS_GDS_CTRL));
}

void cpu_ident_init(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    host_cpu.vendor = vendor_of(b, c, d);
    cpuid(1, &a, &b, &c, &d);
    host_cpu.family = (a >> 8) & 0xf;
    host_cpu.model = (a >> 4) & 0xf;
    if (host_cpu.family == 0xf)
        host_cpu.family += (a >> 20) & 0xff;
    if (host_cpu.family >= 6)
        host_cpu.model |= ((a >> 16) & 0xf) << 4;
    host_cpu.ucode_rev = read_ucode_rev();
    host_cpu.lfence_dispatch = lfence_dispatch_setup();
    host_cpu.gds_hide_avx = gds_hide_avx();
    cpuid(0x80000000, &a, &b, &c, &d);
    bool rdtscp = false;
    if (a >= 0x80000001) {
        cpuid(0x80000001, &a, &b, &c, &d);
        rdtscp = (d & CPUID_EXT_EDX_RDTSCP) != 0;
    }
    cpuid(0, &a, &b, &c, &d);
    if (a >= 7)
        cpuid_count(7, 0, &a, &b, &c, &d);
    else
        b = c = 0;
    host_cpu.tsc_aux = rdtscp || ((c >> 22) & 1); /* RDPID */
    host_cpu.fsgsbase = (b & CPUID7_EBX_FSGSBASE) != 0;
}

void cpu_ident_init_secondary(void)
{
    /* DE_CFG is per core: set it here too; a CPU that refuses leaves LFENCE unadvertised. */
    if (host_cpu.lfence_dispatch && host_cpu.family != 0xf && host_cpu.family != 0x11 &&
        !amd_lfence_serialise())
        host_cpu.lfence_dispatch = false;
}
