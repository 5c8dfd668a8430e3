/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flushing this CPU's TLB, and keeping the TLB-flush clock while doing it
 * (arch/x86/flushtlb.c; the clock itself is <asm/tlbclock.h>). Other CPUs'
 * TLBs: flush_tlb_mask() and friends in <asm/smp.h>.
 */
#ifndef LAMINA_HV_FLUSHTLB_H
#define LAMINA_HV_FLUSHTLB_H

#include <stdint.h>

#include <asm/frame.h>
#include <asm/tlbclock.h>

/* One page of this CPU's TLB (not a full flush: the clock does not tick). */
static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Load cr3, a full flush (CR4.PGE is off): the clock ticks, and its new value is this
 * CPU's flush time. Every CR3 write of the hypervisor after boot goes through here but
 * the guest's kernel/user switches, which use the next one. */
void switch_cr3(uint64_t cr3);
/* The same without ticking the clock (a plain read of it as the flush time): for the
 * guest's kernel/user switch, two per system call. */
void switch_cr3_guest_mode(uint64_t cr3);
/* Flush this CPU's TLB (reload CR3), recorded on the clock. */
void flush_tlb_local(void);
/* Before frames [mfn, mfn + 2^order) freshly taken from the heap are used: flush every
 * CPU that may still hold a translation from their last owner. */
void tlbflush_frames_reused(mfn_t mfn, unsigned int order);

#endif
