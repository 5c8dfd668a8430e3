/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCPUOP_initialise with contexts a hypervisor must not take as they are.
 * Xen 4.17's arch_set_info_guest answers -EINVAL, before it changes anything, for a
 * non-canonical RIP, RSP, kernel_sp, event/failsafe/syscall callback or trap-table address,
 * for an LDT base that is not canonical (with entries), in the hypervisor's range, or not
 * page-aligned, for more than 8192 LDT entries, and for a context not in kernel mode without
 * a user page table (ctrlreg[1]). Each of those is tried on vCPU 1, which stays
 * uninitialised. Selectors are not checked, only given RPL 3: vCPU 1 started with CS 0 and
 * vCPU 2 with SS 0xe010 (the hypervisor's data segment) run into the fault of the first
 * IRETQ to them, which their own #GP handler gets, with the frame they were started with.
 * vCPU 3 starts in user mode on the user page table its context names (ctrlreg[1]). The
 * trap table in a context is indexed by vector. Debug registers in a context are taken as
 * set_debugreg would take them, one by one: a breakpoint on the hypervisor's range is dropped.
 */
#include <lamina/errno.h>
#include <lamina/sched.h>
#include <lamina/traps.h>
#include <lamina/vcpu.h>

#include "vcpu_start.h"

const char lam_test_title[] = "VCPUOP_initialise with bad addresses and selectors";

#define NONCANON 0x0000800000000000ull
#define HV_ADDR  0xffff800000000000ull /* canonical, but the hypervisor's */

static struct lam_vcpu_guest_context ctx;
static uint8_t stacks[4][8192] __attribute__((aligned(16)));
static uint8_t kstack3[8192] __attribute__((aligned(16))); /* vCPU 3's kernel_sp */

/* What each secondary vCPU's #GP handler saw: error, RIP, CS, RFLAGS, RSP, SS; done; DRs. */
struct gp_seen {
    uint64_t error, rip, cs, rflags, rsp, ss, done, dr[8];
};
volatile struct gp_seen seen[4];
static volatile uint64_t watched[3]; /* DR1 of vCPUs 1 and 2: never touched */

void v_entry(void);
void v_gp1(void), v_gp2(void), v_gp3(void);
__asm__(".text\n.globl v_entry\nv_entry:\n  ud2\n"); /* never reached: the IRETQ to it faults */
#define GP_STUB(n)                                                                                 \
    __asm__(".text\n.globl v_gp" #n "\nv_gp" #n ":\n"                                              \
            "  pop %rcx\n  pop %r11\n"                                                             \
            "  popq seen+" #n "*120+0(%rip)\n"                                                     \
            "  popq seen+" #n "*120+8(%rip)\n"                                                     \
            "  popq seen+" #n "*120+16(%rip)\n"                                                    \
            "  popq seen+" #n "*120+24(%rip)\n"                                                    \
            "  popq seen+" #n "*120+32(%rip)\n"                                                    \
            "  popq seen+" #n "*120+40(%rip)\n"                                                    \
            "  lea stacks+(" #n "+1)*8192-8(%rip), %rsp\n"                                         \
            "  mov $" #n ", %edi\n"                                                                \
            "  jmp v_park\n")
GP_STUB(1);
GP_STUB(2);
GP_STUB(3); /* vCPU 3's #PF handler */

/* vCPU 3, in user mode: reads linear 0x1000, which only the kernel's page table maps. */
void v_user(void);
__asm__(".text\n.globl v_user\nv_user:\n  mov 0x1000, %rax\n  ud2\n");
_Static_assert(sizeof(struct gp_seen) == 120, "stub offsets");

__attribute__((noreturn, used)) void v_park(unsigned int id);
void v_park(unsigned int id)
{
    for (unsigned int r = 0; r < 8; r++)
        seen[id].dr[r] = (uint64_t)hypercall_get_debugreg((int)r);
    __atomic_store_n(&seen[id].done, 1, __ATOMIC_RELEASE);
    for (;;)
        hypercall_vcpu_op(LAM_VCPUOP_down, id, NULL);
}

static void base_context(unsigned int id)
{
    lam_vcpu_context(&ctx, v_entry, stacks[id] + sizeof(stacks[id]));
    void (*gp)(void) = id == 1 ? v_gp1 : v_gp2;
    ctx.trap_ctxt[13] =
        (struct lam_trap_info){.vector = 13, .cs = LAM_FLAT_KERNEL_CS, .address = (uintptr_t)gp};
}

static void refused(const char *what, void (*spoil)(void))
{
    base_context(1);
    spoil();
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    lam_printf("%s: %ld\n", what, rc);
    LAM_CHECK(rc == -LAM_EINVAL, "%s: %ld, expected -EINVAL", what, rc);
}

static void bad_rip(void)
{
    ctx.user_regs.rip = NONCANON;
}
static void bad_rsp(void)
{
    ctx.user_regs.rsp = NONCANON;
}
static void bad_kernel_sp(void)
{
    ctx.kernel_sp = NONCANON;
}
static void bad_event(void)
{
    ctx.event_callback_eip = NONCANON;
}
static void bad_failsafe(void)
{
    ctx.failsafe_callback_eip = NONCANON;
}
static void bad_syscall(void)
{
    ctx.syscall_callback_eip = NONCANON;
}
static void bad_trap(void)
{
    ctx.trap_ctxt[5] = (struct lam_trap_info){.vector = 0x80, .address = NONCANON};
}
static void bad_trap_last(void)
{
    ctx.trap_ctxt[255] = (struct lam_trap_info){.vector = 3, .address = NONCANON};
}
static void ldt_noncanon(void)
{
    ctx.ldt_base = NONCANON;
    ctx.ldt_ents = 1;
}
static void ldt_hv(void)
{
    ctx.ldt_base = HV_ADDR;
    ctx.ldt_ents = 0;
}
static void ldt_unaligned(void)
{
    ctx.ldt_base = 0x1008;
    ctx.ldt_ents = 1;
}
static void ldt_many(void)
{
    ctx.ldt_base = 0x10000;
    ctx.ldt_ents = 8193;
}
static void user_no_table(void)
{
    ctx.flags &= ~LAM_VGCF_in_kernel;
    ctx.ctrlreg[1] = 0;
}

static void start(unsigned int id, uint64_t cs, uint64_t ss)
{
    base_context(id);
    ctx.user_regs.cs = cs;
    ctx.user_regs.ss = ss;
    ctx.debugreg[0] = HV_ADDR;                           /* refused by set_debugreg */
    ctx.debugreg[1] = (uint64_t)(uintptr_t)&watched[id]; /* a guest address: kept */
    ctx.debugreg[6] = 0xffff4ff1;
    ctx.debugreg[7] = 0x00f0040c; /* L1|G1, write, 8 bytes */
    lam_shared_info->vcpu_info[id].evtchn_upcall_mask = 1;
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, id, &ctx);
    LAM_CHECK(rc == 0, "initialise vCPU %u with CS 0x%lx SS 0x%lx: %ld", id, (unsigned long)cs,
              (unsigned long)ss, rc);
    rc = hypercall_vcpu_op(LAM_VCPUOP_up, id, NULL);
    LAM_CHECK(rc == 0, "up vCPU %u: %ld", id, rc);
    for (int i = 0; i < 200000 && !__atomic_load_n(&seen[id].done, __ATOMIC_ACQUIRE); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    const volatile struct gp_seen *s = &seen[id];
    lam_printf("vCPU %u: #GP error 0x%lx rip %lx cs %lx rflags %lx rsp %lx ss %lx; "
               "DR0 %lx DR1 %lx DR6 %lx DR7 %lx\n",
               id, (unsigned long)s->error, (unsigned long)s->rip, (unsigned long)s->cs,
               (unsigned long)s->rflags, (unsigned long)s->rsp, (unsigned long)s->ss,
               (unsigned long)s->dr[0], (unsigned long)s->dr[1], (unsigned long)s->dr[6],
               (unsigned long)s->dr[7]);
    LAM_CHECK(s->done, "vCPU %u never reached its #GP handler", id);
    uint64_t err = ss == 0xe010 ? 0xe010 : 0;
    LAM_CHECK(s->dr[0] == 0 && s->dr[1] == ctx.debugreg[1] && s->dr[6] == 0xffff4ff1 &&
                  s->dr[7] == 0x00f0040c,
              "vCPU %u: DR0 0x%lx (the hypervisor's address must be dropped), DR1 0x%lx, DR6 "
              "0x%lx, DR7 0x%lx: not what set_debugreg takes",
              id, (unsigned long)s->dr[0], (unsigned long)s->dr[1], (unsigned long)s->dr[6],
              (unsigned long)s->dr[7]);
    LAM_CHECK(s->error == err && s->rip == (uint64_t)(uintptr_t)v_entry &&
                  (s->cs & 0xffff) == (cs & ~3ull) && (s->ss & 0xffff) == (ss | 3) &&
                  s->rsp == ctx.user_regs.rsp,
              "vCPU %u: the #GP frame is not the one it was started with", id);
}

/*
 * vCPU 3 starts in user mode on its own page table (ctrlreg[1]): a copy of our L4's slots
 * made before slot 0 got tables that map linear 0x1000. Its read there must fault (#PF from
 * user mode, bounced on its kernel_sp stack); on our table it would find the page.
 */
static void start_user(void)
{
    uint64_t *kernel_l4 = mm_mfn_to_va(mm_cur_l4_mfn);
    uint64_t *user_l4 = mm_alloc_page();
    for (unsigned int i = 0; i < 512; i++)
        if (i < 256 || i > 271)
            user_l4[i] = kernel_l4[i];
    mm_expect_rc("the user L4 read-only", mm_page_set_ro(user_l4), 0);
    static struct mm_tree low;
    mm_expect_rc("tables for linear 0 in our own L4", mm_tree_build(&low, 0), 0);
    uint64_t *page = mm_alloc_page();
    page[0] = 0x5a5a;
    mm_expect_rc("map linear 0x1000 in our own L4",
                 mm_update(mm_tab_ma(low.l1, 1), mm_va_to_ma(page) | MM_PTE_FLAGS), 0);
    LAM_CHECK(*(volatile uint64_t *)0x1000 == 0x5a5a, "our L4 maps linear 0x1000");

    lam_vcpu_context(&ctx, v_user, stacks[3] + sizeof(stacks[3]));
    ctx.flags &= ~LAM_VGCF_in_kernel;
    ctx.ctrlreg[1] = mm_va_to_mfn(user_l4) << 12;
    ctx.kernel_sp = (uintptr_t)(kstack3 + sizeof(kstack3));
    ctx.trap_ctxt[14] =
        (struct lam_trap_info){.vector = 14, .cs = LAM_FLAT_KERNEL_CS, .address = (uintptr_t)v_gp3};
    lam_shared_info->vcpu_info[3].evtchn_upcall_mask = 1;
    long rc = hypercall_vcpu_op(LAM_VCPUOP_initialise, 3, &ctx);
    LAM_CHECK(rc == 0, "initialise vCPU 3 in user mode with a user L4: %ld", rc);
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_up, 3, NULL) == 0, "up vCPU 3");
    for (int i = 0; i < 200000 && !__atomic_load_n(&seen[3].done, __ATOMIC_ACQUIRE); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    const volatile struct gp_seen *s = &seen[3];
    uint64_t cr2 = lam_shared_info->vcpu_info[3].arch.cr2;
    lam_printf("vCPU 3: #PF error 0x%lx cr2 %lx rip %lx cs %lx rsp %lx ss %lx\n",
               (unsigned long)s->error, (unsigned long)cr2, (unsigned long)s->rip,
               (unsigned long)s->cs, (unsigned long)s->rsp, (unsigned long)s->ss);
    LAM_CHECK(s->done, "vCPU 3 never reached its #PF handler");
    LAM_CHECK(s->error == 4 && cr2 == 0x1000 && s->rip == (uintptr_t)v_user &&
                  (s->cs & 0xffff) == LAM_FLAT_USER_CS && s->rsp == ctx.user_regs.rsp,
              "vCPU 3: not a user-mode #PF at 0x1000 on its own page table");
}

