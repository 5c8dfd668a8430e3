/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * #DB, as Xen 4.17's do_debug.
 *
 * The CPU's DR6 is read and reset to its default at once (the CPU only ever sets bits in it).
 * From a guest, the conditions go into the vCPU's virtual DR6 (what get_debugreg reads) and
 * the exception to its handler. In the hypervisor, a #DB is one of:
 *  - a data breakpoint of the running guest hit by the hypervisor's own access to guest
 *    memory (a buffer handed to a hypercall, the stack a bounce frame is written to): the
 *    guest's DR7 stays live while the hypervisor works for it. Noted (rate-limited) and
 *    ignored, as Xen does; the guest sees nothing, not even in DR6;
 *  - a data breakpoint hit by a MOV SS or POP SS right before SYSCALL, SYSENTER or INT n,
 *    which the CPU delivers after that instruction, i.e. on the hypervisor's entry point
 *    (XSA-260): on the SYSCALL entry with the guest's RSP still loaded. #DB has its own
 *    stack (cpu.c), so this too is only noted and ignored;
 *  - a guest's single step into the SYSENTER entry (SYSENTER keeps TF): let through until
 *    the guest's RFLAGS is saved, then TF is cleared;
 *  - what no guest can cause: general detect (guests may not set DR7.GD), an instruction
 *    breakpoint (guests may not point DR0-DR3 at the hypervisor), a single step elsewhere.
 *    The first two are fatal; a stray TF is cleared with a warning.
 */
#include <hv/console.h>
#include <hv/panic.h>
#include <asm/debugreg.h>
#include <asm/entry.h>
#include <asm/irqflags.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/x86.h>

#define NOTES_PER_SECOND 10

/* A guest can raise these as fast as it likes: a few lines a second at most. */
static bool note_allowed(void)
{
    static uint64_t window, count;
    uint64_t now = time_now_ns();
    uint64_t start = __atomic_load_n(&window, __ATOMIC_RELAXED);
    if (now - start >= 1000000000ull &&
        __atomic_compare_exchange_n(&window, &start, now, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
        __atomic_store_n(&count, 0, __ATOMIC_RELAXED);
    return __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED) < NOTES_PER_SECOND;
}

/*
 * A guest that executes SYSENTER with TF set single-steps the first instructions of
 * sysenter_entry (SYSENTER does not clear TF). Let those #DBs pass until RFLAGS, TF
 * included, is in the guest's frame; there clear TF, as Xen's do_debug does.
 */
static bool sysenter_single_step(struct cpu_regs *regs)
{
    if (regs->rip < (uint64_t)sysenter_entry || regs->rip > (uint64_t)sysenter_flags_saved)
        return false;
    if (regs->rip == (uint64_t)sysenter_flags_saved)
        regs->rflags &= ~X86_EFLAGS_TF;
    return true;
}

/* An instruction breakpoint that fired: one of DR0-DR3 with R/W 00, enabled. */
static bool instruction_breakpoint(uint64_t dr6)
{
    uint64_t dr7 = read_debugreg(7);
    for (unsigned int bp = 0; bp < 4; bp++)
        if ((dr6 & (1ull << bp)) && (dr7 & (3ull << (2 * bp))) &&
            ((dr7 >> (DR7_RW_SHIFT + 4 * bp)) & 3) == DR7_RW_EXECUTE)
            return true;
    return false;
}

extern char debug_selftest_step_done[];
static bool selftest_seen[NR_CPUS];

static void hypervisor_debug(struct cpu_regs *regs, uint64_t dr6)
{
    if (regs->rip == (uint64_t)debug_selftest_step_done) {
        regs->rflags &= ~X86_EFLAGS_TF;
        selftest_seen[smp_processor_id()] = true;
        return;
    }
    if (regs->rflags & X86_EFLAGS_TF) {
        if (sysenter_single_step(regs))
            return;
        log_printf(LOG_WARN, "single step in the hypervisor at %#lx: TF cleared",
                   (unsigned long)regs->rip);
        regs->rflags &= ~X86_EFLAGS_TF;
    }
    if (dr6 & DR6_BD) {
        show_registers(regs);
        panic("general detect #DB in the hypervisor (DR6 %#lx)", (unsigned long)dr6);
    }
    if (instruction_breakpoint(dr6)) {
        show_registers(regs);
        panic("instruction breakpoint in the hypervisor (DR6 %#lx)", (unsigned long)dr6);
    }
    if (note_allowed()) {
        struct vcpu *v = current;
        log_printf(LOG_WARN,
                   "d%dv%d: #DB in the hypervisor at %04lx:%#lx, stack %04lx:%#lx, DR6 %#lx: "
                   "ignored",
                   v ? (int)v->domain->domain_id : -1, v ? (int)v->vcpu_id : -1,
                   (unsigned long)regs->cs, (unsigned long)regs->rip, (unsigned long)regs->ss,
                   (unsigned long)regs->rsp, (unsigned long)dr6);
    }
}

void do_debug(struct cpu_regs *regs)
{
    uint64_t dr6 = read_debugreg(6);

    write_debugreg(6, DR6_DEFAULT);
    if (!guest_mode(regs)) {
        hypervisor_debug(regs, dr6);
        return;
    }
    local_irq_enable(); /* as for any guest exception (traps.c) */
    pv_debugreg_record(current, dr6);
    pv_inject_exception(current, X86_EXC_DB, false, 0);
}

/*
 * A #DB right after RSP was loaded with an address no page table maps (the low half: at
 * boot only the hypervisor's tables are loaded), interrupts off, as a #DB on the first
 * instruction of the SYSCALL entry finds it: TF is set by the POPF, so the CPU traps after
 * the next instruction, the MOVABS. It can deliver that #DB only on a stack of its own;
 * without one it double-faults. The handler recognises the address, clears TF and records
 * that it ran.
 */
void debug_selftest_step(void);
__asm__(".text\n"
        ".globl debug_selftest_step, debug_selftest_step_done\n"
        "debug_selftest_step:\n"
        "  push %rbp\n"
        "  pushf\n"
        "  cli\n"
        "  mov %rsp, %rbp\n"
        "  pushf\n"
        "  orq $0x100, (%rsp)\n"
        "  popf\n"
        "  movabs $0x00007ffffffff000, %rsp\n"
        "debug_selftest_step_done:\n"
        "  mov %rbp, %rsp\n"
        "  popf\n"
        "  pop %rbp\n"
        "  ret\n");

void debug_ist_selftest(void)
{
    unsigned int cpu = smp_processor_id();
    debug_selftest_step();
    if (!selftest_seen[cpu])
        panic("CPU %u: #DB did not run on its own stack", cpu);
    log_printf(LOG_DEBUG, "CPU %u: #DB runs on its own stack", cpu);
}
