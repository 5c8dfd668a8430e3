/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The iret hypercall to frames the CPU refuses. The hypervisor forces RPL 3
 * on CS and SS and returns with IRETQ; a frame with a null, hypervisor, LDT, out-of-GDT,
 * not-present or wrong-type selector, makes that IRETQ
 * fault inside the hypervisor. Xen 4.17 turns the fault into the same exception raised in the
 * guest at the frame it tried to return to (the exception-table entry of its exit IRETQ points
 * at its exception entry), so the guest's trap-table handler sees #GP/#NP/#SS with the
 * selector as error code and the bad frame as the interrupted context; a host without that
 * fix-up panics. Each variant records the exception its handler got, the frame, and on which
 * stack the bounce frame was written (the frame's RSP in kernel mode; the stack_switch stack
 * after a switch to user mode, CS RPL 3). A non-canonical RIP faults when fetched (in the
 * guest, the same #GP(0) with that RIP in the frame).
 * With VGCF_in_syscall Xen returns by SYSRET whenever RIP is canonical: CS and SS become the
 * flat 64-bit selectors whatever the frame says (SYSRET to compat mode if CS is
 * FLAT_RING3_CS32), RCX = RIP and R11 = RFLAGS; a non-canonical RIP goes back by IRETQ, still
 * with RCX = RIP and R11 = RFLAGS. Also: RFLAGS NT, AC and DF from the frame reach the guest
 * (IOPL does not; IF is the event mask), a faulting IRETQ does not call the failsafe
 * callback (registered here: it would be caught as pseudo vector 0x101), and every bounce
 * returns by SYSRET too: the handler starts with RCX = its own address, R11 = its RFLAGS.
 */
#include <stdbool.h>

#include <lamina/callback.h>
#include <lamina/traps.h>

#include "mm_util.h"

const char lam_test_title[] = "iret hypercall to frames the CPU refuses";

#define RF_IF 0x200ull
#define RF_DF 0x400ull
#define RF_NT 0x4000ull
#define RF_AC 0x40000ull

#define NOT_CAUGHT   0xffu /* landed: the frame was good */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What the trap handler (or the landing code) saw. */
struct seen {
    uint64_t vector, error, rcx, r11, rip, cs, rflags, rsp, ss, frame_at, live_rcx, live_r11;
};
volatile struct seen seen;

/* The frame given to iret (order of the fields matters to iret_try). */
struct frame {
    uint64_t rip, cs, rflags, rsp, ss, flags;
};

uint64_t try_saved_rsp;
long iret_try(const struct frame *f);
void iret_landing(void);
void iret_landing_user(void);
void iret_user_syscall_ret(void);
void wbinvd_target(void), wbinvd_next(void);

/*
 * iret_try: the iret hypercall with the given frame and RAX/R11/RCX = 0x3333/0x2222/0x1111.
 * Returns 0 from iret_landing (the frame worked; the registers there are recorded), or 1
 * from a trap-table handler or the failsafe callback (the exception is recorded).
 */
__asm__(".text\n"
        ".globl iret_try, iret_landing, iret_landing_user, iret_user_syscall_ret\n"
        ".globl wbinvd_target, wbinvd_next\n"
        "iret_try:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, try_saved_rsp(%rip)\n"
        "  pushq 32(%rdi)\n" /* ss */
        "  pushq 24(%rdi)\n" /* rsp */
        "  pushq 16(%rdi)\n" /* rflags */
        "  pushq 8(%rdi)\n"  /* cs */
        "  pushq 0(%rdi)\n"  /* rip */
        "  pushq 40(%rdi)\n" /* flags */
        "  pushq $0x1111\n"  /* rcx */
        "  pushq $0x2222\n"  /* r11 */
        "  pushq $0x3333\n"  /* rax */
        "  mov $23, %eax\n"
        "  syscall\n"
        "  ud2\n"
        "iret_landing:\n"
        "  movq $0xff, seen+0(%rip)\n"
        "  mov %rax, seen+8(%rip)\n"
        "  mov %rcx, seen+16(%rip)\n"
        "  mov %r11, seen+24(%rip)\n"
        "  lea iret_landing(%rip), %rax\n"
        "  mov %rax, seen+32(%rip)\n"
        "  xor %eax, %eax\n"
        "  mov %cs, %ax\n"
        "  mov %rax, seen+40(%rip)\n"
        "  pushf\n"
        "  pop %rax\n"
        "  mov %rax, seen+48(%rip)\n"
        "  mov %rsp, seen+56(%rip)\n"
        "  xor %eax, %eax\n"
        "  mov %ss, %ax\n"
        "  mov %rax, seen+64(%rip)\n"
        "  push $2\n popf\n" /* DF/NT/AC off again before any C code */
        "  mov try_saved_rsp(%rip), %rsp\n"
        "  xor %eax, %eax\n"
        "  jmp try_out\n"
        /* User mode after a good frame with CS RPL 3: back to kernel mode by SYSCALL (the
         * syscall callback is catch_syscall). */
        "iret_landing_user:\n"
        "  mov %rcx, %rbx\n"
        "  mov $0x5a, %eax\n"
        "  syscall\n"
        "iret_user_syscall_ret:\n"
        "  ud2\n"
        /* Never run: IRETQ refuses the frames that point here. */
        "wbinvd_target:\n"
        "  wbinvd\n"
        "wbinvd_next:\n"
        "  ud2\n"
        "catch_common:\n"
        "  mov try_saved_rsp(%rip), %rsp\n"
        "  mov $1, %eax\n"
        "try_out:\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n");

/* Trap-table entries: record the bounce frame (RCX, R11, [error], RIP, CS, RFLAGS, RSP, SS). */
#define CATCH(vec, err)                                                                            \
    __asm__(".text\n"                                                                              \
            "catch_" #vec ":\n"                                                                    \
            "  mov %rcx, seen+80(%rip)\n"                                                          \
            "  mov %r11, seen+88(%rip)\n"                                                          \
            "  push $2\n popf\n"                                                                   \
            "  mov %rsp, seen+72(%rip)\n"                                                          \
            "  popq seen+16(%rip)\n"                                                               \
            "  popq seen+24(%rip)\n"                                                               \
            "  movq $" #vec ", seen+0(%rip)\n"                                                     \
            "  movq $0, seen+8(%rip)\n" err "  popq seen+32(%rip)\n"                               \
            "  popq seen+40(%rip)\n"                                                               \
            "  popq seen+48(%rip)\n"                                                               \
            "  popq seen+56(%rip)\n"                                                               \
            "  popq seen+64(%rip)\n"                                                               \
            "  jmp catch_common\n");                                                               \
    void catch_##vec(void)
#define ERR "  popq seen+8(%rip)\n"
CATCH(0, "");
CATCH(1, "");
CATCH(3, "");
CATCH(6, "");
CATCH(10, ERR);
CATCH(11, ERR);
CATCH(12, ERR);
CATCH(13, ERR);
CATCH(14, ERR);
CATCH(17, ERR);
/* Failsafe callback (RCX, R11, DS, ES, FS, GS, RIP, ...) and syscall callback (RCX, R11, RIP,
 * CS, ...): recorded as pseudo vectors 0x101 and 0x102. */
__asm__(".text\n"
        "catch_failsafe:\n"
        "  mov %rcx, seen+80(%rip)\n"
        "  mov %r11, seen+88(%rip)\n"
        "  push $2\n popf\n"
        "  mov %rsp, seen+72(%rip)\n"
        "  popq seen+16(%rip)\n"
        "  popq seen+24(%rip)\n"
        "  movq $0x101, seen+0(%rip)\n"
        "  movq $0, seen+8(%rip)\n"
        "  add $32, %rsp\n"
        "  popq seen+32(%rip)\n"
        "  popq seen+40(%rip)\n"
        "  popq seen+48(%rip)\n"
        "  popq seen+56(%rip)\n"
        "  popq seen+64(%rip)\n"
        "  jmp catch_common\n"
        "catch_syscall:\n"
        "  mov %rcx, seen+80(%rip)\n"
        "  mov %r11, seen+88(%rip)\n"
        "  push $2\n popf\n"
        "  mov %rsp, seen+72(%rip)\n"
        "  popq seen+16(%rip)\n"
        "  popq seen+24(%rip)\n"
        "  movq $0x102, seen+0(%rip)\n"
        "  mov %rbx, seen+8(%rip)\n" /* the RCX user mode had at iret_landing_user */
        "  popq seen+32(%rip)\n"
        "  popq seen+40(%rip)\n"
        "  popq seen+48(%rip)\n"
        "  popq seen+56(%rip)\n"
        "  popq seen+64(%rip)\n"
        "  jmp catch_common\n");
void catch_failsafe(void);
void catch_syscall(void);

#define ENTRY(v)                                                                                   \
    {                                                                                              \
        (v), 0, LAM_FLAT_KERNEL_CS, 0, (uint64_t)(uintptr_t)catch_##v                              \
    }
static const struct lam_trap_info catch_table[] = {
    ENTRY(0),  ENTRY(1),  ENTRY(3),  ENTRY(6),  ENTRY(10),       ENTRY(11),
    ENTRY(12), ENTRY(13), ENTRY(14), ENTRY(17), {0, 0, 0, 0, 0},
};

static uint64_t handler_of(uint64_t vector)
{
    if (vector == 0x102)
        return (uint64_t)(uintptr_t)catch_syscall;
    if (vector == 0x101)
        return (uint64_t)(uintptr_t)catch_failsafe;
    for (unsigned int i = 0; catch_table[i].address; i++)
        if (catch_table[i].vector == vector)
            return catch_table[i].address;
    return 0;
}

static uint8_t frame_stack[8192] __attribute__((aligned(16)));  /* the frames' RSP */
static uint8_t kernel_stack[8192] __attribute__((aligned(16))); /* stack_switch */
#define FRAME_TOP  ((uint64_t)(uintptr_t)(frame_stack + sizeof(frame_stack)))
#define KERNEL_TOP ((uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack)))

/* Our own GDT: not-present code and data descriptors, and present ones. */
#define GDT_CODE_NP  6
#define GDT_DATA_NP  7
#define GDT_CODE     8
#define GDT_DATA     9
#define GDT_CODE_DPL 10 /* written with DPL 0: the hypervisor raises it to 3 */
static void *gdt_page;

static void gdt_setup(void)
{
    gdt_page = mm_alloc_page();
    mm_expect_rc("GDT page read-only", mm_page_set_ro(gdt_page), 0);
    uint64_t frame = mm_va_to_mfn(gdt_page);
    mm_expect_rc("set_gdt", hypercall_set_gdt(&frame, 512), 0);
    const struct {
        unsigned int index;
        uint64_t desc;
    } d[] = {
        {GDT_CODE_NP, 0x00a07a000000ffffull}, /* 64-bit code, DPL 3, not present */
        {GDT_DATA_NP, 0x00c072000000ffffull}, /* data, DPL 3, not present */
        {GDT_CODE, 0x00affa000000ffffull},    /* 64-bit code, DPL 3 */
        {GDT_DATA, 0x00cff2000000ffffull},    /* data, DPL 3 */
        {GDT_CODE_DPL, 0x00af9a000000ffffull},
    };
    for (unsigned int i = 0; i < ARRAY_LEN(d); i++)
        mm_expect_rc(
            "update_descriptor",
            hypercall_update_descriptor(mm_va_to_ma((uint64_t *)gdt_page + d[i].index), d[i].desc),
            0);
}

static void gdt_teardown(void)
{
    uint64_t frame = 0;
    mm_expect_rc("drop our GDT", hypercall_set_gdt(&frame, 0), 0);
    mm_expect_rc("GDT page writable again", mm_page_set_rw(gdt_page), 0);
}

enum where { ON_FRAME_STACK, ON_KERNEL_STACK, LANDED };

struct variant {
    const char *name;
    struct frame f;
    /* expected */
    unsigned int vector; /* NOT_CAUGHT: landed at iret_landing */
    uint64_t error;
    enum where where;
    uint64_t cs, ss;       /* in the bounce frame (selector bits), or at the landing */
    uint64_t rcx, r11;     /* landing: the registers; caught: the frame's RCX/R11 slots */
    uint64_t rflags_set;   /* landing: bits that must be set in RFLAGS */
    uint64_t rflags_clear; /* ... and clear */
    bool r11_any;          /* caught: R11 in the frame may be anything */
    uint64_t rip;          /* caught: the frame's RIP if not f.rip */
};

#define K(sel)   ((sel) & ~3ull) /* RPL 0: stay in kernel mode */
#define NONCANON 0x0000800000000000ull
#define SYS      LAM_VGCF_in_syscall
#define KCS      LAM_FLAT_KERNEL_CS
#define KSS      LAM_FLAT_KERNEL_SS
#define CS32     LAM_FLAT_RING3_CS32

static uint64_t landing(void)
{
    return (uint64_t)(uintptr_t)iret_landing;
}

static void check(const struct variant *t, long rc)
{
    const volatile struct seen *s = &seen;
    bool landed = rc == 0;
    uint64_t cs = s->cs & 0xffff, ss = s->ss & 0xffff;
    enum where where = landed                                                      ? LANDED
                       : s->frame_at > FRAME_TOP - 4096 && s->frame_at < FRAME_TOP ? ON_FRAME_STACK
                       : s->frame_at > KERNEL_TOP - 4096 && s->frame_at < KERNEL_TOP
                           ? ON_KERNEL_STACK
                           : LANDED + 1;
    lam_printf("%-28s %s vec 0x%lx err 0x%lx rip %lx cs %lx rfl %lx rsp %lx ss %lx rcx %lx r11 %lx "
               "at %lx live rcx %lx r11 %lx\n",
               t->name, landed ? "landed" : "caught", (unsigned long)s->vector,
               (unsigned long)s->error, (unsigned long)s->rip, (unsigned long)s->cs,
               (unsigned long)s->rflags, (unsigned long)s->rsp, (unsigned long)s->ss,
               (unsigned long)s->rcx, (unsigned long)s->r11, (unsigned long)s->frame_at,
               (unsigned long)s->live_rcx, (unsigned long)s->live_r11);
    if (t->vector == NOT_CAUGHT) {
        LAM_CHECK(landed, "%s: the frame should have worked (got vector 0x%lx error 0x%lx)",
                  t->name, (unsigned long)s->vector, (unsigned long)s->error);
        if (!landed)
            return;
        LAM_CHECK(s->error == 0x3333, "%s: RAX 0x%lx", t->name, (unsigned long)s->error);
        LAM_CHECK(cs == t->cs && ss == t->ss, "%s: CS:SS %lx:%lx, expected %lx:%lx", t->name,
                  (unsigned long)cs, (unsigned long)ss, (unsigned long)t->cs, (unsigned long)t->ss);
        LAM_CHECK(s->rcx == t->rcx && s->r11 == t->r11,
                  "%s: RCX 0x%lx R11 0x%lx, expected 0x%lx 0x%lx", t->name, (unsigned long)s->rcx,
                  (unsigned long)s->r11, (unsigned long)t->rcx, (unsigned long)t->r11);
        LAM_CHECK(s->rsp == t->f.rsp, "%s: RSP 0x%lx", t->name, (unsigned long)s->rsp);
        LAM_CHECK((s->rflags & t->rflags_set) == t->rflags_set && !(s->rflags & t->rflags_clear),
                  "%s: RFLAGS 0x%lx (want 0x%lx set, 0x%lx clear)", t->name,
                  (unsigned long)s->rflags, (unsigned long)t->rflags_set,
                  (unsigned long)t->rflags_clear);
        return;
    }
    LAM_CHECK(!landed, "%s: the frame worked, expected vector %u", t->name, t->vector);
    if (landed)
        return;
    LAM_CHECK(s->vector == t->vector && s->error == t->error,
              "%s: vector 0x%lx error 0x%lx, expected %u 0x%lx", t->name, (unsigned long)s->vector,
              (unsigned long)s->error, t->vector, (unsigned long)t->error);
    LAM_CHECK(where == t->where, "%s: bounce frame at 0x%lx, expected on the %s stack", t->name,
              (unsigned long)s->frame_at, t->where == ON_FRAME_STACK ? "frame's" : "kernel");
    uint64_t rip = t->rip ? t->rip : t->f.rip;
    LAM_CHECK(s->rip == rip, "%s: frame RIP 0x%lx, expected 0x%lx", t->name, (unsigned long)s->rip,
              (unsigned long)rip);
    LAM_CHECK(cs == t->cs && ss == t->ss, "%s: frame CS:SS %lx:%lx, expected %lx:%lx", t->name,
              (unsigned long)cs, (unsigned long)ss, (unsigned long)t->cs, (unsigned long)t->ss);
    LAM_CHECK(s->rsp == t->f.rsp, "%s: frame RSP 0x%lx", t->name, (unsigned long)s->rsp);
    LAM_CHECK(s->rcx == t->rcx, "%s: frame RCX 0x%lx, expected 0x%lx", t->name,
              (unsigned long)s->rcx, (unsigned long)t->rcx);
    /* Xen returns from every bounce by SYSRET: RCX = the handler, R11 = its RFLAGS (bit 1,
     * reserved, aside: Xen leaves it clear in R11 after the syscall callback). */
    uint64_t handler = handler_of(s->vector);
    LAM_CHECK(s->live_rcx == handler && (s->live_r11 | 2) == 0x202,
              "%s: RCX 0x%lx R11 0x%lx in the handler, expected 0x%lx 0x202", t->name,
              (unsigned long)s->live_rcx, (unsigned long)s->live_r11, (unsigned long)handler);
    if (!t->r11_any)
        LAM_CHECK(s->r11 == t->r11, "%s: frame R11 0x%lx, expected 0x%lx", t->name,
                  (unsigned long)s->r11, (unsigned long)t->r11);
}

static void run(const struct variant *t)
{
    memset((void *)&seen, 0, sizeof(seen));
    volatile uint8_t *mask = &lam_shared_info->vcpu_info[0].evtchn_upcall_mask;
    *mask = 1;
    long rc = iret_try(&t->f);
    *mask = 1;
    check(t, rc);
}

void test_main(void)
{
    mm_init();
    gdt_setup();
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_failsafe,
                                       .address = (uint64_t)(uintptr_t)catch_failsafe};
    mm_expect_rc("register a failsafe callback",
                 hypercall_callback_op(LAM_CALLBACKOP_register, &cb), 0);
    cb = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_syscall,
                                        .flags = LAM_CALLBACKF_mask_events,
                                        .address = (uint64_t)(uintptr_t)catch_syscall};
    mm_expect_rc("register the syscall callback",
                 hypercall_callback_op(LAM_CALLBACKOP_register, &cb), 0);
    mm_expect_rc("stack_switch", hypercall_stack_switch(KSS, KERNEL_TOP), 0);
    mm_expect_rc("user page table = the kernel's L4",
                 mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mm_cur_l4_mfn), 0);
    mm_expect_rc("our trap table", hypercall_set_trap_table((void *)catch_table), 0);

    const uint64_t L = landing(), T = FRAME_TOP, R = 0x2, W = (uint64_t)(uintptr_t)wbinvd_target;
    const uint64_t cnp = GDT_CODE_NP << 3, dnp = GDT_DATA_NP << 3, cok = GDT_CODE << 3,
                   dok = GDT_DATA << 3, cdpl = GDT_CODE_DPL << 3;
    /* Caught in kernel mode: frame CS has RPL 0 (the guest kernel was interrupted). */
