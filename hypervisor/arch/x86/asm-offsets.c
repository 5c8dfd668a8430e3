/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Structure offsets for assembly, generated at build time: this file is
 * compiled to assembly and the build turns each "->NAME value" marker into a
 * #define in asm-offsets.h. Never hand-write offsets in .S files.
 */
#include <stddef.h>
#include <asm/cpu.h>
#include <asm/traps.h>

#define DEFINE(sym, val)      __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
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
}
