/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Spinlocks that are also taken from interrupt context (timer callbacks raise
 * VIRQs): they must be held with interrupts off, or an interrupt arriving on
 * the CPU that holds the lock deadlocks it.
 */
#ifndef LAMINA_HV_IRQLOCK_H
#define LAMINA_HV_IRQLOCK_H

#include <hv/spinlock.h>
#include <asm/irqflags.h>

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
    unsigned long flags = local_irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
    spin_unlock(l);
    local_irq_restore(flags);
}

#endif
