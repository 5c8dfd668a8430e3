/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flushing this CPU's TLB: one page, or every non-global entry. A header of its
 * own so that host builds of hypervisor code can put a stand-in of exactly this
 * header first on the include path (tests/unit/hypervisor/stand-in).
 */
#ifndef LAMINA_ASM_FLUSHTLB_H
#define LAMINA_ASM_FLUSHTLB_H

#include <stdint.h>
#include <asm/x86.h>

static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
/* Reloading CR3 drops every entry that is not global (Lamina keeps CR4.PGE off). */
static inline void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

#endif
