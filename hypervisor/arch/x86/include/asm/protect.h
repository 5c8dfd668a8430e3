/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMEP and SMAP: the hypervisor never executes a user page, and touches user
 * pages only inside the guest-access helpers (arch/x86/protect.c).
 *
 * Every guest mapping carries U (PV guest kernels run in ring 3), so for the
 * CPU nearly all guest memory is "user" memory. With CR4.SMAP set, a
 * supervisor access to it faults unless EFLAGS.AC is set: the helpers open
 * that window with STAC and close it with CLAC, and every entry into the
 * hypervisor clears AC (a guest may set it with POPF; exceptions and
 * interrupts do not clear it, SYSCALL does through MSR_FMASK).
 *
 * STAC and CLAC raise #UD on a CPU without SMAP, hence the flag.
 */
#ifndef LAMINA_HV_PROTECT_H
#define LAMINA_HV_PROTECT_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_regs;

/* Set on the boot CPU before any guest exists, when CR4.SMAP goes on; never changes after. */
extern bool cpu_smap_on;
extern bool cpu_smep_on;
/* The command-line options smep= and smap= (default on where the CPU has them), as Xen's. */
extern bool opt_smep, opt_smap;

static inline void stac(void)
{
    if (cpu_smap_on)
        __asm__ volatile("stac" ::: "memory");
}

static inline void clac(void)
{
    if (cpu_smap_on)
        __asm__ volatile("clac" ::: "memory");
}

/* Decide from CPUID and the options (boot CPU, before its control registers are set). */
void protect_init(void);
/* The CR4 bits every CPU sets; a CPU lacking one of them panics. */
uint64_t protect_cr4_bits(void);
/* Boot self-test on the boot CPU, after the heap is up: panics if SMEP or SMAP is on in
 * CR4 but does not stop a fetch from, or a load or store to, a user page. */
void protect_selftest(void);
/* The #PF of the self-test's fetch from a user page: record it and resume (traps.c). */
bool protect_probe_fault(struct cpu_regs *regs);
/* Panic if EFLAGS.AC is set here with SMAP on: an entry path forgot its CLAC. Called from
 * the exception/interrupt and SYSENTER entries; not on SYSCALL, where MSR_FMASK (checked at
 * CPU bring-up) clears AC and a PUSHF per hypercall was a tenth of its cost under TCG. */
void protect_check_entry_ac(void);

#endif
