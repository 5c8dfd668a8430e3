/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TLB-flush clock (design: arch/x86/flushtlb.c): which CPUs may still hold
 * a translation of a frame, from the clock value stamped on the frame when its
 * last mapping may have gone and each CPU's clock value of its last flush.
 *
 * Plain data and inlines, no machine instruction: code built on its own for the
 * host tests (pv/pagetype.c) uses this header as it is, over a stand-in's data.
 * The flushes that keep the clock are in <asm/flushtlb.h>.
 */
#ifndef LAMINA_HV_TLBCLOCK_H
#define LAMINA_HV_TLBCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/cpu.h>
#include <asm/frame.h>
#include <asm/smp.h>

/* Ticks once per full flush on any CPU; starts at 1, 64 bits: it never wraps. */
extern uint64_t tlbflush_clock;

/* Each CPU's clock value of its last full flush (taken just before it), a cache line
 * each: every CR3 write stores it, other CPUs only read it. 0: never flushed. */
struct tlbflush_cpu {
    uint64_t time;
} __attribute__((aligned(64)));
extern struct tlbflush_cpu tlbflush_cpus[NR_CPUS];

static inline uint64_t tlbflush_current_time(void)
{
    return __atomic_load_n(&tlbflush_clock, __ATOMIC_SEQ_CST);
}

/*
 * The last guest mapping of pg may have gone (its type count dropped to 0, or the
 * frame went back to the heap). The caller removed the entry with a locked
 * instruction (xchg/cmpxchg) or a CR3 write before this, which orders that removal
 * before the clock read on x86.
 */
static inline void page_set_tlbflush_timestamp(struct page_info *pg)
{
    pg->tlbflush_timestamp = tlbflush_current_time();
}

/* May cpu still hold a translation that went away at clock value stamp? A flush
 * that took its time before the stamp was read may have come before the removal. */
static inline bool tlbflush_needed(unsigned int cpu, uint64_t stamp)
{
    return stamp != 0 && __atomic_load_n(&tlbflush_cpus[cpu].time, __ATOMIC_RELAXED) <= stamp;
}

/* The CPUs of mask that may still hold a translation removed at stamp. */
static inline cpumask_t tlbflush_filter(cpumask_t mask, uint64_t stamp)
{
    cpumask_t keep = 0;
    for (cpumask_t m = stamp ? mask : 0; m; m &= m - 1) {
        unsigned int cpu = (unsigned int)__builtin_ctzll(m);
        if (tlbflush_needed(cpu, stamp))
            keep |= cpumask_of(cpu);
    }
    return keep;
}

/* Flush those CPUs of mask that may still hold a translation removed at stamp. */
static inline void flush_tlb_mask_filtered(cpumask_t mask, uint64_t stamp)
{
    mask = tlbflush_filter(mask, stamp);
    if (mask)
        flush_tlb_mask(mask);
}

#endif
