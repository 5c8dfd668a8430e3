/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPUID through the forced-emulation prefix: the hypervisor leaves at
 * 0x40000000 (signature, version, hypercall pages, no HVM upcall vector) and
 * the standard leaves a PV kernel relies on.
 */
#include <lamina/cpuid.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "forced-emulation CPUID and hypervisor leaves";

void test_main(void)
{
    struct lam_cpuid r;

    lam_cpuid(LAM_CPUID_BASE, 0, &r);
    char sig[13];
    memcpy(sig, &r.ebx, 4);
    memcpy(sig + 4, &r.ecx, 4);
    memcpy(sig + 8, &r.edx, 4);
    sig[12] = 0;
    lam_printf("leaf %x: eax %x signature \"%s\"\n", LAM_CPUID_BASE, r.eax, sig);
    LAM_CHECK(strcmp(sig, LAM_CPUID_SIGNATURE) == 0, "signature \"%s\"", sig);
    LAM_CHECK(r.ebx == LAM_CPUID_SIGNATURE_EBX && r.ecx == LAM_CPUID_SIGNATURE_ECX &&
                  r.edx == LAM_CPUID_SIGNATURE_EDX,
              "signature registers %x %x %x", r.ebx, r.ecx, r.edx);
    /* Linux needs at least base + 2. */
    LAM_CHECK(r.eax >= LAM_CPUID_LEAF(2) && r.eax < LAM_CPUID_BASE + 0x100,
              "highest hypervisor leaf %x", r.eax);
    uint32_t max_leaf = r.eax;

    lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_VERSION), 0, &r);
    long v = hypercall_xen_version(LAM_XENVER_version, NULL);
    lam_printf("leaf %x: version %x (xen_version %lx)\n", LAM_CPUID_LEAF(1), r.eax, v);
    LAM_CHECK((long)r.eax == v, "CPUID version %x differs from xen_version %lx", r.eax, v);

    lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_HYPERCALL), 0, &r);
    LAM_CHECK(r.eax == 1, "leaf %x: %u hypercall pages", LAM_CPUID_LEAF(2), r.eax);

    if (max_leaf >= LAM_CPUID_LEAF(LAM_CPUID_LEAF_HVM)) {
        lam_cpuid(LAM_CPUID_LEAF(LAM_CPUID_LEAF_HVM), 0, &r);
        LAM_CHECK(!(r.eax & LAM_CPUID_HVM_UPCALL_VECTOR), "PV guest offered the HVM upcall vector");
    }

    /* Standard leaves: a vendor, and the x86-64 baseline a PV kernel assumes. */
    lam_cpuid(0, 0, &r);
    LAM_CHECK(r.eax >= 1, "max basic leaf %x", r.eax);
    lam_cpuid(1, 0, &r);
    lam_printf("leaf 1: ecx %08x edx %08x\n", r.ecx, r.edx);
    LAM_CHECK(r.ecx & (1U << 31), "leaf 1 lacks the hypervisor bit");
    LAM_CHECK((r.edx & (1U << 0)) && (r.edx & (1U << 4)) && (r.edx & (1U << 25)) &&
                  (r.edx & (1U << 26)),
              "leaf 1 lacks FPU/TSC/SSE/SSE2: edx %08x", r.edx);
    lam_cpuid(0x80000001, 0, &r);
    LAM_CHECK(r.edx & (1U << 29), "leaf 0x80000001 lacks long mode: edx %08x", r.edx);
}
