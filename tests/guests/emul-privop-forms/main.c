/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The privileged instructions a PV kernel may issue (it runs in ring 3, so each raises #GP
 * and the hypervisor emulates it), in the encodings the CPU accepts besides the usual one:
 * redundant segment prefixes up to the 15-byte limit, a ModRM with mod != 3 for MOV CR
 * (the CPU takes it as the register form), REX.W on RDMSR (ignored), and the ones Xen 4.17
 * emulates that Linux does not issue (CLTS, INVD, MOV to CR3 of the running L4). Each answer
 * must be Xen's: emulated (no fault, the same result) or #GP(0). Past 15 bytes the CPU
 * itself raises #GP(0), and nothing may be emulated. Instructions that must never be
 * emulated for a PV kernel (LGDT, LLDT, LTR, MOV from CR8) give #GP(0).
 */
#include "mm_util.h"

const char lam_test_title[] = "privileged instructions in their other encodings";

#define CR0_TS 0x8ull

struct outcome {
    int faulted;
    unsigned int vector;
    uint64_t error, rax, rdx;
};

/* Run the bytes of one instruction (given as an asm string) with rax/rcx/rdx in, rax/rdx out. */
#define TRY(insn, in_rax, in_rcx, in_rdx)                                                          \
    ({                                                                                             \
        struct outcome o_ = {0};                                                                   \
        uint64_t a_ = (in_rax), d_ = (in_rdx);                                                     \
        lam_exception_reset();                                                                     \
        __asm__ volatile("1: " insn "\n"                                                           \
                         "   jmp 3f\n"                                                             \
                         "2: movl $1, %2\n"                                                        \
                         "3:\n" LAM_ASM_EXTABLE(1b, 2b)                                            \
                         : "+a"(a_), "+d"(d_), "+m"(o_.faulted)                                    \
                         : "c"((uint64_t)(in_rcx))                                                 \
                         : "memory");                                                              \
        o_.vector = lam_last_exception.vector;                                                     \
        o_.error = lam_last_exception.error_code;                                                  \
        o_.rax = a_;                                                                               \
        o_.rdx = d_;                                                                               \
        o_;                                                                                        \
    })

static void show(const char *what, struct outcome o)
{
    if (o.faulted)
        lam_printf("%s: exception %u error 0x%lx\n", what, o.vector, (unsigned long)o.error);
    else
        lam_printf("%s: emulated, rax 0x%lx rdx 0x%lx\n", what, (unsigned long)o.rax,
                   (unsigned long)o.rdx);
}

static void expect_emulated(const char *what, struct outcome o)
{
    show(what, o);
    LAM_CHECK(!o.faulted, "%s: exception %u error 0x%lx, expected it emulated", what, o.vector,
              (unsigned long)o.error);
}

static void expect_gp0(const char *what, struct outcome o)
{
    show(what, o);
    LAM_CHECK(o.faulted && o.vector == 13 && o.error == 0, "%s: expected #GP(0)", what);
}

static uint64_t cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

#define CS13 ".byte 0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e\n"

