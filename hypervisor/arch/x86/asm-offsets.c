/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Structure offsets and constants for assembly, generated at build time: this
 * file is compiled to assembly and the build turns each "->NAME value" marker
 * into a #define in asm-offsets.h. Never hand-write offsets, or numbers a C
 * header already names, in .S files.
 */
#include <stddef.h>
#include <asm/cpu.h>
#include <asm/traps.h>
#include <asm/x86.h>

#define DEFINE(sym, val)      __asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"((long)(val)))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(REGS_rax, cpu_regs, rax);
    OFFSET(REGS_error_code, cpu_regs, error_code);
    OFFSET(REGS_rip, cpu_regs, rip);
    OFFSET(REGS_cs, cpu_regs, cs);
    OFFSET(REGS_rflags, cpu_regs, rflags);
    OFFSET(REGS_rsp, cpu_regs, rsp);
    DEFINE(REGS_SIZE, sizeof(struct cpu_regs));
    DEFINE(CPU_INFO_SIZE, sizeof(struct cpu_info));
    DEFINE(VECTOR_SYSCALL, VECTOR_SYSCALL);
    DEFINE(VECTOR_SYSENTER, VECTOR_SYSENTER);
    DEFINE(EXIT_SYSRET64, EXIT_SYSRET64);
    DEFINE(EXIT_SYSRET32, EXIT_SYSRET32);
    DEFINE(GUEST_CS32, GUEST_CS32);
    DEFINE(GUEST_CS64, GUEST_CS64);
    DEFINE(GUEST_DS, GUEST_DS);
    DEFINE(GUEST_RPL, GUEST_RPL);
    DEFINE(X86_EFLAGS_IF, X86_EFLAGS_IF);
    DEFINE(X86_EFLAGS_MBS, X86_EFLAGS_MBS);
    DEFINE(CR0_PE, CR0_PE);
    DEFINE(CR0_WP, CR0_WP);
    DEFINE(CR0_PG, CR0_PG);
    DEFINE(CR4_PAE, CR4_PAE);
    DEFINE(MSR_EFER, MSR_EFER);
    DEFINE(EFER_LME, EFER_LME);
    DEFINE(EFER_NXE, EFER_NXE);
    DEFINE(CPUID_EXT_BASE, CPUID_EXT_BASE);
    DEFINE(CPUID_LEAF_EXT_INFO, CPUID_LEAF_EXT_INFO);
    DEFINE(CPUID_EXT_EDX_LM_BIT, __builtin_ctz(CPUID_EXT_EDX_LM));
    DEFINE(CPUID_EXT_EDX_NX_BIT, __builtin_ctz(CPUID_EXT_EDX_NX));
}
