/* SPDX-License-Identifier: GPL-2.0-only */
/* Exceptions, interrupts and bounces to guest handlers. */
#ifndef LAMINA_HV_TRAPS_H
#define LAMINA_HV_TRAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/x86.h>
#include <hv/domain.h>

static inline bool guest_mode(const struct cpu_regs *regs)
{
    return (regs->cs & SEL_RPL_MASK) != 0;
}

static inline struct cpu_regs *guest_cpu_regs(void)
{
    return &get_cpu_info()->guest_regs;
}

/* Queue an exception for delivery to the guest's handler on the next exit. */
void pv_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code);
void pv_inject_page_fault(struct vcpu *v, uint64_t cr2, uint32_t error_code);
/* Deliver pending bounces, fix up the return frame: called with IRQs off before returning to
 * the guest. The answer says how entry.S returns (EXIT_*, also in asm-offsets.h). */
#define EXIT_IRET     0
#define EXIT_SYSRET64 1
#define EXIT_SYSRET32 2
int guest_exit_prepare(struct cpu_regs *regs);
/* #DB, from a guest or in the hypervisor (debug.c). */
void do_debug(struct cpu_regs *regs);
/* Check, on this CPU, that #DB runs on its own stack whatever RSP was (debug.c). */
void debug_ist_selftest(void);
/* entry.S guest_iret_fault: the exit IRETQ refused the guest's frame (traps.c). */
void do_guest_iret_fault(struct cpu_regs *regs);
/* Switch the vCPU between guest kernel and guest user mode (page tables, GS bases). */
void pv_toggle_guest_mode(struct vcpu *v);

/* Emulation of what a PV guest may not execute itself (pv/emulate.c). */
bool pv_emulate_forced_cpuid(struct cpu_regs *regs);
bool pv_emulate_privileged(struct cpu_regs *regs);
void pv_device_not_available(struct vcpu *v);
bool pv_emulate_ptwr(struct cpu_regs *regs, uint64_t cr2, uint32_t error_code);

/* Error code of the last hypervisor fault resumed through the exception table (any CPU;
 * for the boot self-test and debugging). */
extern volatile uint32_t hv_fixup_error_code;

void show_registers(const struct cpu_regs *regs);
void show_stack_trace(uint64_t rbp);

/* Idle until something happens (interrupt); processes timers and debug keys. */
void hv_idle_once(void);
void keyhandler_poll(void);
/* Debug keys that take locks wait for an exit to a guest (keyhandler.c); the exit path
 * checks the word inline and runs them, with interrupts on for the while. */
extern uint64_t deferred_keys;
void keyhandler_run_deferred(void);
void timers_init(void);

#endif
