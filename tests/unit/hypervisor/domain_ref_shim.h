/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) ahead of hypervisor/common/domain_ref.c for the
 * host test: claims x86.h's include guard so that the interrupt-flag
 * functions irqlock.h uses are test_domain_ref.c's, which keep a per-thread
 * "interrupts off" depth instead of executing CLI/STI.
 */
#ifndef LAMINA_TEST_DOMAIN_REF_SHIM_H
#define LAMINA_TEST_DOMAIN_REF_SHIM_H

#ifndef LAMINA_X86_H
#define LAMINA_X86_H
unsigned long local_irq_save(void);
void local_irq_restore(unsigned long flags);
#endif

#endif
