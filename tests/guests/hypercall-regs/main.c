/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which registers survive a hypercall. Xen 4.17 (a release build, the one we
 * compare with) preserves every general-purpose register of a 64-bit PV guest
 * except RAX (the result) and, for a bare SYSCALL, RCX and R11, which hold the
 * return address and RFLAGS as the instruction left them; the hypercall page's
 * stubs save and restore RCX and R11 too. RSP, RFLAGS' status flags and DF come
 * back unchanged. (Debug builds of Xen poison the argument registers; guests
 * built against release hypervisors may keep values in them.)
 *
 * Every call loads each register from a table (arguments in RDI, RSI, RDX,
 * R10, R8; a distinct sentinel in every other one; status flags and DF set or
 * clear), calls a stub of the hypercall page (or a bare SYSCALL) and stores
 * every register straight after. Calls: each of the 128 stubs but iret (23)
 * with garbage arguments, then real operations that succeed (trap table,
 * callbacks, console, memory, events, grants, a multicall, a poll that blocks
 * until a timeout, and more), then bare SYSCALLs.
 */
#include <lamina/callback.h>
#include <lamina/console.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/hypercall-numbers.h>
#include <lamina/memory.h>
#include <lamina/mmu.h>
#include <lamina/sched.h>
#include <lamina/traps.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>
#include <lamina/vm_assist.h>

#include "mm_util.h"

const char lam_test_title[] = "every register but RAX survives every hypercall";

/* The register file around one call, in the order the assembly below uses (8 bytes each). */
enum hcr_reg {
    RAX,
    RBX,
    RCX,
    RDX,
    RSI,
    RDI,
    RBP,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    RSP,
    RFLAGS,
    NR_HCR_REGS
};
struct hcr_regs {
    uint64_t r[NR_HCR_REGS];
};
static const char *const reg_names[] = {"rax", "rbx", "rcx", "rdx", "rsi",   "rdi",
                                        "rbp", "r8",  "r9",  "r10", "r11",   "r12",
                                        "r13", "r14", "r15", "rsp", "rflags"};
struct hcr_regs hcr_in, hcr_out;

/* hcr_call(target): every register from hcr_in, call target, every register to hcr_out. */
void hcr_call(const void *target);
void hcr_syscall_thunk(void);
extern const char hcr_syscall_ret[];
__asm__(".text\n"
        ".globl hcr_call\n"
        "hcr_call:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rdi, hcr_target(%rip)\n"
        "  mov %rsp, hcr_saved_rsp(%rip)\n"
        "  pushq hcr_in+128(%rip)\n"
        "  popfq\n"
        "  mov hcr_in+0(%rip), %rax\n"
        "  mov hcr_in+8(%rip), %rbx\n"
        "  mov hcr_in+16(%rip), %rcx\n"
        "  mov hcr_in+24(%rip), %rdx\n"
        "  mov hcr_in+32(%rip), %rsi\n"
        "  mov hcr_in+40(%rip), %rdi\n"
        "  mov hcr_in+48(%rip), %rbp\n"
        "  mov hcr_in+56(%rip), %r8\n"
        "  mov hcr_in+64(%rip), %r9\n"
        "  mov hcr_in+72(%rip), %r10\n"
        "  mov hcr_in+80(%rip), %r11\n"
        "  mov hcr_in+88(%rip), %r12\n"
        "  mov hcr_in+96(%rip), %r13\n"
        "  mov hcr_in+104(%rip), %r14\n"
        "  mov hcr_in+112(%rip), %r15\n"
        "  mov %rsp, hcr_in+120(%rip)\n"
        "  call *hcr_target(%rip)\n"
        "  mov %rsp, hcr_out+120(%rip)\n"
        "  pushfq\n"
        "  popq hcr_out+128(%rip)\n"
        "  mov %rax, hcr_out+0(%rip)\n"
        "  mov %rbx, hcr_out+8(%rip)\n"
        "  mov %rcx, hcr_out+16(%rip)\n"
        "  mov %rdx, hcr_out+24(%rip)\n"
        "  mov %rsi, hcr_out+32(%rip)\n"
        "  mov %rdi, hcr_out+40(%rip)\n"
        "  mov %rbp, hcr_out+48(%rip)\n"
        "  mov %r8, hcr_out+56(%rip)\n"
        "  mov %r9, hcr_out+64(%rip)\n"
        "  mov %r10, hcr_out+72(%rip)\n"
        "  mov %r11, hcr_out+80(%rip)\n"
        "  mov %r12, hcr_out+88(%rip)\n"
        "  mov %r13, hcr_out+96(%rip)\n"
        "  mov %r14, hcr_out+104(%rip)\n"
        "  mov %r15, hcr_out+112(%rip)\n"
        "  mov hcr_saved_rsp(%rip), %rsp\n"
        "  cld\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".globl hcr_syscall_thunk, hcr_syscall_ret\n"
        "hcr_syscall_thunk:\n"
        "  syscall\n"
        "hcr_syscall_ret:\n"
        "  ret\n"
        ".data\n"
        ".balign 8\n"
        "hcr_target: .quad 0\n"
        "hcr_saved_rsp: .quad 0\n"
        ".text\n");
