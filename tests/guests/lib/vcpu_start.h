/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary vCPUs for test kernels (dom0_max_vcpus=N in the test's _HV_ARGS):
 * a context that starts a C function on its own stack, in kernel mode, on the
 * current page tables, with no trap table and events masked.
 * Needs mm_util (test.mk: <name>_LIBS := mm_util vcpu_start).
 */
#ifndef LAM_GUEST_VCPU_START_H
#define LAM_GUEST_VCPU_START_H

#include <lamina/vcpu.h>

#include "mm_util.h"

/* Fill c so that the vCPU enters entry() (which must never return) with RSP at stack_top. */
void lam_vcpu_context(struct lam_vcpu_guest_context *c, void (*entry)(void), void *stack_top);

/* Initialise and bring up vCPU id running entry(); 0 or the first failing hypercall's error. */
long lam_vcpu_start(unsigned int id, void (*entry)(void), void *stack_top);

#endif
