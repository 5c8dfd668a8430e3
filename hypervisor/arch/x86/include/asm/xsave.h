/* SPDX-License-Identifier: GPL-2.0-only */
/* XSAVE: which state components the host enables and a PV guest may use (pv/context.c). */
#ifndef LAMINA_ASM_XSAVE_H
#define LAMINA_ASM_XSAVE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* XCR0 / XSTATE_BV state components. */
#define XSTATE_FP      (1ull << 0) /* x87 */
#define XSTATE_SSE     (1ull << 1)
#define XSTATE_YMM_BIT 2 /* AVX; also its CPUID leaf 0xd subleaf */
#define XSTATE_YMM     (1ull << XSTATE_YMM_BIT)
#define XSTATE_FP_SSE  (XSTATE_FP | XSTATE_SSE)
#define XSTATE_OFFERED (XSTATE_FP | XSTATE_SSE | XSTATE_YMM) /* what guests may use */

/* The standard-format XSAVE area: the legacy FXSAVE image, the XSAVE header, then AVX. */
#define XSAVE_HDR            512 /* XSTATE_BV is its first field */
#define XSAVE_AREA_BASE_SIZE 576 /* legacy image and header */
#define XSAVE_YMM_SIZE       256

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