void test_main(void)
{
    mm_init();
    if (hypercall_vcpu_op(LAM_VCPUOP_is_up, 3, NULL) == -LAM_ENOENT) {
        lam_skip("dom0 has fewer than 4 vCPUs (dom0_max_vcpus=4 not honoured)");
        return;
    }
    refused("RIP not canonical", bad_rip);
    refused("RSP not canonical", bad_rsp);
    refused("kernel_sp not canonical", bad_kernel_sp);
    refused("event callback not canonical", bad_event);
    refused("failsafe callback not canonical", bad_failsafe);
    refused("syscall callback not canonical", bad_syscall);
    refused("trap 0x80 not canonical", bad_trap);
    refused("last trap entry not canonical", bad_trap_last);
    refused("LDT base not canonical", ldt_noncanon);
    refused("LDT base in the hypervisor's range", ldt_hv);
    refused("LDT base not page-aligned", ldt_unaligned);
    refused("8193 LDT entries", ldt_many);
    refused("user mode without a user page table", user_no_table);
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_up, 1, NULL) == -LAM_EINVAL,
              "vCPU 1 is still uninitialised (up -EINVAL)");

    start(1, 0, LAM_FLAT_KERNEL_SS);
    start(2, LAM_FLAT_KERNEL_CS & ~3u, 0xe010);
    start_user();
}