_Static_assert(sizeof(struct hcr_regs) == 136, "hcr_regs layout: RSP at 120, RFLAGS at 128");

/* Status flags (CF PF AF ZF SF OF) and DF; bit 1 is always set. */
#define FLAGS_CHECKED 0xcd5ull
#define FLAGS_ALL     (FLAGS_CHECKED | 0x2)
#define FLAGS_NONE    0x2ull

extern uint8_t lam_hypercall_page[];
static unsigned calls, bad_calls, call_index;

/* Distinct, non-canonical sentinels: register i of call n. */
static uint64_t sentinel(unsigned reg, unsigned n)
{
    return 0x5e00000000000000ull | ((uint64_t)reg << 48) | ((uint64_t)n << 16) | 0xc0de;
}

/*
 * A multicall preempted between entries returns through a continuation: Xen 4.17 then
 * advances its arguments in the guest's registers (RDI past the entries done, RSI the count
 * left), exactly as they are when the call is reissued. Seen on a loaded host. That form is
 * accepted; any other change to RDI/RSI is not.
 */
static void allow_multicall_continuation(struct hcr_regs *want, const uint64_t a[5])
{
    uint64_t advanced = hcr_out.r[RDI] - a[0];
    uint64_t size = sizeof(struct lam_multicall_entry);
    if (advanced == 0 || advanced % size != 0)
        return;
    uint64_t done = advanced / size;
    if (done < a[1] && hcr_out.r[RSI] == a[1] - done) {
        want->r[RDI] = hcr_out.r[RDI];
        want->r[RSI] = hcr_out.r[RSI];
    }
}

/*
 * One call: nr's stub (or a bare SYSCALL with RAX = nr), arguments a[0..4]. Checks every
 * register but RAX against what went in; returns RAX.
 */
static long call_checked(const char *what, unsigned nr, const uint64_t a[5], int bare)
{
    unsigned n = call_index++;
    for (unsigned r = 0; r <= R15; r++)
        hcr_in.r[r] = sentinel(r, n);
    hcr_in.r[RAX] = bare ? nr : sentinel(RAX, n); /* a stub sets EAX itself */
    hcr_in.r[RDI] = a[0];
    hcr_in.r[RSI] = a[1];
    hcr_in.r[RDX] = a[2];
    hcr_in.r[R10] = a[3];
    hcr_in.r[R8] = a[4];
    hcr_in.r[RFLAGS] = (n & 1) ? FLAGS_ALL : FLAGS_NONE;
    hcr_call(bare ? (const void *)hcr_syscall_thunk
                  : (const void *)(lam_hypercall_page + nr * LAM_HYPERCALL_PAGE_STUB_SIZE));

    struct hcr_regs want = hcr_in;
    if (!bare && nr == LAM_HYPERCALL_MULTICALL)
        allow_multicall_continuation(&want, a);
    if (bare) { /* SYSCALL: RCX = return address, R11 = RFLAGS (the value SYSRET restores) */
        want.r[RCX] = (uint64_t)(uintptr_t)hcr_syscall_ret;
        want.r[R11] = hcr_out.r[RFLAGS];
    }
    int bad = 0;
    for (unsigned r = RBX; r <= RSP; r++) {
        if (hcr_out.r[r] != want.r[r]) {
            if (bad_calls < 12)
                lam_printf("  %s (%u): %s 0x%lx, expected 0x%lx\n", what, nr, reg_names[r],
                           (unsigned long)hcr_out.r[r], (unsigned long)want.r[r]);
            bad = 1;
        }
    }
    if ((hcr_out.r[RFLAGS] & FLAGS_CHECKED) != (hcr_in.r[RFLAGS] & FLAGS_CHECKED)) {
        if (bad_calls < 12)
            lam_printf("  %s (%u): rflags 0x%lx, expected status/DF bits 0x%lx\n", what, nr,
                       (unsigned long)hcr_out.r[RFLAGS],
                       (unsigned long)(hcr_in.r[RFLAGS] & FLAGS_CHECKED));
        bad = 1;
    }
    calls++;
    bad_calls += bad;
    return (long)hcr_out.r[RAX];
}

static long stub(const char *what, unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                 uint64_t a5)
{
    const uint64_t a[5] = {a1, a2, a3, a4, a5};
    return call_checked(what, nr, a, 0);
}

