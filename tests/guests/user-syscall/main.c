/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest user mode: the kernel's own L4 doubles as the user page table
 * (MMUEXT_NEW_USER_BASEPTR), an iret with CS RPL 3 enters user mode, and
 * SYSCALL there bounces to the registered syscall callback on the stack given
 * to stack_switch, with the ABI frame
 * (RCX/R11 on top, the user RIP/CS/RFLAGS/RSP/SS), from which iret returns.
 * Segment bases: FS (one base for both modes), kernel GS and user GS
 * (SEGBASE_GS_KERNEL / GS_USER) must follow every kernel/user switch, checked
 * through %fs:0 and %gs:0 on both sides. TLS: a descriptor written with
 * update_descriptor into our own GDT, based on a low page, is usable from
 * user mode as %fs, and as the user %gs through SEGBASE_GS_USER_SEL.
 * Also times 1000 system-call round trips from user mode (bench line).
 */
#include <lamina/callback.h>
#include <lamina/traps.h>

#include "mm_util.h"

const char lam_test_title[] = "user mode, SYSCALL callback, FS/GS bases, TLS descriptors";

#define SYS_PING     1    /* returns its argument + 1 */
#define SYS_EXIT     2    /* back to the kernel code that entered user mode */
#define BENCH_CALLS  1000 /* per round */
#define BENCH_ROUNDS 5

#define FS_MARK    0x66732d6261736521ull /* "fs-base!" */
#define GS_K_MARK  0x67732d6b65726e21ull /* "gs-kern!" */
#define GS_U_MARK  0x67732d7573657221ull /* "gs-user!" */
#define TLS_MARK   0x746c732d64657363ull /* "tls-desc" */
#define TLS_INDEX  6
#define TLS_SEL    ((TLS_INDEX << 3) | 3)
#define LOW_VA_PFN 1 /* the TLS page is mapped at 0x1000 (L4 slot 0) */

static uint64_t fs_page[512] __attribute__((aligned(4096)));
static uint64_t gs_kernel_page[512] __attribute__((aligned(4096)));
static uint64_t gs_user_page[512] __attribute__((aligned(4096)));
static uint8_t user_stack[16384] __attribute__((aligned(16)));
static uint8_t kernel_stack[16384] __attribute__((aligned(16))); /* callbacks from user mode */

/* What user mode saw, and what the callback saw. */
static volatile struct {
    int calls, bad_frame, bad_kernel_gs, bad_fs_kernel;
    int bad_user_gs, bad_fs_user, bad_result;
    uint64_t bench_cycles[BENCH_ROUNDS];
    uint64_t tls_fs, tls_gs;
    int phase; /* 0: bases and bench, 1: TLS via FS, 2: TLS via GS_USER_SEL */
} st;

/* Enter user mode at fn with RSP = ursp; returns the value user mode passes to SYS_EXIT. */
uint64_t user_enter(void (*fn)(void), uint64_t ursp);
void user_resume(void);
uint64_t kernel_saved_rsp;
__asm__(".text\n"
        ".globl user_enter\n"
        "user_enter:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, kernel_saved_rsp(%rip)\n"
        "  pushq $0xe02b\n" /* SS */
        "  push %rsi\n"     /* RSP */
        "  pushq $0x2\n"    /* RFLAGS: IF clear, events stay masked in user mode */
        "  pushq $0xe033\n" /* CS, RPL 3: to user mode */
        "  push %rdi\n"     /* RIP */
        "  jmp lam_iret\n"
        ".globl user_resume\n"
        "user_resume:\n"
        "  mov kernel_saved_rsp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n");

static inline uint64_t read_fs0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_gs0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static inline uint64_t user_syscall(uint64_t nr, uint64_t arg)
{
    uint64_t ret = nr;
    __asm__ volatile("syscall" : "+a"(ret) : "D"(arg) : "rcx", "r11", "memory");
    return ret;
}

