/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XSA-260 (CVE-2018-8897) from a PV guest: a data breakpoint on the memory a MOV SS reads (POP
 * SS does not exist in 64-bit code), and right after it SYSCALL (a hypercall), INT3 or INT $0x80.
 * The CPU holds the #DB of a MOV SS until the next instruction has run, so on hardware it arrives
 * on the hypervisor's entry point: at the first instruction of the SYSCALL entry the guest's RSP is
 * still loaded, and a #DB without a stack of its own would be written wherever the guest
 * pointed RSP. Xen 4.17 (and Lamina: #DB has an IST stack) takes it on its own stack, notes it
 * and ignores it. QEMU's TCG does not defer the #DB: the guest gets it at the SYSCALL or INT
 * instruction, before it runs. Either is correct here; what must hold: at most one #DB, at
 * that instruction, with B0 in DR6; the instruction then does its work (the hypercall's
 * answer, #BP, #GP(0x402) for int $0x80 without a trap-table entry); the host survives.
 * Each variant runs 50 times.
 */
#include <lamina/traps.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "MOV SS breakpoints before SYSCALL and INT";

#define DR6_DEFAULT 0xffff0ff0ull
#define ROUNDS      50

/* Our #DB handler: count, note the RIP, return (RSP at the RCX slot of the bounce frame). */
volatile uint64_t db_count, db_rip;
void db_entry(void);
__asm__(".text\n.globl db_entry\ndb_entry:\n"
        "  pop %rcx\n  pop %r11\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n"
        "  mov %rax, db_rip(%rip)\n"
        "  lock incq db_count(%rip)\n"
        "  pop %rax\n"
        "  push $0\n  push %rcx\n  push %r11\n  push %rax\n"
        "  mov $23, %eax\n  syscall\n  ud2\n");

static uint64_t ss_slot[2] __attribute__((aligned(16))); /* the selector MOV SS reads */

void movss_syscall(void), movss_syscall_at(void);
void movss_int3(void), movss_int3_at(void);
void movss_int80(void), movss_int80_at(void), movss_int80_after(void);
/* Each: RAX = result. The hypercall is xen_version(XENVER_version). */
__asm__(".text\n"
        ".globl movss_syscall, movss_syscall_at\n"
        "movss_syscall:\n"
        "  mov $17, %eax\n  xor %edi, %edi\n  xor %esi, %esi\n"
        "  mov ss_slot(%rip), %ss\n"
        "movss_syscall_at:\n"
        "  syscall\n"
        "  ret\n"
        ".globl movss_int3, movss_int3_at\n"
        "movss_int3:\n"
        "  mov ss_slot(%rip), %ss\n"
        "movss_int3_at:\n"
        "  int3\n"
        "  ret\n"
        ".globl movss_int80, movss_int80_at, movss_int80_after\n"
        "movss_int80:\n"
        "  mov ss_slot(%rip), %ss\n"
        "movss_int80_at:\n"
        "  int $0x80\n"
        "movss_int80_after:\n"
        "  ret\n");

static long call(void (*fn)(void))
{
    long rax;
    __asm__ volatile("call *%1"
                     : "=a"(rax)
                     : "r"(fn)
                     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    return rax;
}

static void watch_ss_slot(void)
{
    LAM_CHECK(hypercall_set_debugreg(0, (uintptr_t)&ss_slot[0]) == 0, "DR0");
    LAM_CHECK(hypercall_set_debugreg(7, 0x000f0401ull) == 0, "DR7: L0, reads and writes, 8 bytes");
}

static void unwatch(void)
{
    hypercall_set_debugreg(7, 0);
    hypercall_set_debugreg(6, DR6_DEFAULT);
}

/* One variant: before() arms, fn runs; 0 or 1 #DB at `at` each round, and the right result. */
static void variant(const char *name, void (*fn)(void), void (*at)(void), long want,
                    unsigned int want_vector)
{
    unsigned int deferred = 0, early = 0, bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        ss_slot[0] = LAM_FLAT_KERNEL_SS;
        db_count = 0;
        db_rip = 0;
        lam_exception_reset();
        watch_ss_slot();
        long rax = call(fn);
        uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
        uint64_t n = db_count, rip = db_rip;
        unwatch();
        if (n == 0) {
            deferred++;
        } else if (n == 1 && rip == (uintptr_t)at && (dr6 & 1)) {
            early++;
        } else if (bad++ == 0) {
            lam_printf("%s: %lu #DB, last at %lx (expected %lx), DR6 0x%lx\n", name,
                       (unsigned long)n, (unsigned long)rip, (unsigned long)(uintptr_t)at,
                       (unsigned long)dr6);
        }
        if (want_vector) {
            LAM_CHECK(lam_last_exception.seen == 1 && lam_last_exception.vector == want_vector,
                      "%s: exception %u (seen %d), expected %u", name, lam_last_exception.vector,
                      lam_last_exception.seen, want_vector);
            if (want_vector == 13)
                LAM_CHECK(lam_last_exception.error_code == 0x402, "%s: #GP(0x%lx)", name,
                          (unsigned long)lam_last_exception.error_code);
        } else {
            LAM_CHECK(rax == want, "%s: returned %ld, expected %ld", name, rax, want);
            LAM_CHECK(!lam_last_exception.seen, "%s: exception %u", name,
                      lam_last_exception.vector);
        }
    }
    lam_printf("%s: %u rounds with the #DB taken by the hypervisor, %u with it at the "
               "instruction, %u wrong\n",
               name, deferred, early, bad);
    LAM_CHECK(!bad, "%s: a #DB not at the instruction, or more than one", name);
}

void test_main(void)
{
    static const struct lam_trap_info db_table[] = {
        {1, 0, LAM_FLAT_KERNEL_CS, 0, (uint64_t)(uintptr_t)db_entry}, {0, 0, 0, 0, 0}};
    LAM_CHECK(hypercall_set_trap_table((void *)db_table) == 0, "our #DB handler");
    long version = hypercall_xen_version(LAM_XENVER_version, NULL);

    variant("MOV SS; SYSCALL", movss_syscall, movss_syscall_at, version, 0);
    variant("MOV SS; INT3", movss_int3, movss_int3_at, 0, 3);
    /* int $0x80 without a trap-table entry: #GP(0x402) at it; resume after it. */
    variant("MOV SS; INT $0x80", movss_int80, movss_int80_at, 0, 13);
}

/* The #GP of int $0x80 resumes after the instruction. */
__asm__(".pushsection .lam_extable, \"a\"\n\t.quad movss_int80_at, movss_int80_after\n"
        "\t.popsection\n");
