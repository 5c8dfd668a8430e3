/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercall page: this kernel carries an HYPERCALL_PAGE note, so the
 * builder must have replaced the page's int3 filler with 128 stubs of 32
 * bytes. Calls go through the stubs (call page + 32 * n), which must preserve
 * RCX and R11 and give the same results as a bare SYSCALL.
 */
#include <lamina/console.h>
#include <lamina/errno.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "hypercall page stubs";

extern uint8_t lam_hypercall_page[];

/* Call stub nr with two arguments; report RCX and R11 as seen after the call. */
static long stub_call2(unsigned nr, unsigned long a1, unsigned long a2, uint64_t *rcx_after,
                       uint64_t *r11_after)
{
    long ret;
    uint64_t rcx, r11;
    void *stub = lam_hypercall_page + nr * LAM_HYPERCALL_PAGE_STUB_SIZE;
    __asm__ volatile("movabs $0x0123456789abcdef, %%rcx\n\t"
                     "movabs $0xfedcba9876543210, %%r11\n\t"
                     "call *%[stub]\n\t"
                     "mov %%rcx, %[rcx]\n\t"
                     "mov %%r11, %[r11]\n\t"
                     : "=a"(ret), "+D"(a1), "+S"(a2), [rcx] "=m"(rcx), [r11] "=m"(r11)
                     : [stub] "r"(stub)
                     : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory", "cc");
    *rcx_after = rcx;
    *r11_after = r11;
    return ret;
}

static long stub_call3(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
    long ret;
    void *stub = lam_hypercall_page + nr * LAM_HYPERCALL_PAGE_STUB_SIZE;
    __asm__ volatile("call *%[stub]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
                     : [stub] "r"(stub)
                     : "rcx", "r11", "r8", "r9", "r10", "memory", "cc");
    return ret;
}

void test_main(void)
{
    const uint8_t *p = lam_hypercall_page;
    lam_printf("stub 17: %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x\n", p[544], p[545],
               p[546], p[547], p[548], p[549], p[550], p[551], p[552], p[553]);

    unsigned filled = 0;
    for (unsigned i = 0; i < LAM_HYPERCALL_PAGE_NR_STUBS; i++)
        if (p[i * LAM_HYPERCALL_PAGE_STUB_SIZE] != 0xcc)
            filled++;
    if (filled == 0) {
        lam_fail("hypercall page not filled (still int3)");
        return;
    }
    LAM_CHECK(filled == LAM_HYPERCALL_PAGE_NR_STUBS, "only %u of %u stubs filled", filled,
              LAM_HYPERCALL_PAGE_NR_STUBS);

    uint64_t rcx, r11;
    long v = stub_call2(LAM_HYPERCALL_XEN_VERSION, LAM_XENVER_version, 0, &rcx, &r11);
    long direct = hypercall_xen_version(LAM_XENVER_version, NULL);
    lam_printf("xen_version via stub: %lx, via syscall: %lx\n", v, direct);
    LAM_CHECK(v == direct && v > 0, "xen_version via stub %lx, via syscall %lx", v, direct);
    LAM_CHECK(rcx == 0x0123456789abcdefUL && r11 == 0xfedcba9876543210UL,
              "stub clobbered RCX/R11: %lx %lx", rcx, r11);

    static const char msg[] = "hypercall-page: console_io through stub 18\n";
    long rc = stub_call3(LAM_HYPERCALL_CONSOLE_IO, LAM_CONSOLEIO_write, sizeof(msg) - 1,
                         (unsigned long)msg);
    LAM_CHECK(rc == 0, "console_io via stub returned %ld", rc);

    /* A stub for a number nobody implements still reaches the hypervisor. */
    rc = stub_call3(60, 0, 0, 0);
    LAM_CHECK(rc == -LAM_ENOSYS, "stub 60 returned %ld, expected -ENOSYS", rc);
}
