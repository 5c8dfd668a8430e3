/* SPDX-License-Identifier: GPL-2.0-only */
/* XSAVE: which state components the host enables and a PV guest may use (pv/context.c). */
#ifndef LAMINA_ASM_XSAVE_H
#define LAMINA_ASM_XSAVE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

bool xsave_host_available(void);
/* The XCR0 bits a PV guest may set (what CPUID leaf 0xd shows it). */
uint64_t xsave_guest_mask(void);
void xsave_host_enable(void);
/* The guest's XSETBV, already checked against xsave_guest_mask(). */
void xsave_set_guest_xcr0(struct vcpu *v, uint64_t val);
/* Make a guest-supplied FXSAVE image safe to restore: MXCSR bits outside the CPU's
 * MXCSR_MASK make FXRSTOR and XRSTOR #GP (in the hypervisor); they are cleared, as Xen does. */
void fpu_sanitise_image(uint8_t image[512]);

#endif
