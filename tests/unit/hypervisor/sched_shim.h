/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included ahead of hypervisor/common/sched_credit.c for the host unit
 * test: claims x86.h's include guard so that the interrupt-flag inlines (cli and
 * popf in the hypervisor) are no-ops in a host process.
 */
#ifndef LAMINA_TEST_SCHED_SHIM_H
#define LAMINA_TEST_SCHED_SHIM_H

#ifndef LAMINA_X86_H
#define LAMINA_X86_H
static inline unsigned long local_irq_save(void)
{
    return 0;
}
static inline void local_irq_restore(unsigned long f)
{
    (void)f;
}
#endif

#endif
