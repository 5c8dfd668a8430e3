/* SPDX-License-Identifier: GPL-2.0-only */
/* PV trap delivery that the generic code calls (pv/traps.c). */
#ifndef LAMINA_ASM_PV_TRAPS_H
#define LAMINA_ASM_PV_TRAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <hv/domain.h>

struct vcpu;

/* Guest system calls, bounced to the guest kernel's callbacks as Xen 4.17 does (pv/syscall.c):
 * SYSCALL from 64-bit user mode, SYSCALL from compat (32-bit) code, SYSENTER, int $0x80. */
void pv_guest_syscall(struct cpu_regs *regs);
void pv_guest_syscall32(struct cpu_regs *regs);
void pv_guest_sysenter(struct cpu_regs *regs);
void pv_guest_int80(struct cpu_regs *regs);

/* Bounce the current context to handler (no error code), masking events if mask_events.
 * False if the frame could not be written (the domain was crashed). */
bool pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler, bool mask_events);
/* Raise an exception in the guest and bounce it to its trap-table handler now (not on the
 * way out), so that what the caller changes afterwards is not in the frame. */
void pv_deliver_exception(struct vcpu *v, struct cpu_regs *regs, unsigned int vector,
                          bool has_error, uint32_t error_code);
/* Loading the guest's selectors failed on the way out: bounce to its failsafe callback. */
void pv_failsafe_bounce(struct vcpu *v, struct cpu_regs *regs, const uint16_t sels[NR_DATA_SELS]);

#endif
