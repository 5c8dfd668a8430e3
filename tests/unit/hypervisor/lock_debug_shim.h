/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included ahead of hypervisor/common/lock_debug.c and its test: claims
 * x86.h's include guard so that the interrupt flag the checker reads is a
 * variable the test sets (shim_rflags) instead of CLI/PUSHF.
 */
#ifndef LAMINA_TEST_LOCK_DEBUG_SHIM_H
#define LAMINA_TEST_LOCK_DEBUG_SHIM_H

#ifndef LAMINA_X86_H
#define LAMINA_X86_H
#define X86_EFLAGS_IF (1ul << 9)
extern unsigned long shim_rflags; /* X86_EFLAGS_IF: "interrupts on" */
static inline unsigned long local_irq_save(void)
{
    unsigned long f = shim_rflags;
    shim_rflags &= ~X86_EFLAGS_IF;
    return f;
}
static inline void local_irq_restore(unsigned long f)
{
    shim_rflags = f;
}
#endif

#endif
