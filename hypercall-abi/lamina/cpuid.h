/* SPDX-License-Identifier: MIT */
/*
 * lamina/cpuid.h - the hypervisor CPUID leaves and the forced-emulation prefix.
 *
 * A PV kernel runs in ring 3 and its raw CPUID would see the host CPU, so it
 * asks for the hypervisor-filtered view with the forced-emulation sequence
 *   ud2 ; .ascii "xen" ; cpuid      (bytes 0f 0b 78 65 6e 0f a2)
 * The #UD is intercepted, the guest's CPUID policy for (EAX, ECX) is returned in
 * EAX/EBX/ECX/EDX and RIP advances by 7.
 */
#ifndef LAMINA_CPUID_H
#define LAMINA_CPUID_H

#define LAM_FORCED_EMUL_PREFIX_BYTES 0x0f, 0x0b, 0x78, 0x65, 0x6e
#define LAM_FORCED_EMUL_PREFIX_LEN   5
#define LAM_FORCED_CPUID_LEN         7
/* For inline assembly: the full forced CPUID instruction. */
#define LAM_FORCED_CPUID_ASM ".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2"

/*
 * Hypervisor leaves. Linux scans 0x40000000..0x4000ff00 in steps of 0x100 for
 * the signature with EAX >= base + 2.
 */
#define LAM_CPUID_BASE    0x40000000U
#define LAM_CPUID_LEAF(n) (LAM_CPUID_BASE + (n))

/* Leaf 0: EAX = highest hypervisor leaf; EBX:ECX:EDX = "XenVMMXenVMM". */
#define LAM_CPUID_LEAF_SIGNATURE 0
#define LAM_CPUID_SIGNATURE      "XenVMMXenVMM"
#define LAM_CPUID_SIGNATURE_EBX  0x566e6558U /* "XenV" */
#define LAM_CPUID_SIGNATURE_ECX  0x65584d4dU /* "MMXe" */
#define LAM_CPUID_SIGNATURE_EDX  0x4d4d566eU /* "nVMM" */

/* Leaf 1: EAX = version, (major << 16) | minor. */
#define LAM_CPUID_LEAF_VERSION 1
/* Leaf 2: EAX = number of hypercall pages; EBX = MSR to set them up (HVM);
 * ECX = features: bit 0, MMU_PT_UPDATE_PRESERVE_AD exists. */
#define LAM_CPUID_LEAF_HYPERCALL                  2
#define LAM_CPUID_HYPERCALL_MSR                   0x40000000U /* the MSR Xen reports in EBX */
#define LAM_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (1U << 0)
/* Leaf 3: TSC mode and frequency. Subleaf 0: EAX bit 0 TSC emulated, bit 1 host TSC
 * reliable, bit 2 RDTSCP available; EBX TSC mode; ECX guest TSC kHz; EDX incarnation.
 * Subleaf 1: EAX:EBX TSC offset, ECX:EDX scale (emulated TSC only). Subleaf 2: EAX host
 * TSC kHz. */
#define LAM_CPUID_LEAF_TIME     3
#define LAM_CPUID_TIME_EMULATED (1U << 0)
#define LAM_CPUID_TIME_TSC_SAFE (1U << 1)
#define LAM_CPUID_TIME_RDTSCP   (1U << 2)
/* Leaf 4: HVM features; EAX bit 6 (upcall vector) must be clear for PV. */
#define LAM_CPUID_LEAF_HVM          4
#define LAM_CPUID_HVM_UPCALL_VECTOR (1U << 6)
/* Leaf 5: PV features; EBX[7:0] = maximum machine address width. */
#define LAM_CPUID_LEAF_PV 5

#endif /* LAMINA_CPUID_H */
