/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Single-stepping over instructions the hypervisor emulates. With TF set, the CPU raises a
 * single-step #DB after each instruction it completes; an instruction the hypervisor
 * finishes for the guest (the forced-emulation CPUID, WBINVD and MOV from CR0 in a PV
 * kernel, a store into the guest's own read-only L1 table) completes too, so the guest must
 * get its #DB right after it, with DR6.BS, as Xen 4.17 delivers it (its emulators report
 * "singlestep" on retirement and inject #DB). A hypervisor that only advances RIP lets
 * the step slip to the next instruction: a debugger single-stepping the kernel skips one.
 *
 * Xen 4.17 leaves DR6.BS clear for the page-table write (its ptwr path injects a bare #DB);
 * Lamina sets it, as the CPU does (docs/differences.md), so that case checks only the #DB.
 *
 * Each case runs "popf (sets TF); INSN; after: popf (restores)": the #DB must come once, at
 * `after`. A native NOP first shows the harness itself.
 */
#include <lamina/cpuid.h>

#include "mm_util.h"

const char lam_test_title[] = "single-stepping over emulated instructions";

#define DR6_DEFAULT 0xffff0ff0ull
#define DR6_BS      0x4000ull
#define TREE_SLOT   302

static volatile uint64_t db_count, db_rip;

/* The single-step #DB: note where it came, clear TF in the frame so stepping stops. */
static int on_debug(struct lam_regs *regs)
{
    if (regs->vector != 1)
        return 0;
    if (db_count++ == 0)
        db_rip = regs->rip;
    regs->rflags &= ~0x100ull;
    return 1;
}

/* "pushf; pushf; set TF; popf; INSN; after_NAME: popf" as a function of its own. */
#define STEP_CASE(name, insn)                                                                      \
    void step_##name(uint64_t a, uint64_t b);                                                      \
    void after_##name(void);                                                                       \
    __asm__(".text\n.globl step_" #name "\nstep_" #name ":\n"                                      \
            "  push %rbx\n"                                                                        \
            "  mov %rdi, %rcx\n"                                                                   \
            "  mov %rsi, %rdx\n"                                                                   \
            "  xor %eax, %eax\n"                                                                   \
            "  pushfq\n"                                                                           \
            "  pushfq\n"                                                                           \
            "  orq $0x100, (%rsp)\n"                                                               \
            "  popfq\n"                                                                            \
            "  " insn "\n"                                                                         \
            ".globl after_" #name "\nafter_" #name ":\n"                                           \
            "  popfq\n"                                                                            \
            "  pop %rbx\n"                                                                         \
            "  ret\n")

STEP_CASE(nop, "nop");
STEP_CASE(cpuid, LAM_FORCED_CPUID_ASM);
STEP_CASE(wbinvd, "wbinvd");
STEP_CASE(movcr0, "mov %cr0, %rax");
STEP_CASE(ptwr, "movq %rdx, (%rcx)"); /* rcx = the L1 slot, rdx = the entry */

static void check_step(const char *what, void (*fn)(uint64_t, uint64_t), void (*after)(void),
                       uint64_t a, uint64_t b, int need_bs)
{
    db_count = 0;
    db_rip = 0;
    hypercall_set_debugreg(6, DR6_DEFAULT);
    fn(a, b);
    uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
    lam_printf("%s: %lu #DB, first at %s (%lx), DR6 0x%lx\n", what, (unsigned long)db_count,
               db_rip == (uintptr_t)after ? "the next instruction" : "somewhere else",
               (unsigned long)db_rip, (unsigned long)dr6);
    LAM_CHECK(db_count == 1 && db_rip == (uintptr_t)after,
              "%s: expected one #DB at %lx, got %lu, first at %lx", what,
              (unsigned long)(uintptr_t)after, (unsigned long)db_count, (unsigned long)db_rip);
    LAM_CHECK(!need_bs || (dr6 & DR6_BS), "%s: DR6 0x%lx without BS", what, (unsigned long)dr6);
}

void test_main(void)
{
    static struct mm_tree t;
    mm_init();
    mm_expect_rc("build a page-table tree", mm_tree_build(&t, TREE_SLOT), 0);
    void *data = mm_alloc_page();
    uint64_t pte = mm_va_to_ma(data) | MM_PTE_FLAGS;

    lam_unexpected_exception = on_debug;
    check_step("NOP (native)", step_nop, after_nop, 0, 0, 1);
    check_step("forced-emulation CPUID", step_cpuid, after_cpuid, 0, 0, 1);
    check_step("WBINVD", step_wbinvd, after_wbinvd, 0, 0, 1);
    check_step("MOV from CR0", step_movcr0, after_movcr0, 0, 0, 1);
    check_step("MOV into a read-only L1 entry", step_ptwr, after_ptwr, (uintptr_t)&t.l1[5], pte, 0);
    lam_unexpected_exception = NULL;
    hypercall_set_debugreg(6, DR6_DEFAULT);

    mm_expect((t.l1[5] & LAM_PTE_MFN_MASK) == (pte & LAM_PTE_MFN_MASK),
              "the emulated PTE write went in");
    mm_expect_rc("clear the entry", mm_update(mm_tab_ma(t.l1, 5), 0), 0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&t), 0);
}
