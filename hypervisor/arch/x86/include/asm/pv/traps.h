/* SPDX-License-Identifier: GPL-2.0-only */
/* PV trap delivery that the generic code calls (pv/traps.c). */
#ifndef LAMINA_ASM_PV_TRAPS_H
#define LAMINA_ASM_PV_TRAPS_H

#include <stdint.h>
#include <asm/cpu.h>
#include <hv/domain.h>

struct vcpu;

/* A guest SYSCALL that is not a hypercall: bounce it to the guest kernel. */
void pv_guest_syscall(struct cpu_regs *regs);
/* Loading the guest's selectors failed on the way out: bounce to its failsafe callback. */
void pv_failsafe_bounce(struct vcpu *v, struct cpu_regs *regs, const uint16_t sels[NR_DATA_SELS]);

#endif
