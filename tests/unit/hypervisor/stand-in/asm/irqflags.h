/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for hypervisor/arch/x86/include/asm/irqflags.h. A host process
 * cannot execute CLI or STI, so here the interrupt-flag functions are only
 * declared; each test that links hypervisor code calling them defines what the
 * flag means to it (test_domain_ref.c counts nesting per thread,
 * test_sched_credit.c has none). A test that links such code without
 * defining them fails to link. The Makefile puts this directory ahead of the
 * hypervisor's headers on the include path.
 */
#ifndef LAMINA_TEST_STAND_IN_IRQFLAGS_H
#define LAMINA_TEST_STAND_IN_IRQFLAGS_H

void local_irq_disable(void);
void local_irq_enable(void);
unsigned long local_save_flags(void);
unsigned long local_irq_save(void);
void local_irq_restore(unsigned long flags);

#endif
