/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU's interrupt flag: CLI, STI and saving it across a section. A header of
 * its own so that host builds of hypervisor code can put a stand-in of exactly
 * this header first on the include path (tests/unit/hypervisor/stand-in).
 */
#ifndef LAMINA_ASM_IRQFLAGS_H
#define LAMINA_ASM_IRQFLAGS_H

#include <asm/x86.h>

static inline void local_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void local_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    __asm__ volatile("pushf; pop %0" : "=r"(f));
    return f;
}
/* Interrupts off; returns the flags to hand to local_irq_restore(). */
static inline unsigned long local_irq_save(void)
{
    unsigned long f = local_save_flags();
    local_irq_disable();
    return f;
}
static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_EFLAGS_IF)
        local_irq_enable();
}

#endif