void test_main(void)
{
    mm_init();
    uint64_t c0 = cr0() & ~CR0_TS;
    lam_printf("CR0 0x%lx\n", (unsigned long)c0);

    expect_emulated("WBINVD with two CS prefixes", TRY(".byte 0x2e,0x2e,0x0f,0x09", 0, 0, 0));
    expect_emulated("WBINVD, 15 bytes (13 CS prefixes)", TRY(CS13 ".byte 0x0f,0x09", 0, 0, 0));
    expect_gp0("WBINVD, 16 bytes (14 CS prefixes)", TRY(CS13 ".byte 0x2e,0x0f,0x09", 0, 0, 0));

    struct outcome o = TRY(".byte 0x26,0x0f,0x20,0xc0", 0, 0, 0); /* es: mov %cr0,%rax */
    expect_emulated("MOV from CR0 with an ES prefix", o);
    LAM_CHECK(o.faulted || (o.rax & ~CR0_TS) == c0, "ES: MOV from CR0 read 0x%lx",
              (unsigned long)o.rax);
    o = TRY(".byte 0x0f,0x20,0x00", 0, 0, 0); /* mod 0: still mov %cr0,%rax */
    expect_emulated("MOV from CR0 with ModRM mod 0", o);
    LAM_CHECK(o.faulted || (o.rax & ~CR0_TS) == c0, "mod 0: MOV from CR0 read 0x%lx",
              (unsigned long)o.rax);
    o = TRY(".byte 0x2e,0x0f,0x22,0xc0", c0, 0, 0); /* cs: mov %rax,%cr0 (unchanged) */
    expect_emulated("MOV to CR0 (unchanged) with a CS prefix", o);

    /* RDMSR of EFER with REX.W (ignored by the CPU). */
    struct outcome plain = TRY("rdmsr", 0, 0xc0000080u, 0);
    expect_emulated("RDMSR EFER", plain);
    o = TRY(".byte 0x48,0x0f,0x32", 0, 0xc0000080u, 0);
    expect_emulated("RDMSR EFER with REX.W", o);
    LAM_CHECK(o.faulted || (o.rax == plain.rax && o.rdx == plain.rdx),
              "REX.W RDMSR read 0x%lx:0x%lx", (unsigned long)o.rdx, (unsigned long)o.rax);

    /* CLTS clears the virtual CR0.TS, as fpu_taskswitch(0). */
    LAM_CHECK(hypercall_fpu_taskswitch(1) == 0, "fpu_taskswitch(1)");
    lam_printf("CR0.TS after fpu_taskswitch(1): %d\n", (cr0() & CR0_TS) != 0);
    expect_emulated("CLTS", TRY("clts", 0, 0, 0));
    uint64_t after = cr0();
    lam_printf("CR0.TS after CLTS: %d\n", (after & CR0_TS) != 0);
    LAM_CHECK(!(after & CR0_TS), "CLTS left TS set");
    hypercall_fpu_taskswitch(0);

    expect_gp0("INVD", TRY(".byte 0x0f,0x08", 0, 0, 0));

    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    lam_printf("CR3 0x%lx\n", (unsigned long)cr3);
    expect_emulated("MOV to CR3 of the running L4", TRY("mov %%rax, %%cr3", cr3, 0, 0));

    /* A page of ours that is no L4 (mapped writable here), and an address past RAM. */
    uint64_t *not_l4 = mm_alloc_page();
    not_l4[0] = 1;
    uint64_t not_l4_ma = mm_va_to_ma(not_l4);
    expect_gp0("MOV to CR3 of a writable data page", TRY("mov %%rax, %%cr3", not_l4_ma, 0, 0));
    expect_gp0("MOV to CR3 past RAM", TRY("mov %%rax, %%cr3", 0x7ffffffff000ull, 0, 0));
    uint64_t now;
    __asm__ volatile("mov %%cr3, %0" : "=r"(now));
    LAM_CHECK(now == cr3, "CR3 changed to 0x%lx", (unsigned long)now);

    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) desc = {0, 0};
    expect_gp0("LGDT", TRY("lgdt (%%rcx)", 0, (uintptr_t)&desc, 0));
    expect_gp0("LIDT", TRY("lidt (%%rcx)", 0, (uintptr_t)&desc, 0));
    expect_gp0("LLDT of the null selector", TRY("lldt %%ax", 0, 0, 0));
    expect_gp0("LTR of the null selector", TRY("ltr %%ax", 0, 0, 0));
    expect_gp0("MOV from CR8", TRY(".byte 0x44,0x0f,0x20,0xc0", 0, 0, 0));
    expect_gp0("MOV to CR8", TRY(".byte 0x44,0x0f,0x22,0xc0", 0, 0, 0));
    expect_gp0("MOV to CR0 setting CD", TRY("mov %%rax, %%cr0", c0 | (1ull << 30), 0, 0));
}
