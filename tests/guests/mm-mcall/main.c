/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicall: each entry's result is stored in its own slot, errors included,
 * and the multicall itself returns 0. An iret entry ends the batch: Xen 4.17
 * (since XSA-213) performs the iret, with the frame at the guest's stack
 * pointer, and runs no entry after it. The test gives it a valid kernel-mode
 * frame, so execution resumes at a known place whether or not the iret is
 * performed.
 */
#include <lamina/traps.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "multicall results and iret";

#define UNTOUCHED 0x5555555555555555UL

static void set_entry(struct lam_multicall_entry *e, unsigned long op, unsigned long a0,
                      unsigned long a1, unsigned long a2, unsigned long a3)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->result = UNTOUCHED;
    e->args[0] = a0;
    e->args[1] = a1;
    e->args[2] = a2;
    e->args[3] = a3;
}

static void check_results(void)
{
    static struct lam_multicall_entry mc[5];
    static uint64_t page[512] __attribute__((aligned(4096)));
    struct lam_mmuext_op flush = {.cmd = LAM_MMUEXT_TLB_FLUSH_LOCAL};
    uint64_t pte = (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;

    set_entry(&mc[0], LAM_HYPERCALL_XEN_VERSION, LAM_XENVER_version, 0, 0, 0);
    set_entry(&mc[1], LAM_HYPERCALL_UPDATE_VA_MAPPING, 0x1000, pte, LAM_UVMF_INVLPG, 0);
    set_entry(&mc[2], LAM_HYPERCALL_MMUEXT_OP, (unsigned long)&flush, 1, 0, LAM_DOMID_SELF);
    set_entry(&mc[3], LAM_HYPERCALL_UPDATE_VA_MAPPING, (unsigned long)page, pte, LAM_UVMF_INVLPG,
              0);
    set_entry(&mc[4], 200, 0, 0, 0, 0); /* no such hypercall */
    long rc = hypercall_multicall(mc, 5);
    mm_expect_rc("multicall of 5", rc, 0);
    for (unsigned i = 0; i < 5; i++)
        lam_printf("  entry %u result %ld\n", i, (long)mc[i].result);
    mm_expect((long)mc[0].result == hypercall_xen_version(LAM_XENVER_version, NULL),
              "entry 0: xen_version result");
    mm_expect((long)mc[1].result == -LAM_EINVAL, "entry 1: update_va_mapping without L1 -EINVAL");
    mm_expect(mc[2].result == 0, "entry 2: mmuext flush 0");
    mm_expect(mc[3].result == 0, "entry 3: update_va_mapping 0");
    mm_expect((long)mc[4].result == -LAM_ENOSYS, "entry 4: unknown hypercall -ENOSYS");
    mm_expect_rc("multicall of 0 entries", hypercall_multicall(mc, 0), 0);
}

/*
 * Run a multicall with an iret-shaped frame below the stack pointer: RAX
 * 0x1111, RIP = label 2, CS FLAT_KERNEL_CS with RPL 0 (kernel mode), RFLAGS
 * with IF clear (events stay masked). Returns the multicall's RAX and sets
 * *via_iret when execution came back through the frame.
 */
static long multicall_with_frame(struct lam_multicall_entry *mc, unsigned n, int *via_iret)
{
    long rax;
    int iret = 0;
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "and $-16, %%rsp\n\t"
                     "pushq %[ss]\n\t"
                     "pushq %%rbx\n\t"  /* rsp */
                     "pushq $0x2\n\t"   /* rflags: IF clear */
                     "pushq %[cs0]\n\t" /* RPL 0: stay in kernel mode */
                     "lea 2f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t" /* rip */
                     "pushq $0\n\t"    /* flags */
                     "pushq $0\n\t"    /* rcx */
                     "pushq $0\n\t"    /* r11 */
                     "pushq $0x1111\n\t"
                     "mov %[nr], %%eax\n\t"
                     "syscall\n\t"
                     "mov %%rbx, %%rsp\n\t"
                     "jmp 3f\n"
                     "2: mov %%rbx, %%rsp\n\t"
                     "movl $1, %[iret]\n"
                     "3:\n"
                     : "=&a"(rax), [iret] "+m"(iret), "+D"(mc), "+S"(n)
                     : [nr] "i"(LAM_HYPERCALL_MULTICALL), [ss] "i"(LAM_FLAT_KERNEL_SS),
                       [cs0] "i"(LAM_FLAT_KERNEL_CS & ~3u)
                     : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory");
    *via_iret = iret;
    return rax;
}

static void check_iret_entry(void)
{
    static struct lam_multicall_entry mc[3];
    int via_iret = 0;
    set_entry(&mc[0], LAM_HYPERCALL_XEN_VERSION, LAM_XENVER_version, 0, 0, 0);
    set_entry(&mc[1], LAM_HYPERCALL_IRET, 0, 0, 0, 0);
    set_entry(&mc[2], LAM_HYPERCALL_XEN_VERSION, LAM_XENVER_version, 0, 0, 0);
    long rc = multicall_with_frame(mc, 3, &via_iret);
    lam_printf("multicall with iret: rax %lx, via iret frame %d, results %lx %lx %lx\n", rc,
               via_iret, mc[0].result, mc[1].result, mc[2].result);
    mm_expect((long)mc[0].result > 0, "entry before the iret ran");
    mm_expect(mc[2].result == UNTOUCHED, "entry after the iret did not run");
    mm_expect(via_iret && rc == 0x1111 && mc[1].result == 0x1111,
              "the iret was performed: resumed through the frame with its RAX");
    mm_expect(hypercall_xen_version(LAM_XENVER_version, NULL) > 0, "still in kernel mode");
}

void test_main(void)
{
    mm_init();
    check_results();
    check_iret_entry();
}
