/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for hypervisor/arch/x86/include/asm/flushtlb.h. A host process
 * cannot reload CR3 or execute INVLPG, so the flushes are only declared here;
 * the test that links the code calling them defines them (pagetype_shim.c
 * counts flush_tlb_local() calls). The Makefile puts this directory ahead of
 * the hypervisor's headers on the include path.
 */
#ifndef LAMINA_TEST_STAND_IN_FLUSHTLB_H
#define LAMINA_TEST_STAND_IN_FLUSHTLB_H

#include <stdint.h>

void invlpg(uint64_t va);
void flush_tlb_local(void);

#endif
