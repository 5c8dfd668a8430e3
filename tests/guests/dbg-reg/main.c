/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug registers of a PV guest, as Xen 4.17 answers: set_debugreg
 * refuses a breakpoint address in the hypervisor's range or the non-canonical hole (-EPERM),
 * DR6/DR7 values with upper-half bits (-EINVAL), DR7 with general detect (-EPERM) or, while
 * any breakpoint is enabled, an I/O breakpoint type (-EPERM: the guest has no CR4.DE); other
 * reserved bits are forced to their fixed values. DR4 and DR5 are DR6 and DR7 (CR4.DE
 * clear); other numbers -ENODEV. A data breakpoint the guest hits raises #DB, and DR6 (as
 * get_debugreg reads it) says which breakpoint fired, or BS for a single step, until the
 * guest clears it.
 */
#include <lamina/errno.h>

#include "lam.h"

const char lam_test_title[] = "set_debugreg/get_debugreg and the guest's DR6";

#define DR6_DEFAULT 0xffff0ff0ull
#define DR7_DEFAULT 0x400ull
#define HV_ADDR     0xffff830000000000ull

static volatile uint64_t watched[4];

struct setcase {
    int reg;
    uint64_t value;
    long rc;
    int get;       /* register to read back (-1: none) */
    uint64_t want; /* its value */
};

static void check_set(const struct setcase *c)
{
    long rc = hypercall_set_debugreg(c->reg, c->value);
    long got = c->get >= 0 ? hypercall_get_debugreg(c->get) : 0;
    lam_printf("set DR%d 0x%lx: %ld; DR%d = 0x%lx\n", c->reg, (unsigned long)c->value, rc, c->get,
               (unsigned long)got);
    LAM_CHECK(rc == c->rc, "set_debugreg(%d, 0x%lx) = %ld, expected %ld", c->reg,
              (unsigned long)c->value, rc, c->rc);
    LAM_CHECK(c->get < 0 || (uint64_t)got == c->want,
              "after set DR%d 0x%lx: DR%d 0x%lx, expected 0x%lx", c->reg, (unsigned long)c->value,
              c->get, (unsigned long)got, (unsigned long)c->want);
}

/* A store the DR0 watchpoint catches: #DB after it, at the label (a trap, nothing to fix). */
static int store_watched(void)
{
    lam_exception_reset();
    __asm__ volatile("movq $1, %0\n1:\n" LAM_ASM_EXTABLE(1b, 1b) : "=m"(watched[0]) : : "memory");
    return lam_last_exception.seen && lam_last_exception.vector == 1;
}

/* One single step: the POPF that clears TF again runs with TF set, and traps after itself. */
static int single_step(void)
{
    lam_exception_reset();
    __asm__ volatile("pushf\n"
                     "pushf\n"
                     "orq $0x100, (%%rsp)\n"
                     "popf\n"
                     "popf\n"
                     "1:\n" LAM_ASM_EXTABLE(1b, 1b)::
                         : "memory");
    return lam_last_exception.seen && lam_last_exception.vector == 1;
}

