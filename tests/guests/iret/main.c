/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The iret hypercall (23) called directly, not from an exception: it must
 * restore RAX, RCX and R11 from the context, return to the given RIP and RSP,
 * restore RFLAGS (DF here), and set the event mask to !IF
 * (vcpu_info.evtchn_upcall_mask). CS with RPL 0 keeps guest kernel mode.
 */
#include <lamina/traps.h>

#include "lam.h"

const char lam_test_title[] = "iret hypercall semantics";

struct iret_probe {
    uint64_t rflags, rax, rcx, r11, rsp_delta;      /* in */
    uint64_t rax_out, rcx_out, r11_out, rflags_out; /* out */
    int64_t rsp_moved;                              /* out: RSP after - RSP before */
};

void iret_probe(struct iret_probe *p);
__asm__(".pushsection .text\n"
        ".globl iret_probe\n"
        "iret_probe:\n\t"
        "push %rbx\n\tpush %rbp\n\t"
        "mov %rdi, %rbx\n\t"
        "mov %rsp, %rbp\n\t"
        "mov %rsp, %r9\n\t"
        "sub 32(%rbx), %r9\n\t"
        "lea 1f(%rip), %r10\n\t"
        "push $0xe02b\n\t"  /* ss */
        "push %r9\n\t"      /* rsp */
        "push 0(%rbx)\n\t"  /* rflags */
        "push $0xe030\n\t"  /* cs: flat kernel CS with RPL 0 = stay in kernel mode */
        "push %r10\n\t"     /* rip */
        "push $0\n\t"       /* flags: restore RCX and R11 */
        "push 16(%rbx)\n\t" /* rcx */
        "push 24(%rbx)\n\t" /* r11 */
        "push 8(%rbx)\n\t"  /* rax */
        "mov $" LAM_STR(LAM_HYPERCALL_IRET) ", %eax\n\t"
                                            "syscall\n\t"
                                            "ud2\n"
                                            "1:\n\t"
                                            "mov %rax, 40(%rbx)\n\t"
                                            "mov %rcx, 48(%rbx)\n\t"
                                            "mov %r11, 56(%rbx)\n\t"
                                            "pushf\n\tpop %rax\n\t"
                                            "mov %rax, 64(%rbx)\n\t"
                                            "cld\n\t"
                                            "mov %rsp, %rax\n\t"
                                            "sub %rbp, %rax\n\t"
                                            "mov %rax, 72(%rbx)\n\t"
                                            "mov %rbp, %rsp\n\t"
                                            "pop %rbp\n\tpop %rbx\n\t"
                                            "ret\n"
                                            ".popsection\n");

#define RFLAGS_IF (1UL << 9)
#define RFLAGS_DF (1UL << 10)

static void run(const char *name, uint64_t rflags, uint64_t rsp_delta)
{
    struct iret_probe p = {.rflags = rflags,
                           .rax = 0x1234567887654321UL,
                           .rcx = 0xc0ffee00c0ffee00UL,
                           .r11 = 0x0badf00d0badf00dUL,
                           .rsp_delta = rsp_delta};
    volatile uint8_t *mask = &lam_shared_info->vcpu_info[0].evtchn_upcall_mask;

    *mask = 1;
    iret_probe(&p);
    uint8_t mask_after = *mask;
    *mask = 1; /* keep events masked for the rest of the test */

    lam_printf("%s: rax %lx rcx %lx r11 %lx rflags %lx rsp moved %ld mask %u\n", name, p.rax_out,
               p.rcx_out, p.r11_out, p.rflags_out, p.rsp_moved, mask_after);
    LAM_CHECK(p.rax_out == p.rax, "%s: RAX %lx, expected %lx", name, p.rax_out, p.rax);
    LAM_CHECK(p.rcx_out == p.rcx && p.r11_out == p.r11, "%s: RCX %lx R11 %lx not restored", name,
              p.rcx_out, p.r11_out);
    LAM_CHECK(p.rsp_moved == -(int64_t)rsp_delta, "%s: RSP moved by %ld, expected %ld", name,
              p.rsp_moved, -(int64_t)rsp_delta);
    LAM_CHECK((p.rflags_out & RFLAGS_DF) == (rflags & RFLAGS_DF), "%s: DF %s after iret", name,
              (p.rflags_out & RFLAGS_DF) ? "set" : "clear");
    LAM_CHECK(mask_after == !(rflags & RFLAGS_IF), "%s: upcall mask %u, expected %u", name,
              mask_after, !(rflags & RFLAGS_IF));
}

void test_main(void)
{
    run("IF clear", 0x2, 0);
    run("IF set (unmask events)", 0x2 | RFLAGS_IF, 0);
    run("DF set, new stack", 0x2 | RFLAGS_DF, 256);
}
