/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug registers belong to a vCPU: one domain's breakpoints must never fire
 * while another runs, and a vCPU's own must survive every switch away and back. The same
 * kernel runs as dom0 (the victim, on every CPU: one vCPU per CPU) and as the boot-time domU
 * d1 (the attacker), so both know the victim's addresses. d1 points DR0 at the victim's data
 * (reads and writes), DR1 at the victim's code (execution) and DR3 at a word of its own,
 * enables them all (local and global), and yields 3000 times, checking that its registers
 * keep their values; at the end its own write to its word raises exactly one #DB. dom0's
 * vCPUs, meanwhile, each watch a word of their own with DR2, and until d1 has shut down run
 * the victim's code, write the victim's data and their own word, and yield: every #DB they
 * get must be their own (B2 in DR6), exactly one per write of their word, none from d1's
 * breakpoints. Run on 1 and on 2 CPUs.
 */
#include <lamina/domctl.h>
#include <lamina/sched.h>
#include <lamina/traps.h>

#include "domctl_util.h"
#include "vcpu_start.h"

const char lam_test_title[] = "one domain's breakpoints never fire in another";

#define DR6_DEFAULT   0xffff0ff0ull
#define MAX_VCPUS     2
#define ATTACK_ROUNDS 3000
#define MIN_ROUNDS    300
#define DR7_RW(n, rw) ((uint64_t)(rw) << (16 + 4 * (n)))
#define DR7_LEN8(n)   (2ull << (18 + 4 * (n)))
#define DR7_ENABLE(n) (3ull << (2 * (n))) /* local and global */

/* The victim's code and data: only dom0 ever touches them. */
volatile uint64_t victim_data;
__attribute__((noinline)) void victim_code(void);
__attribute__((noinline)) void victim_code(void)
{
    __asm__ volatile("nop" ::: "memory");
}

/* Per vCPU: its own watched word, and what its #DB handler saw. */
static volatile uint64_t own_word[MAX_VCPUS][8] __attribute__((aligned(64)));
static volatile uint64_t own_db[MAX_VCPUS], foreign_db[MAX_VCPUS], foreign_rip[MAX_VCPUS],
    foreign_dr6[MAX_VCPUS];

__attribute__((used)) void db_handler(unsigned int vcpu, const uint64_t *frame);
void db_handler(unsigned int vcpu, const uint64_t *frame)
{
    uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
    if ((dr6 & 0xf) == (vcpu == 0 && !(lam_start_info->flags & LAM_SIF_INITDOMAIN) ? 8u : 4u)) {
        own_db[vcpu]++;
    } else {
        foreign_db[vcpu]++;
        foreign_rip[vcpu] = frame[0];
        foreign_dr6[vcpu] = dr6;
    }
    hypercall_set_debugreg(6, DR6_DEFAULT);
}

/* #DB entry for vCPU n: call db_handler(n, &frame RIP), then return with RF set (a fault-type
 * instruction breakpoint must not fire again on the same instruction). */
#define DB_STUB(n)                                                                                 \
    __asm__(".text\n.globl db_entry" #n "\ndb_entry" #n ":\n"                                      \
            "  pop %rcx\n  pop %r11\n"                                                             \
            "  push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"                        \
            "  push %r8\n push %r9\n push %r10\n push %r11\n"                                      \
            "  mov $" #n ", %edi\n"                                                                \
            "  lea 72(%rsp), %rsi\n"                                                               \
            "  call db_handler\n"                                                                  \
            "  pop %r11\n pop %r10\n pop %r9\n pop %r8\n"                                          \
            "  pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"                             \
            "  orq $0x10000, 16(%rsp)\n"                                                           \
            "  push $0\n  push %rcx\n  push %r11\n  push %rax\n"                                   \
            "  mov $23, %eax\n  syscall\n  ud2\n");                                                \
    void db_entry##n(void)
DB_STUB(0);
DB_STUB(1);

static void install_db(unsigned int vcpu)
{
    const struct lam_trap_info t[] = {
        {1, 0, LAM_FLAT_KERNEL_CS, 0, (uintptr_t)(vcpu ? db_entry1 : db_entry0)}, {0, 0, 0, 0, 0}};
    hypercall_set_trap_table((void *)t);
}

static void set_dr(unsigned int reg, uint64_t value)
{
    long rc = hypercall_set_debugreg((int)reg, value);
    if (rc)
        lam_fail("set_debugreg(%u, 0x%lx): %ld", reg, (unsigned long)value, rc);
}

/* ---- the attacker, d1 ---- */

static volatile uint64_t attacker_word[8] __attribute__((aligned(64)));