static long bare(const char *what, unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    const uint64_t a[5] = {a1, a2, a3, 0, 0};
    return call_checked(what, nr, a, 1);
}

static void expect_rc(const char *what, long got, long want)
{
    if (got != want)
        lam_fail("%s returned %ld, expected %ld", what, got, want);
}

/* Pass 1: every stub but iret with garbage (hypervisor-range and unmapped pointers, bad
 * command numbers; see tests/guests/hostile). Only the registers are checked. */
static void garbage_pass(void)
{
    static const uint64_t patterns[] = {0xffff8300deadb000ull, 0x00000000dead0000ull};
    for (unsigned nr = 0; nr < LAM_HYPERCALL_PAGE_NR_STUBS; nr++) {
        if (nr == LAM_HYPERCALL_IRET)
            continue;
        for (unsigned p = 0; p < 2; p++) {
            uint64_t g = patterns[p];
            stub("garbage", nr, g, g + 8, g + 16, g + 24, g + 32);
            /* Undo what may have been recorded (see hostile): TS, a timer. */
            hypercall_fpu_taskswitch(0);
            hypercall_set_timer_op(0);
        }
    }
}

static uint8_t kstack[4096] __attribute__((aligned(16)));
static struct lam_trap_info int3_table[] = {
    {3, 3, LAM_FLAT_KERNEL_CS, 0, 0},
    {0, 0, 0, 0, 0},
};

/* Pass 2: operations that succeed, through the stubs. */
static void real_pass(void)
{
    extern void lam_trap_entry_3(void);
    int3_table[0].address = (uint64_t)(uintptr_t)lam_trap_entry_3;
    expect_rc("set_trap_table", stub("set_trap_table", 0, (uintptr_t)int3_table, 0, 0, 0, 0), 0);

    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event,
                                       .address = (uintptr_t)lam_event_entry};
    expect_rc("callback_op(event)",
              stub("callback_op", 30, LAM_CALLBACKOP_register, (uintptr_t)&cb, 0, 0, 0), 0);
    cb = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_syscall,
                                        .flags = LAM_CALLBACKF_mask_events,
                                        .address = (uintptr_t)lam_syscall_entry};
    expect_rc("callback_op(syscall)",
              stub("callback_op", 30, LAM_CALLBACKOP_register, (uintptr_t)&cb, 0, 0, 0), 0);
    cb = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_failsafe,
                                        .address = (uintptr_t)lam_failsafe_entry};
    expect_rc("callback_op(failsafe)",
              stub("callback_op", 30, LAM_CALLBACKOP_register, (uintptr_t)&cb, 0, 0, 0), 0);
    expect_rc(
        "stack_switch",
        stub("stack_switch", 3, LAM_FLAT_KERNEL_SS, (uintptr_t)(kstack + sizeof(kstack)), 0, 0, 0),
        0);

    long ver = hypercall_xen_version(LAM_XENVER_version, NULL);
    expect_rc("xen_version", stub("xen_version", 17, LAM_XENVER_version, 0, 0, 0, 0), ver);
    struct lam_xen_feature_info fi = {.submap_idx = 0};
    expect_rc("xen_version(get_features)",
              stub("xen_version", 17, LAM_XENVER_get_features, (uintptr_t)&fi, 0, 0, 0), 0);
    static const char msg[] = "hypercall-regs: console_io through its stub\n";
    expect_rc("console_io",
              stub("console_io", 18, LAM_CONSOLEIO_write, sizeof(msg) - 1, (uintptr_t)msg, 0, 0),
              0);
    expect_rc("vm_assist", stub("vm_assist", 21, LAM_VMASST_CMD_enable, 0, 0, 0, 0), 0);
    expect_rc("sched_op(yield)", stub("sched_op", 29, LAM_SCHEDOP_yield, 0, 0, 0, 0), 0);
    expect_rc("set_segment_base",
              stub("set_segment_base", 25, LAM_SEGBASE_GS_USER, 0x1234000, 0, 0, 0), 0);
    expect_rc("set_segment_base", stub("set_segment_base", 25, LAM_SEGBASE_GS_USER, 0, 0, 0, 0), 0);
    lam_domid_t self = LAM_DOMID_SELF;
    long maxr = stub("memory_op", 12, LAM_XENMEM_maximum_reservation, (uintptr_t)&self, 0, 0, 0);
    LAM_CHECK(maxr > 0, "memory_op(maximum_reservation) returned %ld", maxr);

    /* The same mapping again, by update_va_mapping and by mmu_update. */
    void *page = mm_alloc_page();
    uint64_t pte = mm_read_entry_ma(mm_entry_ma((uintptr_t)page, 1));
    expect_rc("update_va_mapping",
              stub("update_va_mapping", 14, (uintptr_t)page, pte, LAM_UVMF_INVLPG, 0, 0), 0);
    struct lam_mmu_update u = {.ptr = mm_entry_ma((uintptr_t)page, 1) | LAM_MMU_NORMAL_PT_UPDATE,
                               .val = pte};
    unsigned done = 0;
    expect_rc("mmu_update",
              stub("mmu_update", 1, (uintptr_t)&u, 1, (uintptr_t)&done, LAM_DOMID_SELF, 0), 0);
    struct lam_mmuext_op ext = {.cmd = LAM_MMUEXT_TLB_FLUSH_LOCAL};
    expect_rc("mmuext_op", stub("mmuext_op", 26, (uintptr_t)&ext, 1, 0, LAM_DOMID_SELF, 0), 0);

    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    expect_rc("event_channel_op(alloc_unbound)",
              stub("event_channel_op", 32, LAM_EVTCHNOP_alloc_unbound, (uintptr_t)&au, 0, 0, 0), 0);
    lam_evtchn_mask(au.port);
    /* Block until a timeout: the vCPU is descheduled and comes back. */
    uint32_t port = au.port;
    struct lam_sched_poll poll = {
        .ports = (uintptr_t)&port, .nr_ports = 1, .timeout = lam_pvclock_ns() + 2000000};
    expect_rc("sched_op(poll)", stub("sched_op", 29, LAM_SCHEDOP_poll, (uintptr_t)&poll, 0, 0, 0),
              0);
    LAM_CHECK(lam_pvclock_ns() >= poll.timeout, "poll returned before its timeout");
    struct lam_evtchn_port_arg cl = {.port = port};
    expect_rc("event_channel_op(close)",
              stub("event_channel_op", 32, LAM_EVTCHNOP_close, (uintptr_t)&cl, 0, 0, 0), 0);

    struct lam_gnttab_query_size q = {.dom = LAM_DOMID_SELF};
    expect_rc("grant_table_op(query_size)",
              stub("grant_table_op", 20, LAM_GNTTABOP_query_size, (uintptr_t)&q, 1, 0, 0), 0);
    expect_rc("vcpu_op(is_up)", stub("vcpu_op", 24, LAM_VCPUOP_is_up, 0, 0, 0, 0), 1);
    expect_rc("set_timer_op", stub("set_timer_op", 15, 0, 0, 0, 0, 0), 0);
    expect_rc("fpu_taskswitch", stub("fpu_taskswitch", 5, 0, 0, 0, 0, 0), 0);

    static struct lam_multicall_entry mc[2];
    mc[0] = (struct lam_multicall_entry){.op = 17, .args = {LAM_XENVER_version}};
    mc[1] = (struct lam_multicall_entry){.op = 21, .args = {LAM_VMASST_CMD_enable, 0}};
    expect_rc("multicall", stub("multicall", 13, (uintptr_t)mc, 2, 0, 0, 0), 0);
    LAM_CHECK((long)mc[0].result == ver && mc[1].result == 0, "multicall results %ld %ld",
              (long)mc[0].result, (long)mc[1].result);
    expect_rc("unknown hypercall 60", stub("unknown", 60, 0, 0, 0, 0, 0), -LAM_ENOSYS);
}

