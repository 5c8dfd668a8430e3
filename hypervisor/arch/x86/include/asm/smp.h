/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical CPUs: which are online, how to reach them (IPIs), and the TLB
 * shootdown built on the IPIs.
 *
 * CPU numbers are dense (0 = the boot CPU, then the order of the ACPI MADT);
 * a cpumask is one bit per CPU number in a 64-bit word (NR_CPUS is 64).
 */
#ifndef LAMINA_HV_SMP_H
#define LAMINA_HV_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>

typedef uint64_t cpumask_t;

#define CPUMASK_ALL     (~0ull)
#define cpumask_of(cpu) (1ull << (cpu))

/* Fixed vectors of the IPI layer (below the APIC timer at 0xf0). */
#define IPI_VECTOR_KICK 0xe0 /* reschedule / wake an idle CPU: the handler does nothing */
#define IPI_VECTOR_CALL 0xe1 /* run the requested functions (call_function_on) */

extern volatile cpumask_t cpu_online_mask;
extern unsigned int nr_cpus_online;
extern struct cpu_info *cpu_info_of[NR_CPUS];
extern unsigned int opt_maxcpus; /* maxcpus= boot option: 0 = all CPUs ACPI lists */

/* Bring up the CPUs the ACPI MADT lists (arch/x86/smpboot.c). */
void smp_boot_secondaries(void);

/* IPIs (arch/x86/ipi.c). */
void smp_send_kick(unsigned int cpu);
/* Run fn(arg) on every online CPU in mask (this one too if it is in mask), wait for all. */
void call_function_on(cpumask_t mask, void (*fn)(void *arg), void *arg);
/* Called from the interrupt dispatch for the IPI vectors. */
void ipi_interrupt(unsigned int vector);

/* TLB shootdown: flush (all or one page) on every CPU in mask and wait. */
void flush_tlb_mask(cpumask_t mask);
void flush_tlb_one_mask(cpumask_t mask, uint64_t va);

struct domain;
/* Every CPU that may cache d's translations (d->dirty_cpumask). */
void flush_tlb_domain(struct domain *d);
void flush_tlb_domain_one(struct domain *d, uint64_t va);

#endif