#define CAUGHT(name_, rip_, cs_, ss_, vec, err, where_, fcs, fss)                                  \
    {                                                                                              \
        .name = name_, .f = {rip_, cs_, R, T, ss_, 0}, .vector = vec, .error = err,                \
        .where = where_, .cs = fcs, .ss = fss, .rcx = 0x1111, .r11 = 0x2222                        \
    }
#define KGP(name_, cs_, ss_, err)                                                                  \
    CAUGHT(name_, L, cs_, ss_, 13, err, ON_FRAME_STACK, K(cs_), (ss_) | 3)
#define LANDS(name_, cs_, ss_, rfl, fcs, fss, flags_)                                              \
    {                                                                                              \
        .name = name_, .f = {L, cs_, rfl, T, ss_, flags_}, .vector = NOT_CAUGHT, .where = LANDED,  \
        .cs = fcs, .ss = fss, .rcx = 0x1111, .r11 = 0x2222                                         \
    }
    const struct variant v[] = {
        {.name = "good frame",
         .f = {L, K(KCS), R | RF_DF | RF_NT | RF_AC | 0x3000, T, KSS, 0},
         .vector = NOT_CAUGHT,
         .where = LANDED,
         .cs = KCS,
         .ss = KSS,
         .rcx = 0x1111,
         .r11 = 0x2222,
         .rflags_set = RF_DF | RF_NT | RF_AC,
         .rflags_clear = 0x3000},
        LANDS("own GDT code and data", cok, dok, R, cok | 3, dok | 3, 0),
        KGP("CS null", 0, KSS, 0),
        KGP("CS hypervisor code e008", 0xe008, KSS, 0xe008),
        KGP("CS hypervisor data e010", 0xe010, KSS, 0xe010),
        KGP("CS guest data e028", 0xe028, KSS, 0xe028),
        KGP("CS TSS e040", 0xe040, KSS, 0xe040),
        KGP("CS past the GDT f000", 0xf000, KSS, 0xf000),
        KGP("CS in the LDT 0004", 0x4, KSS, 0x4),
        LANDS("own GDT code written DPL 0", cdpl, KSS, R, cdpl | 3, KSS, 0),
        KGP("SS null", K(KCS), 0, 0),
        KGP("SS hypervisor data e010", K(KCS), 0xe010, 0xe010),
        KGP("SS hypervisor code e008", K(KCS), 0xe008, 0xe008),
        KGP("SS code e030", K(KCS), 0xe030, 0xe030),
        KGP("SS past the GDT f000", K(KCS), 0xf000, 0xf000),
        CAUGHT("CS own not present", L, cnp, KSS, 11, cnp, ON_FRAME_STACK, cnp, KSS),
        /* #NP rather than #SS: what QEMU's IRETQ raises for a not-present SS */
        CAUGHT("SS own not present", L, K(KCS), dnp, 11, dnp, ON_FRAME_STACK, K(KCS), dnp | 3),
        CAUGHT("RIP non-canonical", NONCANON, K(KCS), KSS, 13, 0, ON_FRAME_STACK, K(KCS), KSS),
        /* The #GP(0) goes through the privileged-instruction emulator, which decodes nothing
         * for a CS that is not a present code segment; with a good CS it emulates WBINVD and
         * the next IRETQ faults again, at the next instruction. */
        CAUGHT("CS null at a WBINVD", W, 0, KSS, 13, 0, ON_FRAME_STACK, 0, KSS),
        {.name = "SS null at a WBINVD",
         .f = {W, K(KCS), R, T, 0, 0},
         .vector = 13,
         .where = ON_FRAME_STACK,
         .rip = (uint64_t)(uintptr_t)wbinvd_next,
         .cs = K(KCS),
         .ss = 3,
         .rcx = 0x1111,
         .r11 = 0x2222},
        /* CS RPL 3: the vCPU switches to user mode first; the bounce frame then goes on the
         * stack_switch stack and says CS RPL 3. */
        CAUGHT("user: CS null", L, 3, KSS, 13, 0, ON_KERNEL_STACK, 3, KSS),
        CAUGHT("user: CS hypervisor e00b", L, 0xe00b, KSS, 13, 0xe008, ON_KERNEL_STACK, 0xe00b,
               KSS),
        CAUGHT("user: SS null", L, KCS, 0, 13, 0, ON_KERNEL_STACK, KCS, 3),
        CAUGHT("user: RIP non-canonical", NONCANON, KCS, KSS, 13, 0, ON_KERNEL_STACK, KCS, KSS),
        {.name = "user: good frame",
         .f = {(uint64_t)(uintptr_t)iret_landing_user, KCS, R, T, KSS, 0},
         .vector = 0x102,
         .error = 0x1111,
         .where = ON_KERNEL_STACK,
         .cs = KCS,
         .ss = KSS,
         .r11_any = true},
        /* VGCF_in_syscall: SYSRET whenever RIP is canonical. */
        LANDS("syscall: good frame", K(KCS), KSS, R | RF_DF, KCS, KSS, SYS),
        LANDS("syscall: CS null", 0, KSS, R, KCS, KSS, SYS),
        LANDS("syscall: CS e008, SS e010", 0xe008, 0xe010, R, KCS, KSS, SYS),
        LANDS("syscall: SS null", K(KCS), 0, R, KCS, KSS, SYS),
        /* CS FLAT_RING3_CS32: SYSRET to compat mode, which runs at EIP = the low half of RIP
         * (not mapped here: #PF, instruction fetch). */
        {.name = "syscall: CS 32-bit",
         .f = {L, K(CS32), R, T, KSS, SYS},
         .vector = 14,
         .error = 0x10,
         .where = ON_FRAME_STACK,
         .rip = (uint32_t)L,
         .cs = K(CS32),
         .ss = KSS,
         .rcx = L,
         .r11 = R | RF_IF},
        /* Not canonical: IRETQ, but RCX and R11 were already loaded for SYSRET. */
        {.name = "syscall: RIP non-canonical",
         .f = {NONCANON, K(KCS), R, T, KSS, SYS},
         .vector = 13,
         .where = ON_FRAME_STACK,
         .cs = K(KCS),
         .ss = KSS,
         .rcx = NONCANON,
         .r11 = R | RF_IF},
    };
    for (unsigned int i = 0; i < ARRAY_LEN(v); i++) {
        struct variant t = v[i];
        if (t.vector == NOT_CAUGHT && (t.f.flags & SYS)) {
            t.rcx = t.f.rip; /* SYSRET: RCX = RIP, R11 = RFLAGS with IF */
            t.r11 = (t.f.rflags & ~0x3000ull) | RF_IF;
            t.rflags_set |= RF_IF | (t.f.rflags & RF_DF);
        }
        if (t.vector == 0x102) { /* user mode ran: its SYSCALL's frame */
            t.rip = (uint64_t)(uintptr_t)iret_user_syscall_ret;
            t.rcx = t.rip;
        }
        run(&t);
    }

    mm_expect_rc("the framework's trap table again", lam_install_trap_table(), 0);
    mm_expect_rc("drop the user page table", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, 0), 0);
    gdt_teardown();
}