/* Pass 3: bare SYSCALL. */
static void bare_pass(void)
{
    long ver = hypercall_xen_version(LAM_XENVER_version, NULL);
    expect_rc("bare xen_version", bare("bare xen_version", 17, LAM_XENVER_version, 0, 0), ver);
    static const char msg[] = "hypercall-regs: console_io by bare SYSCALL\n";
    expect_rc("bare console_io",
              bare("bare console_io", 18, LAM_CONSOLEIO_write, sizeof(msg) - 1, (uintptr_t)msg), 0);
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event,
                                       .address = (uintptr_t)lam_event_entry};
    expect_rc("bare callback_op",
              bare("bare callback_op", 30, LAM_CALLBACKOP_register, (uintptr_t)&cb, 0), 0);
    expect_rc("bare sched_op(yield)", bare("bare sched_op", 29, LAM_SCHEDOP_yield, 0, 0), 0);
    expect_rc("bare unknown", bare("bare unknown", 60, 0, 0, 0), -LAM_ENOSYS);
}

static void report(const char *pass)
{
    lam_printf("%s: %u calls, %u with a register changed\n", pass, calls, bad_calls);
    LAM_CHECK(bad_calls == 0, "%s: %u of %u calls changed a register other than RAX", pass,
              bad_calls, calls);
    calls = bad_calls = 0;
}

void test_main(void)
{
    mm_init();
    garbage_pass();
    report("garbage arguments, every stub");
    real_pass();
    report("real operations through stubs");
    bare_pass();
    report("bare SYSCALL");
}
