/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SSE register patterns (see sse_util.h). The kernels are built with
 * -mgeneral-regs-only, so the compiler never touches these registers itself.
 */
#include "lam.h"
#include "sse_util.h"

struct sse_image {
    uint8_t xmm[16][16] __attribute__((aligned(16)));
};

static void pattern(struct sse_image *s, uint8_t seed)
{
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            s->xmm[r][b] = (uint8_t)(seed + r * 16 + b);
}

void lam_sse_load(uint8_t seed, uint32_t mxcsr)
{
    struct sse_image s;
    pattern(&s, seed);
    __asm__ volatile("movdqa 0x00(%0), %%xmm0\n movdqa 0x10(%0), %%xmm1\n"
                     "movdqa 0x20(%0), %%xmm2\n movdqa 0x30(%0), %%xmm3\n"
                     "movdqa 0x40(%0), %%xmm4\n movdqa 0x50(%0), %%xmm5\n"
                     "movdqa 0x60(%0), %%xmm6\n movdqa 0x70(%0), %%xmm7\n"
                     "movdqa 0x80(%0), %%xmm8\n movdqa 0x90(%0), %%xmm9\n"
                     "movdqa 0xa0(%0), %%xmm10\n movdqa 0xb0(%0), %%xmm11\n"
                     "movdqa 0xc0(%0), %%xmm12\n movdqa 0xd0(%0), %%xmm13\n"
                     "movdqa 0xe0(%0), %%xmm14\n movdqa 0xf0(%0), %%xmm15\n"
                     "ldmxcsr %1\n"
                     :
                     : "r"(s.xmm), "m"(mxcsr)
                     : "memory");
}

int lam_sse_check(uint8_t seed, uint32_t mxcsr)
{
    struct sse_image want, now;
    uint32_t m;
    pattern(&want, seed);
    __asm__ volatile("movdqa %%xmm0, 0x00(%0)\n movdqa %%xmm1, 0x10(%0)\n"
                     "movdqa %%xmm2, 0x20(%0)\n movdqa %%xmm3, 0x30(%0)\n"
                     "movdqa %%xmm4, 0x40(%0)\n movdqa %%xmm5, 0x50(%0)\n"
                     "movdqa %%xmm6, 0x60(%0)\n movdqa %%xmm7, 0x70(%0)\n"
                     "movdqa %%xmm8, 0x80(%0)\n movdqa %%xmm9, 0x90(%0)\n"
                     "movdqa %%xmm10, 0xa0(%0)\n movdqa %%xmm11, 0xb0(%0)\n"
                     "movdqa %%xmm12, 0xc0(%0)\n movdqa %%xmm13, 0xd0(%0)\n"
                     "movdqa %%xmm14, 0xe0(%0)\n movdqa %%xmm15, 0xf0(%0)\n"
                     "stmxcsr %1\n"
                     :
                     : "r"(now.xmm), "m"(m)
                     : "memory");
    return !memcmp(want.xmm, now.xmm, sizeof(now.xmm)) && m == mxcsr;
}
