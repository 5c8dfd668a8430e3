/* SPDX-License-Identifier: GPL-2.0-only */
/* CPUID through the forced-emulation prefix (lamina/cpuid.h). */
#include <lamina/cpuid.h>

#include "lam.h"

void lam_cpuid(uint32_t leaf, uint32_t subleaf, struct lam_cpuid *out)
{
    __asm__ volatile(LAM_FORCED_CPUID_ASM
                     : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
                     : "0"(leaf), "2"(subleaf));
}
