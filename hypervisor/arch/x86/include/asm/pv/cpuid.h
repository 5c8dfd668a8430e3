/* SPDX-License-Identifier: GPL-2.0-only */
/* The CPUID view and the MSRs a PV guest is given (pv/cpuid.c, pv/msr.c). */
#ifndef LAMINA_ASM_PV_CPUID_H
#define LAMINA_ASM_PV_CPUID_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/x86.h>

struct vcpu;

/* The policy's answer for (leaf, subleaf) as v sees it: EAX, EBX, ECX, EDX. */
void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t res[CPUID_NR_REGS]);
/* Features the hypervisor must support when the policy shows them. */
bool pv_cpuid_has_fsgsbase(const struct vcpu *v);
bool pv_cpuid_has_tsc_aux(const struct vcpu *v);

/* Emulated RDMSR/WRMSR of the guest kernel: false means #GP. */
bool pv_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool pv_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

/* With CR4.FSGSBASE the guest can change its FS and GS bases without the hypervisor:
 * read them back from the CPU into v (the running vCPU) before using v's copies. */
void pv_sync_segment_bases(struct vcpu *v);
/* The guest's CR4.FSGSBASE (v running): the CPU's follows it. */
void pv_set_guest_fsgsbase(struct vcpu *v, bool on);
/* Load v's CR4.FSGSBASE and TSC_AUX on this CPU (context switch). */
void pv_load_cpu_features(const struct vcpu *v);

#endif
