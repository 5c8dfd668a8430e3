/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A domU's FPU state through dom0's eyes, and with dom0's junk in it (Lamina only).
 * dom0 fills its x87 stack, FCW, XMM0-15, MXCSR (and YMM uppers with AVX) with a pattern
 * and runs beside a spinning domU (sched-spin, which never touches the FPU) for 300
 * yields on one CPU. Then, as a toolstack would:
 *  - getvcpucontext(d1, 0): the domU's image is its own reset state (FCW 0x37f, MXCSR
 *    0x1f80, the x87 and XMM registers zero): none of dom0's registers reached it (the lazy
 *    FPU class, XSA-267: a vCPU that never used the FPU must not hold the previous one's);
 *  - setvcpucontext(d1, 0) with the same context but an FPU image of all ones (MXCSR
 *    0xffffffff, whose reserved bits make FXRSTOR/XRSTOR #GP in the hypervisor on hardware):
 *    taken, the domU keeps running (its counter grows), and its image reads back with MXCSR
 *    masked by the CPU's MXCSR_MASK and the rest as given;
 *  - dom0's own registers still hold its pattern.
 */
#include <lamina/domctl.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "domctl_util.h"
#include "sched_util.h"
#include "sse_util.h"

const char lam_test_title[] =
    "a domU's FPU context: no dom0 registers in it, junk from dom0 sanitised";

#define PEER     1
#define MY_SEED  0x3c
#define MY_MXCSR (0x1f80 | 0x2000)
#define ROUNDS   300

static struct lam_domctl op;
static struct lam_vcpu_guest_context ctx;
static uint8_t img[512] __attribute__((aligned(16)));

static long vcpucontext(uint32_t cmd)
{
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = PEER;
    op.u.vcpucontext.vcpu = 0;
    op.u.vcpucontext.ctxt = (uint64_t)(uintptr_t)&ctx;
    return hypercall_domctl(&op);
}

/* IEEE doubles (bit patterns: the kernels are built without floating point in C). */
static const uint64_t x87_pattern[8] = {
    0x3ff8000000000000ull, 0xc002000000000000ull, 0x4009000000000000ull, 0x4202a05f20000000ull,
    0xc01c000000000000ull, 0x3fb999999999999aull, 0x4045000000000000ull, 0x3ee4f8b588e368f1ull,
};
static uint8_t x87_ref[160]; /* FCW .. ST7 as FXSAVE showed them right after loading */

static void load_x87(void)
{
    static const uint16_t fcw = 0x027e;
    __asm__ volatile("fninit\n fldcw %0" : : "m"(fcw));
    for (int i = 0; i < 8; i++)
        __asm__ volatile("fldl %0" : : "m"(x87_pattern[i]));
    __asm__ volatile("fxsave64 %0" : "=m"(img));
    memcpy(x87_ref, img, sizeof(x87_ref));
}

/* Our FCW and x87 stack (the 10 bytes of each register) as they were loaded. */
static int x87_intact(void)
{
    __asm__ volatile("fxsave64 %0" : "=m"(img));
    if (memcmp(img, x87_ref, 2))
        return 0;
    for (int i = 0; i < 8; i++)
        if (memcmp(img + 32 + 16 * i, x87_ref + 32 + 16 * i, 10))
            return 0;
    return 1;
}

static int all(const uint8_t *p, unsigned int n, uint8_t v)
{
    for (unsigned int i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

void test_main(void)
{
    struct mm_tree tree;
    uint32_t handle;
    volatile struct sched_peer_page *peer;
    if (sched_attach_peers(&tree, 1, &peer, &handle))
        return;
    lam_sse_load(MY_SEED, MY_MXCSR);
    load_x87();
    for (int i = 0; i < ROUNDS; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(lam_sse_check(MY_SEED, MY_MXCSR) && x87_intact(), "dom0's registers kept");
    __asm__ volatile("fxsave64 %0" : "=m"(img));
    uint32_t mask = *(uint32_t *)(img + 28) ? *(uint32_t *)(img + 28) : 0xffbf;

    long rc = vcpucontext(LAM_DOMCTL_getvcpucontext);
    LAM_CHECK(rc == 0, "getvcpucontext(d1, 0): %ld", rc);
    const uint8_t *f = ctx.fpu_ctxt;
    lam_printf("d1's FPU image: FCW %x FSW %x MXCSR %x ST0 %lx XMM0 %lx XMM15 %lx\n",
               *(const uint16_t *)f, *(const uint16_t *)(f + 2), *(const uint32_t *)(f + 24),
               *(const unsigned long *)(f + 32), *(const unsigned long *)(f + 160),
               *(const unsigned long *)(f + 160 + 15 * 16));
    LAM_CHECK(*(const uint16_t *)f == 0x037f && *(const uint32_t *)(f + 24) == 0x1f80,
              "d1's FCW and MXCSR are the reset values");
    LAM_CHECK(all(f + 32, 128, 0), "d1's x87 registers are zero, not dom0's");
    LAM_CHECK(all(f + 160, 256, 0), "d1's XMM registers are zero, not dom0's");

    /* The toolstack writes an image of all ones into the running domU's vCPU. */
    memset(ctx.fpu_ctxt, 0xff, sizeof(ctx.fpu_ctxt));
    ctx.flags |= LAM_VGCF_i387_valid;
    rc = vcpucontext(LAM_DOMCTL_setvcpucontext);
    LAM_CHECK(rc == 0, "setvcpucontext(d1, 0) with an all-ones FPU image: %ld", rc);
    uint64_t spins = peer->spins;
    for (int i = 0; i < ROUNDS; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(peer->spins > spins, "d1 runs on with it (%lu more rounds)",
              (unsigned long)(peer->spins - spins));
    memset(&ctx, 0, sizeof(ctx));
    rc = vcpucontext(LAM_DOMCTL_getvcpucontext);
    LAM_CHECK(rc == 0, "getvcpucontext(d1, 0) again: %ld", rc);
    lam_printf("d1's FPU image now: FCW %x MXCSR %x (MXCSR_MASK %x) XMM0 %lx\n",
               *(const uint16_t *)f, *(const uint32_t *)(f + 24), mask,
               *(const unsigned long *)(f + 160));
    LAM_CHECK(*(const uint32_t *)(f + 24) == mask, "MXCSR masked to the CPU's MXCSR_MASK");
    LAM_CHECK(*(const uint16_t *)f == 0xffff && all(f + 160, 256, 0xff),
              "FCW and the XMM registers as given");
    LAM_CHECK(lam_sse_check(MY_SEED, MY_MXCSR) && x87_intact(), "dom0's registers still kept");
    __asm__ volatile("fninit");
    mm_expect_rc("pause d1", lam_domctl(&op, LAM_DOMCTL_pausedomain, PEER), 0);
    mm_expect_rc("unmap", sched_unmap_peer(tree.base, handle), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
