/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest that set no LDT (MMUEXT_SET_LDT) has none: every LDT selector (TI = 1) raises #GP
 * with the selector as error code, as on Xen 4.17, which loads a null LDTR. A hypervisor
 * that never loads LDTR keeps the reset value, an LDT of 64 KiB at linear address 0, which is
 * guest memory: the guest maps a page there holding a data descriptor, a code descriptor and
 * a 64-bit call gate into the hypervisor's code segment, and then loads DS, ES, FS, GS and SS
 * with them, jumps and calls through them. Each must fault with #GP(selector); the call gate
 * would otherwise run guest code in ring 0 (with SMEP: a page fault in the hypervisor).
 */
#include "mm_util.h"

const char lam_test_title[] = "LDT selectors fault: no LDT at linear 0";

#define LDT_DATA 0 /* LDT entries in the page at linear 0 */
#define LDT_CODE 1
#define LDT_GATE 2 /* 16 bytes: entries 2 and 3 */
#define SEL(i)   (((i) << 3) | 4 | 3)

static struct mm_tree low;
static volatile uint64_t *page0;

void ring0_target(void);
__asm__(".text\n.globl ring0_target\nring0_target:\n  ud2\n");

/* A far pointer for LCALL/LJMP through the LDT (the offset is ignored for a gate). */
static struct {
    uint32_t offset;
    uint16_t sel;
} __attribute__((packed)) far_gate = {0, SEL(LDT_GATE)}, far_code = {0, SEL(LDT_CODE)};

static void expect_gp(const char *what, unsigned int sel, int faulted)
{
    uint64_t want = sel & ~3u;
    lam_printf("%s: %s, vector %u error 0x%lx\n", what, faulted ? "faulted" : "did not fault",
               lam_last_exception.vector, (unsigned long)lam_last_exception.error_code);
    LAM_CHECK(faulted && lam_last_exception.vector == 13 && lam_last_exception.error_code == want,
              "%s: expected #GP(0x%lx), got %s vector %u error 0x%lx", what, (unsigned long)want,
              faulted ? "a fault with" : "no fault,", lam_last_exception.vector,
              (unsigned long)lam_last_exception.error_code);
}

/* Load sel into a segment register; 1 if it faulted (the exception is recorded). */
#define TRY_LOAD(seg, sel)                                                                         \
    ({                                                                                             \
        int f_ = 0;                                                                                \
        lam_exception_reset();                                                                     \
        __asm__ volatile("1: mov %w1, %%" seg "\n"                                                 \
                         "   mov $0, %w1\n"                                                        \
                         "   mov %w1, %%" seg "\n"                                                 \
                         "   jmp 3f\n"                                                             \
                         "2: mov $1, %0\n"                                                         \
                         "3:\n" LAM_ASM_EXTABLE(1b, 2b)                                            \
                         : "+r"(f_)                                                                \
                         : "r"((uint32_t)(sel))                                                    \
                         : "memory");                                                              \
        f_;                                                                                        \
    })

static int try_load_ss(unsigned int sel)
{
    int f = 0;
    lam_exception_reset();
    __asm__ volatile("   mov %%ss, %%ecx\n"
                     "1: mov %w1, %%ss\n"
                     "   mov %%ecx, %%ss\n"
                     "   jmp 3f\n"
                     "2: mov $1, %0\n"
                     "3:\n" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(f)
                     : "r"(sel)
                     : "rcx", "memory");
    return f;
}

static int try_far(int call, const void *ptr)
{
    int f = 0;
    lam_exception_reset();
    if (call)
        __asm__ volatile("1: lcall *(%1)\n"
                         "   jmp 3f\n"
                         "2: mov $1, %0\n"
                         "3:\n" LAM_ASM_EXTABLE(1b, 2b)
                         : "+r"(f)
                         : "r"(ptr)
                         : "memory");
    else
        __asm__ volatile("1: ljmp *(%1)\n"
                         "2: mov $1, %0\n" LAM_ASM_EXTABLE(1b, 2b)
                         : "+r"(f)
                         : "r"(ptr)
                         : "memory");
    return f;
}

void test_main(void)
{
    mm_init();
    mm_expect_rc("tables for linear 0 (L4 slot 0)", mm_tree_build(&low, 0), 0);
    void *page = mm_alloc_page();
    mm_expect_rc("map a page at linear 0",
                 mm_update(mm_tab_ma(low.l1, 0), mm_va_to_ma(page) | MM_PTE_FLAGS), 0);
    page0 = (volatile uint64_t *)(uintptr_t)low.base;
    mm_expect(low.base == 0, "the tree starts at linear 0");
    uint64_t target = (uint64_t)(uintptr_t)ring0_target;
    page0[LDT_DATA] = 0x00cff2000000ffffull; /* data, DPL 3 */
    page0[LDT_CODE] = 0x00affa000000ffffull; /* 64-bit code, DPL 3 */
    /* 64-bit call gate, DPL 3, to the hypervisor's code segment 0xe008 at ring0_target. */
    page0[LDT_GATE] =
        (target & 0xffff) | (0xe008ull << 16) | (0xecull << 40) | (((target >> 16) & 0xffff) << 48);
    page0[LDT_GATE + 1] = target >> 32;
    lam_printf("linear 0: %lx %lx %lx %lx\n", (unsigned long)page0[0], (unsigned long)page0[1],
               (unsigned long)page0[2], (unsigned long)page0[3]);

    expect_gp("DS from the LDT", SEL(LDT_DATA), TRY_LOAD("ds", SEL(LDT_DATA)));
    expect_gp("ES from the LDT", SEL(LDT_DATA), TRY_LOAD("es", SEL(LDT_DATA)));
    expect_gp("FS from the LDT", SEL(LDT_DATA), TRY_LOAD("fs", SEL(LDT_DATA)));
    expect_gp("GS from the LDT", SEL(LDT_DATA), TRY_LOAD("gs", SEL(LDT_DATA)));
    expect_gp("SS from the LDT", SEL(LDT_DATA), try_load_ss(SEL(LDT_DATA)));
    expect_gp("far call through an LDT call gate", SEL(LDT_GATE), try_far(1, &far_gate));
    expect_gp("far jump to an LDT code segment", SEL(LDT_CODE), try_far(0, &far_code));

    mm_expect_rc("unmap linear 0", mm_update(mm_tab_ma(low.l1, 0), 0), 0);
    mm_expect_rc("tear the low tables down", mm_tree_destroy(&low), 0);
}