static void attacker(void)
{
    install_db(0);
    const uint64_t dr[4] = {(uintptr_t)&victim_data, (uintptr_t)victim_code, 0,
                            (uintptr_t)&attacker_word[0]};
    const uint64_t dr7 = 0x400 | DR7_ENABLE(0) | DR7_RW(0, 3) | DR7_LEN8(0) | DR7_ENABLE(1) |
                         DR7_ENABLE(3) | DR7_RW(3, 1) | DR7_LEN8(3);
    for (unsigned int i = 0; i < 4; i++)
        set_dr(i, dr[i]);
    set_dr(7, dr7);
    unsigned int lost = 0;
    for (int r = 0; r < ATTACK_ROUNDS; r++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        for (unsigned int i = 0; i < 4; i++)
            if ((uint64_t)hypercall_get_debugreg((int)i) != dr[i])
                lost++;
        if ((uint64_t)hypercall_get_debugreg(7) != dr7)
            lost++;
    }
    attacker_word[0] = 1;
    lam_printf("attacker: %u register values lost over %d yields; own write: %lu #DB, "
               "%lu other\n",
               lost, ATTACK_ROUNDS, (unsigned long)own_db[0], (unsigned long)foreign_db[0]);
    LAM_CHECK(!lost, "the attacker's debug registers changed under it");
    LAM_CHECK(own_db[0] == 1 && foreign_db[0] == 0,
              "the attacker's breakpoints were armed: its own write raised one #DB");
    set_dr(7, 0);
}

/* ---- the victim, dom0 ---- */

static volatile int d1_down;
static volatile uint64_t rounds[MAX_VCPUS], own_writes[MAX_VCPUS];
static volatile int done[MAX_VCPUS];

static void victim_loop(unsigned int vcpu)
{
    set_dr(2, (uintptr_t)&own_word[vcpu][0]);
    set_dr(7, 0x400 | DR7_ENABLE(2) | DR7_RW(2, 1) | DR7_LEN8(2));
    while (!d1_down || rounds[vcpu] < MIN_ROUNDS) {
        victim_code();
        victim_data++;
        own_word[vcpu][0]++;
        own_writes[vcpu]++;
        rounds[vcpu]++;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    set_dr(7, 0);
    done[vcpu] = 1;
}

static uint8_t vcpu1_stack[16384] __attribute__((aligned(16)));
static struct lam_vcpu_guest_context ctx;

__attribute__((noreturn)) static void vcpu1_main(void)
{
    install_db(1);
    victim_loop(1);
    for (;;)
        hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL);
}

static int d1_shut_down(void)
{
    struct lam_domctl op;
    if (lam_domctl(&op, LAM_DOMCTL_getdomaininfo, 1) || op.domain != 1)
        return 1; /* gone */
    return (op.u.getdomaininfo.flags & LAM_DOMINF_shutdown) != 0;
}

static void victim(void)
{
    mm_init();
    install_db(0);
    unsigned int nv = hypercall_vcpu_op(LAM_VCPUOP_is_up, 1, NULL) >= 0 ? 2 : 1;
    if (nv == 2) {
        lam_vcpu_context(&ctx, vcpu1_main, vcpu1_stack + sizeof(vcpu1_stack));
        lam_shared_info->vcpu_info[1].evtchn_upcall_mask = 1;
        LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_initialise, 1, &ctx) == 0 &&
                      hypercall_vcpu_op(LAM_VCPUOP_up, 1, NULL) == 0,
                  "start vCPU 1");
    }
    /* vCPU 0 checks on d1 between its rounds. */
    set_dr(2, (uintptr_t)&own_word[0][0]);
    set_dr(7, 0x400 | DR7_ENABLE(2) | DR7_RW(2, 1) | DR7_LEN8(2));
    uint64_t start = lam_pvclock_ns();
    while (!d1_down || rounds[0] < MIN_ROUNDS) {
        victim_code();
        victim_data++;
        own_word[0][0]++;
        own_writes[0]++;
        rounds[0]++;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        if (!d1_down && (rounds[0] % 16) == 0 && d1_shut_down())
            d1_down = 1;
        if (lam_pvclock_ns() - start > 100000000000ull) {
            lam_fail("d1 did not shut down within 100 s");
            d1_down = 1;
        }
    }
    set_dr(7, 0);
    done[0] = 1;
    for (int i = 0; nv == 2 && !done[1] && i < 1000000; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    for (unsigned int v = 0; v < nv; v++) {
        lam_printf("victim vCPU %u: %lu rounds, %lu own #DB for %lu writes, %lu foreign #DB "
                   "(last at %lx, DR6 0x%lx)\n",
                   v, (unsigned long)rounds[v], (unsigned long)own_db[v],
                   (unsigned long)own_writes[v], (unsigned long)foreign_db[v],
                   (unsigned long)foreign_rip[v], (unsigned long)foreign_dr6[v]);
        LAM_CHECK(done[v], "victim vCPU %u finished", v);
        LAM_CHECK(foreign_db[v] == 0, "victim vCPU %u got %lu #DB from the attacker's breakpoints",
                  v, (unsigned long)foreign_db[v]);
        LAM_CHECK(own_db[v] == own_writes[v], "victim vCPU %u: %lu own #DB for %lu writes", v,
                  (unsigned long)own_db[v], (unsigned long)own_writes[v]);
    }
}

void test_main(void)
{
    if (lam_start_info->flags & LAM_SIF_INITDOMAIN)
        victim();
    else
        attacker();
}
