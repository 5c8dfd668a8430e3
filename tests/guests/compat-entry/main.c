/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * System calls from 32-bit (compat-mode) user code of a 64-bit PV guest, as Xen 4.17
 * delivers them, and int $0x80 from either mode. The kernel maps a page of 32-bit code
 * and a stack below 4 GiB and enters user mode with iret to FLAT_USER_CS32 (0xe023).
 * Each run loads sentinels into EAX..EBP, issues one of int $0x80, SYSCALL or SYSENTER,
 * and returns to the kernel with int3; the test's entry stubs record the frame, the
 * registers, the event mask and the live RFLAGS each entry saw. Phases:
 *
 *  0. no syscall callbacks: SYSCALL from 64-bit and from compat code -> #UD at the
 *     instruction (RCX/R11 as SYSCALL left them), DF clear in the handler.
 *  A. only the 64-bit syscall callback (mask_events), no trap 0x80: compat SYSCALL is
 *     still #UD (no fall-back to the 64-bit callback); int $0x80 -> #GP(0x402) at the
 *     instruction; SYSENTER without a callback -> #GP(0).
 *  B. syscall32 (no mask flag), sysenter (mask), trap 0x80 with DPL 3 and IF: each goes
 *     to its entry with the frame of the user context; a 32-bit SYSCALL masks events
 *     because the 64-bit syscall callback asked to (Xen ignores the syscall32 flag for a
 *     64-bit guest); DF is cleared for SYSCALL only.
 *  C. the flags the other way round and trap 0x80 with DPL 0, no IF: delivered all the
 *     same (int $0x80 ignores the entry's DPL), events not masked.
 *
 * SYSENTER works in long mode on Intel CPUs only (the -intel variant, QEMU -cpu
 * max,vendor=GenuineIntel). There the frame has RIP 0, CS 3, RSP 0 (SYSENTER keeps
 * neither), so the kernel resumes at a landing pad with the ESP saved in EBP, as Linux
 * does with its vDSO; and a SYSENTER with TF set single-steps into the hypervisor's
 * entry code, which must survive it and leave TF in the frame. Elsewhere SYSENTER faults
 * at the instruction (#GP(0) under QEMU, #UD on AMD hardware).
 */
#include <lamina/callback.h>
#include <lamina/errno.h>
#include <lamina/traps.h>

#include "mm_util.h"

const char lam_test_title[] = "SYSCALL, SYSENTER and int $0x80 from compat-mode user code";

#define USER_CS32 LAM_FLAT_RING3_CS32
#define USER_SS   LAM_FLAT_RING3_SS32

/* Pseudo vectors of this test's entry stubs (lam_trap_common hands them to the callback
 * handler: >= LAM_CB_VECTOR_EVENT). */
#define V_INT80     0x180
#define V_SYSCALL32 0x181
#define V_SYSENTER  0x182
#define V_SYSCALL64 0x183
#define V_BP        0x184
#define V_UD        0x185
#define V_GP        0x186

/* Per-entry state as the stub found it, before touching anything. */
struct entry_state {
    uint64_t rflags, rcx, r11;
};
volatile struct entry_state ce_entry;

/* Entry stubs: record RFLAGS, RCX, R11 as the hypervisor entered us, pop RCX/R11 from the
 * frame, push error code (if none) and pseudo vector, join the common exception path. */
#define STUB(name, vec, err)                                                                       \
    ".globl " #name "\n" #name ":\n"                                                               \
    "  pushfq\n  popq ce_entry(%rip)\n"                                                            \
    "  mov %rcx, ce_entry+8(%rip)\n  mov %r11, ce_entry+16(%rip)\n"                                \
    "  pop %rcx\n  pop %r11\n" err "  push $" #vec "\n  jmp lam_trap_common\n"
#define NOERR "  push $0\n"
__asm__(".text\n" STUB(ce_int80, 0x180, NOERR) STUB(ce_syscall32, 0x181, NOERR)
            STUB(ce_sysenter, 0x182, NOERR) STUB(ce_syscall64, 0x183, NOERR)
                STUB(ce_bp, 0x184, NOERR) STUB(ce_ud, 0x185, NOERR) STUB(ce_gp, 0x186, ""));
void ce_int80(void), ce_syscall32(void), ce_sysenter(void), ce_syscall64(void);
void ce_bp(void), ce_ud(void), ce_gp(void);

/*
 * The 32-bit user program, copied to a low page. Each op loads sentinels into every
 * register, issues one instruction and then int3 (the way back to the kernel).
 * SYSENTER loses EIP and ESP: the user saves ESP in EBP (as Linux's vDSO) and the kernel
 * resumes it at ce_sysenter_landing.
 */
__asm__(".section .rodata\n"
        ".code32\n"
        ".globl ce_blob, ce_blob_end, ce_op_int80, ce_op_syscall, ce_op_sysenter\n"
        ".globl ce_sysenter_landing, ce_op_sysenter_tf, ce_sysenter_tf_insn, ce_op_int80_64\n"
        ".globl ce_op_syscall_64\n"
        "ce_blob:\n"
        "ce_op_int80:\n"
        "  call ce_set\n"
        "  int $0x80\n"
        "  int3\n"
        "ce_op_syscall:\n"
        "  call ce_set\n"
        "  syscall\n"
        "  int3\n"
        "ce_op_sysenter:\n"
        "  call ce_set\n"
        "  mov %esp, %ebp\n"
        "  sysenter\n"
        "ce_sysenter_landing:\n"
        "  int3\n"
        "ce_op_sysenter_tf:\n"
        "  call ce_set\n"
        "  mov %esp, %ebp\n"
        "  pushf\n"
        "  orl $0x100, (%esp)\n"
        "  popf\n" /* TF: the instruction after the next one traps */
        "ce_sysenter_tf_insn:\n"
        "  sysenter\n"
        "  int3\n"
        "ce_set:\n"
        "  mov $0xa1a1a1a1, %eax\n"
        "  mov $0xb1b1b1b1, %ebx\n"
        "  mov $0xc1c1c1c1, %ecx\n"
        "  mov $0xd1d1d1d1, %edx\n"
        "  mov $0x51515151, %esi\n"
        "  mov $0xe1e1e1e1, %edi\n"
        "  mov $0xbbbbbbb1, %ebp\n"
        "  ret\n"
        ".code64\n"
        "ce_op_int80_64:\n"
        "  int $0x80\n"
        "  int3\n"
        "ce_op_syscall_64:\n"
        "  syscall\n"
        "  int3\n"
        "ce_blob_end:\n"
        ".text\n");
extern const uint8_t ce_blob[], ce_blob_end[], ce_op_int80[], ce_op_syscall[], ce_op_sysenter[],
    ce_sysenter_landing[], ce_op_sysenter_tf[], ce_sysenter_tf_insn[], ce_op_int80_64[],
    ce_op_syscall_64[];

/* Enter user mode at rip/cs with rsp and rflags; returns when the int3 handler resumes us. */
void ce_user_enter(uint64_t rip, uint64_t cs, uint64_t rsp, uint64_t rflags);
void ce_user_resume(void);
uint64_t ce_kernel_rsp;
__asm__(".text\n"
        ".globl ce_user_enter, ce_user_resume\n"
        "ce_user_enter:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, ce_kernel_rsp(%rip)\n"
        "  pushq $0xe02b\n" /* SS */
        "  push %rdx\n"     /* RSP */
        "  push %rcx\n"     /* RFLAGS */
        "  push %rsi\n"     /* CS */
        "  push %rdi\n"     /* RIP */
        "  jmp lam_iret\n"
        "ce_user_resume:\n"
        "  mov ce_kernel_rsp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n");

#define LOW_CODE_PFN  1 /* VA 0x1000 */
#define LOW_STACK_PFN 2 /* VA 0x2000 */
static struct mm_tree low;
static uint64_t code_va, stack_top;
static uint8_t kstack[16384] __attribute__((aligned(16)));

static uint64_t user_va(const uint8_t *label)
{
    return code_va + (uint64_t)((uintptr_t)label - (uintptr_t)ce_blob);
}

/* What happened in user mode: the entries seen, in order. */
struct seen {
    uint64_t vector, error_code, rip, cs, rflags, rsp, ss, rcx, r11;
    uint64_t rax, rbx, rdx, rsi, rdi, rbp;
    uint8_t mask_now;
    struct entry_state entry;
};
#define MAX_SEEN 4
static struct seen seen[MAX_SEEN];
static unsigned nseen;

/* Back to the kernel after int3 in user mode (to ce_user_enter's caller). */
static void resume_kernel(struct lam_regs *regs)
{
    regs->rip = (uint64_t)(uintptr_t)ce_user_resume;
    regs->cs = LAM_FLAT_KERNEL_CS & ~3u; /* RPL 0 in a frame: stay in kernel mode */
    regs->ss = LAM_FLAT_KERNEL_SS;
    regs->rsp = ce_kernel_rsp;
    regs->rflags = 0x2;
}

/* After SYSENTER (no RIP, no RSP): the landing pad, with the ESP the user saved in EBP. */
static void resume_sysenter(struct lam_regs *regs)
{
    regs->rip = user_va(ce_sysenter_landing);
    regs->cs = USER_CS32;
    regs->rsp = regs->rbp;
    regs->ss = USER_SS;
}

static void on_entry(struct lam_regs *regs)
{
    if (regs->vector == LAM_CB_VECTOR_EVENT) { /* nothing is bound: not expected, harmless */
        lam_shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
        return;
    }
    if (nseen < MAX_SEEN)
        seen[nseen++] =
            (struct seen){regs->vector, regs->error_code,
                          regs->rip,    regs->cs,
                          regs->rflags, regs->rsp,
                          regs->ss,     regs->rcx,
                          regs->r11,    regs->rax,
                          regs->rbx,    regs->rdx,
                          regs->rsi,    regs->rdi,
                          regs->rbp,    lam_shared_info->vcpu_info[0].evtchn_upcall_mask,
                          ce_entry};
    regs->rflags &= ~0x100ull; /* never single-step the user code further */
    switch (regs->vector) {
    case V_BP:
        resume_kernel(regs);
        return;
    case V_SYSENTER:
        resume_sysenter(regs);
        return;
    case V_GP:
        if ((regs->cs & 0xffff) == 3) /* a SYSENTER frame, no callback */
            resume_sysenter(regs);
        else
            regs->rip += 2; /* skip the 2-byte instruction */
        return;
    case V_UD:
        regs->rip += 2;
        return;
    default: /* int $0x80, SYSCALL: back to the frame */
        return;
    }
}

static unsigned checks_failed;

static void check(int ok, const char *what, const char *field, uint64_t got, uint64_t want)
{
    if (ok)
        return;
    checks_failed++;
    lam_fail("%s: %s 0x%lx, expected 0x%lx", what, field, (unsigned long)got, (unsigned long)want);
}
#define CHECK_EQ(what, field, got, want) check((got) == (want), what, field, got, want)

/* What one entry must look like. */
struct want {
    uint64_t vector, error_code, rip, cs, rsp, ss, rflags;
    int mask;      /* event mask in the handler */
    int entry_df;  /* DF in the handler's live RFLAGS */
    int sentinels; /* EAX..EBP hold ce_set's values (EBP: ESP for SYSENTER runs) */
    uint64_t rcx;  /* RCX in the frame, ~0: not checked */
};

static void check_entry(const char *what, unsigned i, const struct want *w, int sysenter_run)
{
    if (i >= nseen) {
        checks_failed++;
        lam_fail("%s: entry %u missing (%u seen)", what, i, nseen);
        return;
    }
    const struct seen *s = &seen[i];
    CHECK_EQ(what, "vector", s->vector, w->vector);
    CHECK_EQ(what, "error code", s->error_code, w->error_code);
    CHECK_EQ(what, "rip", s->rip, w->rip);
    CHECK_EQ(what, "cs (with saved mask)", s->cs, w->cs);
    CHECK_EQ(what, "rsp", s->rsp, w->rsp);
    CHECK_EQ(what, "ss", s->ss, w->ss);
    CHECK_EQ(what, "rflags", s->rflags, w->rflags);
    CHECK_EQ(what, "event mask", (uint64_t)s->mask_now, (uint64_t)w->mask);
    CHECK_EQ(what, "live DF", (s->entry.rflags >> 10) & 1, (uint64_t)w->entry_df);
    if (w->rcx != ~0ull)
        CHECK_EQ(what, "rcx", s->rcx, w->rcx);
    if (w->sentinels) {
        CHECK_EQ(what, "eax", s->rax & 0xffffffff, 0xa1a1a1a1ull);
        CHECK_EQ(what, "ebx", s->rbx & 0xffffffff, 0xb1b1b1b1ull);
        CHECK_EQ(what, "edx", s->rdx & 0xffffffff, 0xd1d1d1d1ull);
        CHECK_EQ(what, "esi", s->rsi & 0xffffffff, 0x51515151ull);
        CHECK_EQ(what, "edi", s->rdi & 0xffffffff, 0xe1e1e1e1ull);
        CHECK_EQ(what, "ebp", s->rbp & 0xffffffff, sysenter_run ? stack_top : 0xbbbbbbb1ull);
    }
}

static void dump(const char *what)
{
    for (unsigned i = 0; i < nseen; i++) {
        const struct seen *s = &seen[i];
        lam_printf("  %s: vec %lx err %lx rip %lx cs %lx fl %lx rsp %lx ss %lx rcx %lx mask %u "
                   "df %lu\n",
                   what, s->vector, s->error_code, s->rip, s->cs, s->rflags, s->rsp, s->ss, s->rcx,
                   s->mask_now, (s->entry.rflags >> 10) & 1);
    }
}

/* Run one op in user mode; checks nseen == n and that the last entry is int3 at end. */
static void run(const char *what, const uint8_t *op, uint64_t cs, uint64_t rflags, unsigned n,
                uint64_t end)
{
    nseen = 0;
    unsigned before = checks_failed;
    ce_user_enter(user_va(op), cs, stack_top, rflags);
    if (nseen != n) {
        checks_failed++;
        lam_fail("%s: %u entries, expected %u", what, nseen, n);
    } else {
        const struct seen *b = &seen[n - 1];
        CHECK_EQ(what, "int3 after return at", b->rip, end);
        CHECK_EQ(what, "int3 cs", b->cs, cs);
    }
    if (checks_failed != before)
        dump(what);
}

static int intel; /* SYSENTER works in long mode */
enum phase { PHASE_NONE, PHASE_A, PHASE_B, PHASE_C };

/* The op's address + n as a user VA. */
static uint64_t at(const uint8_t *op, unsigned n)
{
    return user_va(op) + n;
}

#define CALL_LEN  5 /* call ce_set */
#define FLAGS(df) (0x202ull | ((uint64_t)(df) << 10))
#define NO_RCX    (~0ull)

static void int80_32(enum phase p, int df)
{
    const char *what = df ? "int $0x80 (compat, DF)" : "int $0x80 (compat)";
    uint64_t insn = at(ce_op_int80, CALL_LEN);
    run(what, ce_op_int80, USER_CS32, FLAGS(df), 2, insn + 3);
    struct want w = {V_INT80,      0,  insn + 2, USER_CS32, stack_top, USER_SS, FLAGS(df),
                     p == PHASE_B, df, 1,        0xc1c1c1c1};
    if (p == PHASE_A)
        w = (struct want){V_GP,      (0x80 << 3) | 2, insn, USER_CS32, stack_top,
                          USER_SS,   FLAGS(df),       0,    df,        1,
                          0xc1c1c1c1};
    check_entry(what, 0, &w, 0);
    w = (struct want){V_BP,      0, insn + 3, USER_CS32, stack_top, USER_SS,
                      FLAGS(df), 0, df,       1,         0xc1c1c1c1};
    check_entry(what, 1, &w, 0); /* every register back as it was */
}

static void int80_64(enum phase p)
{
    const char *what = "int $0x80 (64-bit user)";
    uint64_t insn = at(ce_op_int80_64, 0);
    run(what, ce_op_int80_64, LAM_FLAT_USER_CS, FLAGS(0), 2, insn + 3);
    struct want w = {V_INT80,   0,       insn + 2, LAM_FLAT_USER_CS,
                     stack_top, USER_SS, FLAGS(0), p == PHASE_B,
                     0,         0,       NO_RCX};
    if (p == PHASE_A)
        w = (struct want){
            V_GP, (0x80 << 3) | 2, insn, LAM_FLAT_USER_CS, stack_top, USER_SS, FLAGS(0), 0, 0,
            0,    NO_RCX};
    check_entry(what, 0, &w, 0);
}

static void syscall_32(enum phase p, int df)
{
    const char *what = df ? "SYSCALL (compat, DF)" : "SYSCALL (compat)";
    uint64_t insn = at(ce_op_syscall, CALL_LEN);
    run(what, ce_op_syscall, USER_CS32, FLAGS(df), 2, insn + 3);
    /* RCX and R11: the return EIP and EFLAGS, as SYSCALL left them. */
    struct want w = {V_SYSCALL32,  0, insn + 2, USER_CS32, stack_top, USER_SS, FLAGS(df),
                     p == PHASE_B, 0, 1,        insn + 2};
    if (p == PHASE_NONE || p == PHASE_A)
        w = (struct want){V_UD,      0, insn, USER_CS32, stack_top, USER_SS,
                          FLAGS(df), 0, 0,    1,         insn + 2};
    if (intel && nseen && seen[0].vector == V_UD && w.vector == V_SYSCALL32) {
        /* Intel hardware has no SYSCALL in compat mode (QEMU's TCG has). */
        lam_printf("%s: #UD (no SYSCALL in compat mode on this CPU)\n", what);
        w = (struct want){V_UD,      0, insn, USER_CS32, stack_top, USER_SS,
                          FLAGS(df), 0, 0,    1,         insn + 2};
    }
    check_entry(what, 0, &w, 0);
    if (nseen)
        CHECK_EQ(what, "r11 (EFLAGS)", seen[0].r11, FLAGS(df));
    w = (struct want){V_BP,      0, insn + 3, USER_CS32, stack_top, USER_SS,
                      FLAGS(df), 0, df,       1,         insn + 2};
    check_entry(what, 1, &w, 0);
}

static void syscall_64_no_callback(void)
{
    const char *what = "SYSCALL (64-bit user, no callback, DF)";
    uint64_t insn = at(ce_op_syscall_64, 0);
    run(what, ce_op_syscall_64, LAM_FLAT_USER_CS, FLAGS(1), 2, insn + 3);
    struct want w = {V_UD, 0, insn, LAM_FLAT_USER_CS, stack_top, USER_SS, FLAGS(1),
                     0,    0, 0,    insn + 2};
    check_entry(what, 0, &w, 0);
}

static void sysenter_32(enum phase p, int df, int tf)
{
    const char *what = tf ? "SYSENTER (TF set)" : df ? "SYSENTER (DF)" : "SYSENTER";
    const uint8_t *op = tf ? ce_op_sysenter_tf : ce_op_sysenter;
    uint64_t insn = tf ? at(ce_sysenter_tf_insn, 0) : at(op, CALL_LEN + 2);
    uint64_t fl = FLAGS(df) | (tf ? 0x100 : 0);
    /* Back through the landing pad, or (a fault skipped) the int3 right after SYSENTER. */
    run(what, op, USER_CS32, FLAGS(df), 2, intel || !tf ? at(ce_sysenter_landing, 1) : insn + 3);
    if (!intel) { /* faults at the instruction: #GP(0) (no SYSENTER_CS) or #UD */
        uint64_t vec = nseen ? seen[0].vector : 0;
        struct want w = {vec == V_UD ? V_UD : V_GP,
                         0,
                         insn,
                         USER_CS32,
                         stack_top,
                         USER_SS,
                         fl,
                         0,
                         df,
                         1,
                         0xc1c1c1c1};
        check_entry(what, 0, &w, 1);
        return;
    }
    /* The frame of SYSENTER: RIP 0, CS 3, RSP 0, FLAT_USER_SS, the user's RFLAGS. */
    struct want w = {V_SYSENTER, 0, 0, 3, 0, USER_SS, fl, p == PHASE_B, df, 1, 0xc1c1c1c1};
    if (p == PHASE_A)
        w = (struct want){V_GP, 0, 0, 3, 0, USER_SS, fl, 0, df, 1, 0xc1c1c1c1};
    check_entry(what, 0, &w, 1);
    w = (struct want){V_BP,      0,         at(ce_sysenter_landing, 1),
                      USER_CS32, stack_top, USER_SS,
                      FLAGS(df), 0,         df,
                      1,         0xc1c1c1c1};
    check_entry(what, 1, &w, 1);
}

static void phase_runs(enum phase p)
{
    for (int df = 0; df < 2; df++) {
        int80_32(p, df);
        syscall_32(p, df);
        sysenter_32(p, df, 0);
    }
    sysenter_32(p, 0, 1);
    int80_64(p);
}

static long reg_cb(unsigned type, unsigned flags, void (*fn)(void))
{
    struct lam_callback_register cb = {
        .type = (uint16_t)type, .flags = (uint16_t)flags, .address = (uintptr_t)fn};
    return hypercall_callback_op(LAM_CALLBACKOP_register, &cb);
}

/* Our handlers for int3, #UD, #GP and (unless int80_flags < 0) int $0x80. */
static long set_traps(int int80_flags)
{
    struct lam_trap_info t[] = {
        {3, 3, LAM_FLAT_KERNEL_CS, 0, (uintptr_t)ce_bp},
        {6, 0, LAM_FLAT_KERNEL_CS, 0, (uintptr_t)ce_ud},
        {13, 0, LAM_FLAT_KERNEL_CS, 0, (uintptr_t)ce_gp},
        {0x80, (uint8_t)int80_flags, LAM_FLAT_KERNEL_CS, 0, (uintptr_t)ce_int80},
        {0, 0, 0, 0, 0},
    };
    if (int80_flags < 0)
        t[3] = t[4];
    return hypercall_set_trap_table(t);
}

static void report(const char *phase)
{
    lam_printf("%s: %s\n", phase, checks_failed ? "FAILED" : "as expected");
    checks_failed = 0;
}

void test_main(void)
{
    struct lam_cpuid v;
    lam_cpuid(0, 0, &v);
    intel = v.ebx == 0x756e6547; /* "Genu"ineIntel */
    lam_printf("CPU vendor %s: SYSENTER %s in long mode\n", intel ? "Intel" : "not Intel",
               intel ? "works" : "faults");

    mm_init();
    lam_callback_handler = on_entry;
    mm_expect_rc("tree at L4 slot 0", mm_tree_build(&low, 0), 0);
    void *code = mm_alloc_page(), *stack = mm_alloc_page();
    memcpy(code, ce_blob, (size_t)((uintptr_t)ce_blob_end - (uintptr_t)ce_blob));
    mm_expect_rc("map the code page low",
                 mm_update(mm_tab_ma(low.l1, LOW_CODE_PFN), mm_va_to_ma(code) | MM_PTE_FLAGS), 0);
    mm_expect_rc("map the stack page low",
                 mm_update(mm_tab_ma(low.l1, LOW_STACK_PFN), mm_va_to_ma(stack) | MM_PTE_FLAGS), 0);
    code_va = low.base + LOW_CODE_PFN * 4096;
    stack_top = low.base + LOW_STACK_PFN * 4096 + 4096 - 16;
    mm_expect_rc("event callback", reg_cb(LAM_CALLBACKTYPE_event, 0, lam_event_entry), 0);
    mm_expect_rc("stack_switch",
                 hypercall_stack_switch(LAM_FLAT_KERNEL_SS, (uintptr_t)(kstack + sizeof(kstack))),
                 0);
    mm_expect_rc("user page table = the kernel's L4",
                 mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mm_cur_l4_mfn), 0);
    mm_expect_rc("trap table without 0x80", set_traps(-1), 0);
    if (lam_status() != LAM_SUCCESS)
        return;

    syscall_64_no_callback();
    syscall_32(PHASE_NONE, 1);
    report("0: no syscall callbacks");

    mm_expect_rc("syscall callback (mask)",
                 reg_cb(LAM_CALLBACKTYPE_syscall, LAM_CALLBACKF_mask_events, ce_syscall64), 0);
    phase_runs(PHASE_A);
    report("A: only the 64-bit syscall callback, no trap 0x80");

    mm_expect_rc("syscall32 callback", reg_cb(LAM_CALLBACKTYPE_syscall32, 0, ce_syscall32), 0);
    mm_expect_rc("sysenter callback (mask)",
                 reg_cb(LAM_CALLBACKTYPE_sysenter, LAM_CALLBACKF_mask_events, ce_sysenter), 0);
    mm_expect_rc("trap 0x80: DPL 3, IF", set_traps(3 | 4), 0);
    phase_runs(PHASE_B);
    report("B: syscall32, sysenter (mask), trap 0x80 DPL 3 IF");

    mm_expect_rc("syscall callback (no mask)", reg_cb(LAM_CALLBACKTYPE_syscall, 0, ce_syscall64),
                 0);
    mm_expect_rc("syscall32 callback (mask)",
                 reg_cb(LAM_CALLBACKTYPE_syscall32, LAM_CALLBACKF_mask_events, ce_syscall32), 0);
    mm_expect_rc("sysenter callback (no mask)", reg_cb(LAM_CALLBACKTYPE_sysenter, 0, ce_sysenter),
                 0);
    mm_expect_rc("trap 0x80: DPL 0", set_traps(0), 0);
    phase_runs(PHASE_C);
    report("C: mask flags the other way, trap 0x80 DPL 0");

    mm_expect_rc("drop the user page table", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, 0), 0);
    mm_expect_rc("unmap the code page", mm_update(mm_tab_ma(low.l1, LOW_CODE_PFN), 0), 0);
    mm_expect_rc("unmap the stack page", mm_update(mm_tab_ma(low.l1, LOW_STACK_PFN), 0), 0);
    mm_expect_rc("tear the low tree down", mm_tree_destroy(&low), 0);
}