static void on_syscall(struct lam_regs *regs)
{
    if (regs->vector != LAM_CB_VECTOR_SYSCALL)
        lam_panic("unexpected callback %#lx", regs->vector);
    st.calls++;
    /* The frame: the user's CS (RPL 3), RCX = its return RIP, R11 = its RFLAGS. */
    uint64_t here = (uint64_t)(uintptr_t)regs;
    if (here < (uint64_t)(uintptr_t)kernel_stack ||
        here > (uint64_t)(uintptr_t)kernel_stack + sizeof(kernel_stack))
        st.bad_frame++; /* not on the stack_switch stack */
    if ((regs->cs & 0xffff) != LAM_FLAT_USER_CS || regs->rcx != regs->rip ||
        regs->ss != LAM_FLAT_USER_SS || regs->rsp < (uint64_t)(uintptr_t)user_stack ||
        regs->rsp > (uint64_t)(uintptr_t)user_stack + sizeof(user_stack))
        st.bad_frame++;
    if (st.phase == 0 && read_gs0() != GS_K_MARK)
        st.bad_kernel_gs++;
    if (st.phase == 0 && read_fs0() != FS_MARK)
        st.bad_fs_kernel++;
    switch (regs->rax) {
    case SYS_PING:
        regs->rax = regs->rdi + 1;
        break;
    case SYS_EXIT: /* resume the kernel in user_enter's caller, in kernel mode */
        regs->rax = regs->rdi;
        regs->rip = (uint64_t)(uintptr_t)user_resume;
        regs->cs = LAM_FLAT_KERNEL_CS & ~3u; /* RPL 0 in a frame: stay in kernel mode */
        regs->ss = LAM_FLAT_KERNEL_SS;
        regs->rsp = kernel_saved_rsp;
        regs->rflags = 0x2;
        break;
    default:
        regs->rax = (uint64_t)-38; /* -ENOSYS */
        break;
    }
}

static void user_main(void)
{
    if (st.phase == 1) { /* TLS through a GDT descriptor loaded into FS from user mode */
        __asm__ volatile("mov %0, %%fs" : : "r"((uint32_t)TLS_SEL));
        st.tls_fs = read_fs0();
        __asm__ volatile("mov %0, %%fs" : : "r"(0u));
        user_syscall(SYS_EXIT, 0);
    }
    if (st.phase == 2) { /* the user GS the kernel loaded with SEGBASE_GS_USER_SEL */
        st.tls_gs = read_gs0();
        user_syscall(SYS_EXIT, 0);
    }
    if (read_gs0() != GS_U_MARK)
        st.bad_user_gs++;
    if (read_fs0() != FS_MARK)
        st.bad_fs_user++;
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        uint64_t t0 = lam_rdtsc();
        for (uint64_t i = 0; i < BENCH_CALLS; i++)
            if (user_syscall(SYS_PING, i) != i + 1)
                st.bad_result++;
        st.bench_cycles[r] = (lam_rdtsc() - t0) / BENCH_CALLS;
    }
    for (int i = 0; i < 10; i++) {
        user_syscall(SYS_PING, 0);
        if (read_gs0() != GS_U_MARK)
            st.bad_user_gs++;
        if (read_fs0() != FS_MARK)
            st.bad_fs_user++;
    }
    user_syscall(SYS_EXIT, 0x5a);
    for (;;) /* not reached */
        ;
}

static uint64_t user_stack_top(void)
{
    return (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)) - 8;
}

/* Our GDT (one page, a TLS descriptor based at the low page) and that page. */
static void *gdt_page, *tls_page;
static struct mm_tree low;

static void tls_setup(void)
{
    mm_expect_rc("tree at L4 slot 0 for a low page", mm_tree_build(&low, 0), 0);
    tls_page = mm_alloc_page();
    ((uint64_t *)tls_page)[0] = TLS_MARK;
    uint64_t tls_va = low.base + LOW_VA_PFN * 4096;
    mm_expect_rc("map the TLS page low",
                 mm_update(mm_tab_ma(low.l1, LOW_VA_PFN), mm_va_to_ma(tls_page) | MM_PTE_FLAGS), 0);
    gdt_page = mm_alloc_page();
    mm_expect_rc("GDT page read-only", mm_page_set_ro(gdt_page), 0);
    uint64_t frame = mm_va_to_mfn(gdt_page);
    mm_expect_rc("set_gdt", hypercall_set_gdt(&frame, 16), 0);
    /* Data, DPL 3, present, 4 KiB limit; base = tls_va (below 4 GiB). */
    uint64_t desc =
        0x0040f20000000000ull | 0xfffull | ((tls_va & 0xffffff) << 16) | ((tls_va >> 24) << 56);
    mm_expect_rc("update_descriptor: the TLS entry",
                 hypercall_update_descriptor(mm_va_to_ma((uint64_t *)gdt_page + TLS_INDEX), desc),
                 0);
}

static void tls_teardown(void)
{
    uint64_t frame = 0;
    mm_expect_rc("drop our GDT", hypercall_set_gdt(&frame, 0), 0);
    mm_expect_rc("GDT page writable again", mm_page_set_rw(gdt_page), 0);
    mm_expect_rc("unmap the low page", mm_update(mm_tab_ma(low.l1, LOW_VA_PFN), 0), 0);
    mm_expect_rc("tear the low tree down", mm_tree_destroy(&low), 0);
}

