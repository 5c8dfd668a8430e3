/* SPDX-License-Identifier: GPL-2.0-only */
/* What the host CPU is, as the PV CPUID and MSR policies need it (cpu_ident.c). */
#ifndef LAMINA_ASM_CPU_IDENT_H
#define LAMINA_ASM_CPU_IDENT_H

#include <stdbool.h>
#include <stdint.h>

enum cpu_vendor { CPU_VENDOR_OTHER, CPU_VENDOR_INTEL, CPU_VENDOR_AMD, CPU_VENDOR_HYGON };

struct cpu_ident {
    enum cpu_vendor vendor;
    unsigned int family, model; /* display family and model (extended fields folded in) */
    uint64_t ucode_rev;         /* MSR 0x8b as the CPU reports it after the SDM's read sequence */
    bool lfence_dispatch;       /* LFENCE is dispatch-serialising on every CPU (AMD) */
    bool gds_hide_avx;          /* Gather Data Sampling: AVX withheld from guests */
    bool tsc_aux;               /* MSR_TSC_AUX exists (RDTSCP or RDPID) */
    bool fsgsbase;              /* CR4.FSGSBASE exists */
};

/* The boot CPU's identity; every CPU is taken to be the same. */
extern struct cpu_ident host_cpu;

/* Boot CPU: identify it and set up LFENCE; secondary CPUs: the same LFENCE setting. */
void cpu_ident_init(void);
void cpu_ident_init_secondary(void);

static inline bool cpu_is_amd_like(void)
{
    return host_cpu.vendor == CPU_VENDOR_AMD || host_cpu.vendor == CPU_VENDOR_HYGON;
}

#endif
