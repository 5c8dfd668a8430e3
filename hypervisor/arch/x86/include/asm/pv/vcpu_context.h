/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PV vCPU's whole state as struct lam_vcpu_guest_context: loaded by VCPUOP_initialise
 * and domctl setvcpucontext, read by domctl getvcpucontext (pv/vcpu_context.c).
 */
#ifndef LAMINA_ASM_PV_VCPU_CONTEXT_H
#define LAMINA_ASM_PV_VCPU_CONTEXT_H

#include <stdint.h>
#include <lamina/vcpu.h>

struct vcpu;

/*
 * Check c as Xen's arch_set_info_guest does for a 64-bit PV vCPU and load it into v,
 * which must not be running. A vCPU never loaded takes its page tables (ctrlreg[3], and
 * ctrlreg[1] when not 0), GDT and LDT from c, each validated and referenced; one already
 * loaded keeps them and c must name the same ones (-EOPNOTSUPP otherwise), as on Xen.
 * Nothing is changed when it fails. The caller decides about VGCF_online.
 */
int pv_vcpu_set_context(struct vcpu *v, const struct lam_vcpu_guest_context *c);
/* v's state (v not running) as a context, as Xen's arch_get_info_guest reports it. */
void pv_vcpu_get_context(const struct vcpu *v, struct lam_vcpu_guest_context *c);

#endif
