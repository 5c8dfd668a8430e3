/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host stand-in for the machine that hypervisor/arch/x86/pv/pagetype.c
 * runs on: a frame table of SHIM_FRAMES frames whose contents live in
 * page-aligned host memory, two domains, the TLB-flush clock's state, and the
 * few hypervisor functions the file calls (flush_tlb_mask, init_guest_l4_slots,
 * validate_descriptor_page, mfn_is_ram, max_phys_mfn).
 *
 * The hypervisor's direct map is __va(pa) = pa + DIRECTMAP_VIRT_BASE. Rather
 * than change that, the shim picks machine frame numbers so that the direct
 * map lands on the host memory: frame SHIM_MFN(i) is the i-th host page, and
 * frame_table is offset so that frame_table[SHIM_MFN(i)] is the i-th
 * descriptor. Frames below SHIM_MFN(0) have no descriptor here, so tests only
 * name frames from SHIM_MFN(0) upwards (or past max_mfn, which is "not RAM").
 *
 * The TLB-flush clock (asm/tlbclock.h) is the hypervisor's own inlines over the
 * shim's tlbflush_clock and tlbflush_cpus; the shim's flush_tlb_mask() does what
 * a flush does to them (each CPU of the mask ticks the clock and takes the new
 * value as its flush time) and records the mask.
 */
#ifndef LAMINA_TEST_PAGETYPE_SHIM_H
#define LAMINA_TEST_PAGETYPE_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/domain.h>
#include <asm/frame.h>
#include <asm/page.h>

/* Frame layout of the fake machine, by index (SHIM_MFN(index) is the frame number). */
#define SHIM_FRAMES 64
#define SHIM_DOMU_0 0 /* [0, 24): owned by the unprivileged domain */
#define SHIM_DOMU_N 24
#define SHIM_DOM0_0 24 /* [24, 40): owned by the privileged domain */
#define SHIM_DOM0_N 16
#define SHIM_HOLE_0 40 /* [40, 48): reserved, no owner, not RAM (an MMIO hole) */
#define SHIM_HOLE_N 8
#define SHIM_HV_0   48 /* [48, 56): reserved RAM, no owner (hypervisor memory) */
#define SHIM_HV_N   8
#define SHIM_FREE_0 56 /* [56, 64): free heap frames */
#define SHIM_FREE_N 8
/* Frames past max_mfn still inside the CPU's physical address width. */
#define SHIM_MMIO_BEYOND 4096

extern mfn_t shim_mfn_base;
#define SHIM_MFN(i) (shim_mfn_base + (mfn_t)(i))

/* domU (id 1, unprivileged) and dom0 (id 0, privileged). */
extern struct domain shim_domu, shim_dom0;

/* Calls the shim saw since the last shim_reset(). flush_tlb_mask: how often, and the
 * CPUs of the last one. domU runs on CPU 0 (its dirty_cpumask), dom0 on none. */
extern unsigned int shim_flush_count;
extern uint64_t shim_flush_last_mask;
extern unsigned int shim_l4_slots_count;
extern unsigned int shim_desc_validate_count;
/* What validate_descriptor_page() returns next. */
extern int shim_desc_validate_rc;
/* The entry init_guest_l4_slots() writes into slots 256-271 (points at hypervisor memory). */
extern pte_t shim_hv_slot_entry;

/* domain_page_released(): how often put_page() reported a frame's last reference gone
 * (the owner had given it up), and the last such frame. */
extern unsigned int shim_released_count;
extern struct page_info *shim_released_last;

/* logdirty_type_released(): how often a frame's type count went back to 0 (what log-dirty
 * mode marks), and the last such frame. */
extern unsigned int shim_type_released_count;
extern struct page_info *shim_type_released_last;

/* hypercall_preempt_check(): counts its calls; the shim_preempt_at-th call (1-based)
 * since the last shim_reset() or arming says "stop"; 0 never. */
extern unsigned int shim_preempt_checks;
extern unsigned int shim_preempt_at;
void shim_preempt_arm(unsigned int at);

/* Map the memory once; clear it and rebuild the frame table and both domains. */
void shim_reset(void);
/* Release the memory (end of the test program). */
void shim_teardown(void);

/* The table of frame index i, as pv_pagetype.c sees it through mfn_to_virt. */
pte_t *shim_table(unsigned int i);
struct page_info *shim_page(unsigned int i);
/* A present entry for frame index i with extra flags. */
pte_t shim_pte(unsigned int i, pte_t flags);

#endif
