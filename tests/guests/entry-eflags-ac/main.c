/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every way into the hypervisor with EFLAGS.AC set.
 *
 * With SMAP, AC is what lets supervisor code touch user pages, and every guest
 * page is a user page. A guest may set AC (POPF at any privilege level), and
 * the CPU keeps it across exception and interrupt delivery, so the hypervisor
 * must clear it on every entry and open user access only inside its
 * guest-access helpers. Lamina checks AC on entry to its C code and stops if
 * an entry path left it set; this kernel goes in every way with AC set: a
 * hypercall (SYSCALL), a hypercall that writes a guest buffer, int3 and a page
 * fault (bounced to our handlers), an emulated privileged instruction (#GP),
 * forced-emulation CPUID (#UD), and the hypervisor's timer interrupt while we
 * spin (proved by the VIRQ_TIMER port turning pending meanwhile). Each time,
 * as on Xen 4.17: the guest's AC survives, a bounce frame carries it and the
 * handler runs with it clear.
 *
 * Also as on Xen: SMEP and SMAP are the hypervisor's, not shown to a PV guest
 * (CPUID leaf 7, its CR4), and CR0 reads PE MP ET NE WP AM PG (AM: a guest that
 * sets AC gets alignment checks; QEMU's TCG does not raise #AC, so that part
 * is not tested).
 *
 * Lamina's log must show that the boot self-test found SMEP and SMAP enforced
 * (the runner's QEMU -cpu max has both).
 */
#include <lamina/cpuid.h>
#include <lamina/event_channel.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "every way into the hypervisor with EFLAGS.AC set";

#define EFLAGS_AC     (1ul << 18)
#define CR0_TS        (1ul << 3)
#define CR0_AS_ON_XEN 0x80050033ul /* PG AM WP NE ET MP PE */
#define CR4_SMEP      (1ul << 20)
#define CR4_SMAP      (1ul << 21)
#define CPUID7_SMEP   (1u << 7)
#define CPUID7_SMAP   (1u << 20)

/*
 * probe_<x>(arg): set AC, run one instruction (label 1; an exception there resumes at
 * label 2), return RFLAGS as it is afterwards, AC cleared again before returning. The
 * AC-set stretch is all in assembly. arg arrives in RDI.
 */
#define PROBE(name, setup, insn)                                                                   \
    __asm__(".pushsection .text\n"                                                                 \
            ".globl " #name "\n" #name ":\n\t"                                                     \
            "push %rbx\n\t"                                                                        \
            "pushfq\n\torq $0x40000, (%rsp)\n\tpopfq\n\t" setup "\n"                               \
            "1:\t" insn "\n"                                                                       \
            "2:\n\t" LAM_ASM_EXTABLE(1b, 2b) "pushfq\n\tpopq %rax\n\t"                             \
                                             "pushfq\n\tandq $~0x40000, (%rsp)\n\tpopfq\n\t"       \
                                             "pop %rbx\n\tret\n"                                   \
                                             ".popsection\n");                                     \
    uint64_t name(uint64_t arg)

PROBE(probe_hypercall, "mov $17, %eax\n\tmov $0, %edi\n\txor %esi, %esi", "syscall");
PROBE(probe_hypercall_copy, "mov %rdi, %rsi\n\tmov $1, %edi\n\tmov $17, %eax", "syscall");
PROBE(probe_int3, "", "int3");
PROBE(probe_pf, "movabs $0x00007fff00000000, %rcx", "mov (%rcx), %rax");
PROBE(probe_gp_cr0, "", "mov %cr0, %rax");
PROBE(probe_cpuid, "mov $1, %eax\n\txor %ecx, %ecx", LAM_FORCED_CPUID_ASM);

static char extraversion[LAM_XENVER_EXTRAVERSION_LEN];

/* A probe that stays in the guest (or comes back to it unbounced): AC must survive. */
static void check_kept(const char *what, uint64_t flags)
{
    volatile struct lam_exinfo *ex = &lam_last_exception;
    lam_printf("%s: RFLAGS after %lx, exceptions seen %d\n", what, (unsigned long)flags, ex->seen);
    LAM_CHECK(flags & EFLAGS_AC, "%s: EFLAGS.AC lost (%lx)", what, (unsigned long)flags);
    LAM_CHECK(ex->seen == 0, "%s: an exception reached the guest (vector %u)", what, ex->vector);
}

/* A probe bounced to our handler: the frame carries AC, the handler runs without it. */
static void check_bounced(const char *what, uint64_t flags, unsigned int vector)
{
    volatile struct lam_exinfo *ex = &lam_last_exception;
    lam_printf("%s: RFLAGS after %lx; vector %u, frame RFLAGS %lx, handler RFLAGS %lx\n", what,
               (unsigned long)flags, ex->vector, (unsigned long)ex->rflags,
               (unsigned long)ex->handler_rflags);
    LAM_CHECK(ex->seen == 1 && ex->vector == vector, "%s: %d exception(s), vector %u, want %u",
              what, ex->seen, ex->vector, vector);
    LAM_CHECK(ex->rflags & EFLAGS_AC, "%s: the bounce frame lacks AC", what);
    LAM_CHECK(!(ex->handler_rflags & EFLAGS_AC), "%s: the handler runs with AC set", what);
    LAM_CHECK(flags & EFLAGS_AC, "%s: EFLAGS.AC lost after the handler's iret", what);
}

static void entries(void)
{
    lam_exception_reset();
    check_kept("hypercall (xen_version)", probe_hypercall(0));
    lam_exception_reset();
    memset(extraversion, 0, sizeof(extraversion));
    check_kept("hypercall writing a guest buffer (extraversion)",
               probe_hypercall_copy((uint64_t)extraversion));
    char want[LAM_XENVER_EXTRAVERSION_LEN];
    long rc = hypercall_xen_version(LAM_XENVER_extraversion, want);
    LAM_CHECK(rc == 0 && !memcmp(extraversion, want, sizeof(want)),
              "the extraversion written with AC set differs (rc %ld)", rc);
    lam_exception_reset();
    check_bounced("int3", probe_int3(0), 3);
    lam_exception_reset();
    check_bounced("#PF (unmapped)", probe_pf(0), 14);
    lam_exception_reset();
    check_kept("mov %cr0 (emulated after #GP)", probe_gp_cr0(0));
    lam_exception_reset();
    check_kept("forced CPUID (emulated after #UD)", probe_cpuid(0));
}

/* Spin with AC set past a timer deadline: the hypervisor's timer interrupt arrives meanwhile. */
static void timer_interrupt(void)
{
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv);
    LAM_CHECK(rc == 0, "bind_virq(VIRQ_TIMER): %ld", rc);
    if (rc)
        return;
    lam_evtchn_mask(bv.port);
    lam_evtchn_clear(bv.port);
    uint64_t now = lam_pvclock_ns(), end = now + 60000000;
    rc = hypercall_set_timer_op(now + 10000000);
    LAM_CHECK(rc == 0, "set_timer_op: %ld", rc);
    uint64_t flags;
    __asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq" ::: "cc");
    while (lam_pvclock_ns() < end)
        ;
    __asm__ volatile("pushfq\n\tpopq %0\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq"
                     : "=r"(flags)::"cc");
    int fired = lam_evtchn_pending(bv.port);
    lam_printf("60 ms spin with AC set: RFLAGS after %lx, VIRQ_TIMER pending %d\n",
               (unsigned long)flags, fired);
    LAM_CHECK(fired, "the timer did not fire during the spin");
    LAM_CHECK(flags & EFLAGS_AC, "EFLAGS.AC lost during the spin");
    struct lam_evtchn_port_arg cl = {.port = bv.port};
    LAM_CHECK(hypercall_event_channel_op(LAM_EVTCHNOP_close, &cl) == 0, "close the VIRQ port");
}

/* What a PV guest is shown: the hypervisor's SMEP/SMAP are not its own; CR0 as Xen's. */
static void guest_view(void)
{
    struct lam_cpuid c;
    lam_cpuid(7, 0, &c);
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    lam_printf("CPUID 7.0 EBX %x, CR0 %lx, CR4 %lx\n", c.ebx, (unsigned long)cr0,
               (unsigned long)cr4);
    LAM_CHECK(!(c.ebx & (CPUID7_SMEP | CPUID7_SMAP)), "CPUID shows SMEP/SMAP (%x)", c.ebx);
    LAM_CHECK(!(cr4 & (CR4_SMEP | CR4_SMAP)), "CR4 shows SMEP/SMAP (%lx)", (unsigned long)cr4);
    LAM_CHECK((cr0 & ~CR0_TS) == CR0_AS_ON_XEN, "CR0 %lx, Xen 4.17 shows %lx", (unsigned long)cr0,
              CR0_AS_ON_XEN);
}

void test_main(void)
{
    entries();
    timer_interrupt();
    guest_view();
}