void test_main(void)
{
    mm_init();
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_syscall,
                                       .flags = LAM_CALLBACKF_mask_events,
                                       .address = (uint64_t)(uintptr_t)lam_syscall_entry};
    lam_callback_handler = on_syscall;
    mm_expect_rc("register the syscall callback",
                 hypercall_callback_op(LAM_CALLBACKOP_register, &cb), 0);
    mm_expect_rc("stack_switch: the kernel stack for entries from user mode",
                 hypercall_stack_switch(LAM_FLAT_KERNEL_SS,
                                        (uintptr_t)(kernel_stack + sizeof(kernel_stack))),
                 0);
    mm_expect_rc("user page table = the kernel's L4",
                 mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mm_cur_l4_mfn), 0);
    fs_page[0] = FS_MARK;
    gs_kernel_page[0] = GS_K_MARK;
    gs_user_page[0] = GS_U_MARK;
    mm_expect_rc("FS base", hypercall_set_segment_base(LAM_SEGBASE_FS, (uintptr_t)fs_page), 0);
    mm_expect_rc("kernel GS base",
                 hypercall_set_segment_base(LAM_SEGBASE_GS_KERNEL, (uintptr_t)gs_kernel_page), 0);
    mm_expect_rc("user GS base",
                 hypercall_set_segment_base(LAM_SEGBASE_GS_USER, (uintptr_t)gs_user_page), 0);
    mm_expect(read_gs0() == GS_K_MARK, "kernel mode sees the kernel GS base");
    mm_expect(read_fs0() == FS_MARK, "kernel mode sees the FS base");

    uint64_t rc = user_enter(user_main, user_stack_top());
    mm_expect(rc == 0x5a, "user mode exited through SYS_EXIT with its value");
    lam_printf("%d syscalls; frames bad %d; kernel GS bad %d, FS bad %d; user GS bad %d, "
               "FS bad %d; results bad %d\n",
               st.calls, st.bad_frame, st.bad_kernel_gs, st.bad_fs_kernel, st.bad_user_gs,
               st.bad_fs_user, st.bad_result);
    mm_expect(st.calls == BENCH_ROUNDS * BENCH_CALLS + 11, "every SYSCALL reached the callback");
    mm_expect(!st.bad_frame, "callback frames: user CS/SS, RCX = return RIP, user RSP");
    mm_expect(!st.bad_kernel_gs && !st.bad_fs_kernel, "kernel GS and FS bases in the callback");
    mm_expect(!st.bad_user_gs && !st.bad_fs_user, "user GS and FS bases after every return");
    mm_expect(!st.bad_result, "syscall results");
    mm_expect(read_gs0() == GS_K_MARK, "kernel GS base back after user mode");
    uint64_t c[BENCH_ROUNDS] = {0};
    for (int i = 0; i < BENCH_ROUNDS; i++) { /* insertion sort for the median */
        uint64_t v = st.bench_cycles[i];
        int j = i;
        for (; j > 0 && c[j - 1] > v; j--)
            c[j] = c[j - 1];
        c[j] = v;
    }
    lam_printf("bench: syscall round trip from user mode (%d x %d) median %lu cycles/call\n",
               BENCH_ROUNDS, BENCH_CALLS, (unsigned long)c[BENCH_ROUNDS / 2]);

    tls_setup();
    st.phase = 1;
    user_enter(user_main, user_stack_top());
    lam_printf("TLS through FS read 0x%lx\n", (unsigned long)st.tls_fs);
    mm_expect(st.tls_fs == TLS_MARK, "a GDT TLS descriptor loaded into FS in user mode");
    mm_expect_rc("SEGBASE_GS_USER_SEL with the TLS selector",
                 hypercall_set_segment_base(LAM_SEGBASE_GS_USER_SEL, TLS_SEL), 0);
    mm_expect(read_gs0() == GS_K_MARK, "... the kernel GS base stays active");
    st.phase = 2;
    user_enter(user_main, user_stack_top());
    lam_printf("TLS through GS read 0x%lx\n", (unsigned long)st.tls_gs);
    mm_expect(st.tls_gs == TLS_MARK, "user mode's GS is the TLS descriptor's");
    mm_expect_rc("SEGBASE_GS_USER_SEL null", hypercall_set_segment_base(LAM_SEGBASE_GS_USER_SEL, 0),
                 0);
    __asm__ volatile("mov %0, %%fs" : : "r"(0u));
    tls_teardown();
    mm_expect_rc("drop the user page table", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, 0), 0);
}
