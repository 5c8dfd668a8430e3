/* SPDX-License-Identifier: GPL-2.0-only */
/* The C functions the assembly calls, and the assembly the C code calls (entry.S, boot/head.S). */
#ifndef LAMINA_ASM_ENTRY_H
#define LAMINA_ASM_ENTRY_H

#include <stdint.h>
#include <asm/cpu.h>

/* boot/head.S, in long mode on the boot stack. */
void start_lamina(uint32_t magic, uint64_t info_pa);
/* entry.S: every exception and interrupt, with the frame it saved. */
void do_interrupt_or_trap(struct cpu_regs *regs);
/* entry.S: SYSCALL from a guest (hypercall or a guest system call to bounce). */
void do_syscall(struct cpu_regs *regs);
/* entry.S: SYSENTER from a guest (a guest system call to bounce). */
void do_sysenter(struct cpu_regs *regs);
/* entry.S: the SYSENTER entry point and the address right after it saved RFLAGS (a guest's
 * TF single-steps the instructions up to there: traps.c lets those #DBs pass). */
extern char sysenter_entry[], sysenter_flags_saved[];
/* entry.S: the exit IRETQ to a guest, and where a fault on it continues (traps.c). */
extern char guest_iret[], guest_iret_fault[];
/* entry.S: restore regs and return to the guest. */
_Noreturn void enter_guest(struct cpu_regs *regs);

/* entry.S: the entry point of every vector (the IDT points at these). */
extern const uint64_t vector_table[X86_NR_VECTORS];
/* entry.S: the SYSCALL stub each CPU copies (with its stack and targets filled in at the
 * _stack and _target slots), its 32-bit (compat) entry, and the common paths they jump to. */
extern char syscall_stub_start[], syscall_stub_end[], syscall_stub_stack[], syscall_stub_target[];
extern char syscall_stub_compat[], syscall_stub_compat_target[];
extern char syscall_common[], syscall_compat_common[];

/* boot/head.S: the boot page tables' L4, the hypervisor's own (idle) address space. */
extern uint64_t boot_l4[];
/* boot/trampoline.S: the real-mode start of a secondary CPU, copied below 1 MiB, and
 * the parameters block inside it. */
extern char trampoline_start[], trampoline_end[], trampoline_params[];

#endif
