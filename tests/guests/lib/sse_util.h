/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SSE register patterns for the FPU isolation tests: load XMM0-15 and MXCSR with
 * a pattern derived from a seed, and check that they still hold it.
 */
#ifndef LAM_GUEST_SSE_UTIL_H
#define LAM_GUEST_SSE_UTIL_H

#include <stdint.h>

void lam_sse_load(uint8_t seed, uint32_t mxcsr);
/* 1 if XMM0-15 and MXCSR still hold the pattern. */
int lam_sse_check(uint8_t seed, uint32_t mxcsr);

#endif