void test_main(void)
{
    long dr6_0 = hypercall_get_debugreg(6), dr7_0 = hypercall_get_debugreg(7);
    lam_printf("at boot: DR6 0x%lx DR7 0x%lx\n", (unsigned long)dr6_0, (unsigned long)dr7_0);
    LAM_CHECK((uint64_t)dr6_0 == DR6_DEFAULT && (uint64_t)dr7_0 == DR7_DEFAULT,
              "a new vCPU's DR6/DR7: 0x%lx 0x%lx", (unsigned long)dr6_0, (unsigned long)dr7_0);
    uint64_t w = (uint64_t)(uintptr_t)&watched[0];
    const struct setcase cases[] = {
        {0, w, 0, 0, w},
        {1, 0x00007ffffffff000ull, 0, 1, 0x00007ffffffff000ull},
        {2, 0x0000800000000000ull, -LAM_EPERM, 2, 0},
        {2, HV_ADDR, -LAM_EPERM, 2, 0},
        {2, 0xffff800000000000ull, -LAM_EPERM, 2, 0},
        {2, 0xffff87fffffffff8ull, -LAM_EPERM, 2, 0},
        {2, 0xffff880000000000ull, 0, 2, 0xffff880000000000ull},
        {3, 0x8000000000000000ull, -LAM_EPERM, 3, 0},
        {3, 0, 0, 3, 0},
        {6, 0, 0, 6, DR6_DEFAULT},
        {6, 0x100000000ull, -LAM_EINVAL, 6, DR6_DEFAULT},
        {6, 0x0000f00full, 0, 6, 0xffffefffull},
        {6, 0xffffffffull, 0, 6, 0xffffefffull},
        {6, DR6_DEFAULT, 0, 6, DR6_DEFAULT},
        {4, 0x4001ull, 0, 6, 0xffff4ff1ull},
        {4, DR6_DEFAULT, 0, 4, DR6_DEFAULT},
        {7, 0, 0, 7, DR7_DEFAULT},
        {7, 0x100000000ull, -LAM_EINVAL, 7, DR7_DEFAULT},
        {7, 0x2000ull, -LAM_EPERM, 7, DR7_DEFAULT},
        {7, 0xd800ull, 0, 7, DR7_DEFAULT},
        {7, 0x00020001ull, -LAM_EPERM, 7, DR7_DEFAULT},
        {7, 0x00200001ull, -LAM_EPERM, 7, DR7_DEFAULT},
        {7, 0x00200000ull, 0, 7, 0x00200400ull},
        {5, 0x00000300ull, 0, 7, 0x00000700ull},
        {5, 0, 0, 5, DR7_DEFAULT},
        {8, 0, -LAM_ENODEV, -1, 0},
        {-1, 0, -LAM_ENODEV, -1, 0},
    };
    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_set(&cases[i]);
    long rc = hypercall_get_debugreg(8);
    LAM_CHECK(rc == -LAM_ENODEV, "get_debugreg(8) = %ld", rc);
    rc = hypercall_get_debugreg(-1);
    LAM_CHECK(rc == -LAM_ENODEV, "get_debugreg(-1) = %ld", rc);

    /* DR0 watches writes of 8 bytes at watched[0] (L0, R/W0 = 01, LEN0 = 10). */
    LAM_CHECK(hypercall_set_debugreg(0, w) == 0, "DR0");
    LAM_CHECK(hypercall_set_debugreg(6, DR6_DEFAULT) == 0, "DR6 cleared");
    LAM_CHECK(hypercall_set_debugreg(7, 0x00090401ull) == 0, "DR7: L0, write, 8 bytes");
    int hit = store_watched();
    uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
    lam_printf("watched store: #DB %d at rip %lx, DR6 0x%lx\n", hit,
               (unsigned long)lam_last_exception.rip, (unsigned long)dr6);
    LAM_CHECK(hit, "the store to a watched address raised #DB");
    LAM_CHECK(dr6 == (DR6_DEFAULT | 1), "DR6 after the watchpoint: 0x%lx, expected B0",
              (unsigned long)dr6);
    LAM_CHECK(hypercall_set_debugreg(7, 0) == 0, "DR7 off");
    LAM_CHECK(!store_watched(), "no #DB once DR7 is off");
    dr6 = (uint64_t)hypercall_get_debugreg(6);
    LAM_CHECK(dr6 == (DR6_DEFAULT | 1), "DR6 keeps B0 until the guest clears it: 0x%lx",
              (unsigned long)dr6);
    LAM_CHECK(hypercall_set_debugreg(6, DR6_DEFAULT) == 0, "DR6 cleared");

    hit = single_step();
    dr6 = (uint64_t)hypercall_get_debugreg(6);
    lam_printf("single step: #DB %d at rip %lx, DR6 0x%lx\n", hit,
               (unsigned long)lam_last_exception.rip, (unsigned long)dr6);
    LAM_CHECK(hit, "TF raised #DB");
    LAM_CHECK(dr6 == (DR6_DEFAULT | 0x4000), "DR6 after a single step: 0x%lx, expected BS",
              (unsigned long)dr6);
    LAM_CHECK(hypercall_set_debugreg(6, DR6_DEFAULT) == 0, "DR6 cleared");
    LAM_CHECK(hypercall_set_debugreg(0, 0) == 0, "DR0 cleared");
}
