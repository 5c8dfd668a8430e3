/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception dispatch.
 *
 * A fault in the hypervisor itself is either expected (a guest-memory access
 * with an exception-table fixup) or a bug: then we dump the registers and a
 * stack trace and panic. A fault raised by a guest is handed to the PV code:
 * emulate what the guest may not run itself, or bounce the exception to the
 * handler the guest registered with set_trap_table.
 */
#include <asm/traps.h>
#include <hv/console.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <asm/irqflags.h>
#include <asm/irq.h>
#include <hv/timer.h>
#include <asm/entry.h>
#include <asm/pv/traps.h>
#include <asm/protect.h>
#include <asm/debugreg.h>

volatile uint32_t hv_fixup_error_code;

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
};

void show_registers(const struct cpu_regs *r)
{
    log_printf(LOG_ERR, "RIP: %04lx:%016lx RFLAGS: %016lx vector %u error %#x",
               (unsigned long)r->cs, (unsigned long)r->rip, (unsigned long)r->rflags, r->vector,
               r->error_code);
    log_printf(LOG_ERR, "RAX: %016lx RBX: %016lx RCX: %016lx RDX: %016lx", (unsigned long)r->rax,
               (unsigned long)r->rbx, (unsigned long)r->rcx, (unsigned long)r->rdx);
    log_printf(LOG_ERR, "RSI: %016lx RDI: %016lx RBP: %016lx RSP: %04lx:%016lx",
               (unsigned long)r->rsi, (unsigned long)r->rdi, (unsigned long)r->rbp,
               (unsigned long)r->ss, (unsigned long)r->rsp);
    log_printf(LOG_ERR, "R8:  %016lx R9:  %016lx R10: %016lx R11: %016lx", (unsigned long)r->r8,
               (unsigned long)r->r9, (unsigned long)r->r10, (unsigned long)r->r11);
    log_printf(LOG_ERR, "R12: %016lx R13: %016lx R14: %016lx R15: %016lx", (unsigned long)r->r12,
               (unsigned long)r->r13, (unsigned long)r->r14, (unsigned long)r->r15);
    log_printf(LOG_ERR, "CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx",
               (unsigned long)read_cr0(), (unsigned long)read_cr2(), (unsigned long)read_cr3(),
               (unsigned long)read_cr4());
}

/* Follow the frame-pointer chain while it stays inside this CPU's stack. */
void show_stack_trace(uint64_t rbp)
{
    uint64_t lo = (uint64_t)get_cpu_info() & ~(uint64_t)(STACK_SIZE - 1); /* IST stacks too */
    uint64_t hi = (uint64_t)get_cpu_info();
    log_printf(LOG_ERR, "Call trace (resolve with addr2line -e build/lamina-syms):");
    for (int depth = 0; depth < 24 && rbp >= lo && rbp + 16 <= hi && !(rbp & 7); depth++) {
        uint64_t ret = ((uint64_t *)rbp)[1];
        log_printf(LOG_ERR, "  [<%016lx>]", (unsigned long)ret);
        rbp = ((uint64_t *)rbp)[0];
    }
}

static void guest_fault(struct cpu_regs *regs, uint64_t cr2);

/*
 * The IRETQ back to a guest (entry.S guest_iret) faulted: the frame it was given has a
 * selector the CPU refuses (IRETQ raises #GP, #NP, #SS or #TS with the selector, or #GP(0)).
 * Nothing is wrong with the hypervisor; the guest asked for that frame (iret, VCPUOP_initialise,
 * a descriptor it changed). As Xen 4.17 does, continue at guest_iret_fault, which makes it the
 * guest's exception at that frame. The guest frame is intact (IRETQ only read it); the CPU
 * pushed this exception's frame below it, over the guest's saved GPRs, which are still live
 * in the registers; the vector and error code go into the guest frame's slot, above.
 */
static bool guest_iret_faulted(struct cpu_regs *regs)
{
    unsigned int vec = regs->vector;

    if (regs->rip != (uint64_t)guest_iret ||
        (vec != X86_EXC_GP && vec != X86_EXC_NP && vec != X86_EXC_SS && vec != X86_EXC_TS))
        return false;
    struct cpu_regs *g = guest_cpu_regs();
    g->vector = vec;
    g->error_code = regs->error_code;
    regs->rip = (uint64_t)guest_iret_fault;
    return true;
}

void do_guest_iret_fault(struct cpu_regs *regs)
{
    local_irq_enable();
    guest_fault(regs, 0);
}

static void hypervisor_fault(struct cpu_regs *regs)
{
    unsigned int vec = regs->vector;
    uint64_t fixup = search_exception_table(regs->rip);

    if (guest_iret_faulted(regs))
        return;
    /* Guest-memory accesses fault with #PF or #GP; loading a selector of the guest's own
     * GDT or LDT (set_segment_base, the reload at a context switch) also with #NP or #SS
     * when its descriptor is not present (a stack segment: #SS). */
    if (fixup &&
        (vec == X86_EXC_PF || vec == X86_EXC_GP || vec == X86_EXC_NP || vec == X86_EXC_SS)) {
        hv_fixup_error_code = regs->error_code;
        regs->rip = fixup;
        return;
    }
    if (protect_probe_fault(regs))
        return;
    log_printf(LOG_ERR, "*** hypervisor fault: %s ***",
               vec < X86_NR_EXCEPTIONS && exception_names[vec] ? exception_names[vec] : "?");
    show_registers(regs);
    show_stack_trace(regs->rbp);
    if (current) {
        log_printf(LOG_ERR, "guest frame of d%uv%u:", current->domain->domain_id, current->vcpu_id);
        show_registers(guest_cpu_regs());
    }
    panic("fatal exception %u in the hypervisor at %#lx", vec, (unsigned long)regs->rip);
}

/*
 * An instruction the hypervisor finished for the guest retired like any other: with TF set
 * the CPU would now raise a single-step #DB, and only RIP moved, so the guest gets it here,
 * with DR6.BS, as Xen's emulators signal "singlestep" on retirement. Without this a guest
 * debugger stepping its kernel skips the instruction after every emulated one. Not when the
 * emulation itself raised an exception (XSETBV's #UD): the instruction did not retire.
 */
static void emulated_insn_retired(struct vcpu *v, const struct cpu_regs *regs)
{
    if (!(regs->rflags & X86_EFLAGS_TF) || v->bounce.pending)
        return;
    pv_debugreg_record(v, DR6_BS);
    pv_inject_exception(v, X86_EXC_DB, false, 0);
}

static void guest_fault(struct cpu_regs *regs, uint64_t cr2)
{
    struct vcpu *v = current;
    unsigned int vec = regs->vector;

    switch (vec) {
    case X86_EXC_PF: {
        if (pv_emulate_ptwr(regs, cr2, regs->error_code)) {
            emulated_insn_retired(v, regs);
            return;
        }
        pv_inject_page_fault(v, cr2, regs->error_code);
        return;
    }
    case X86_EXC_UD:
        if (pv_emulate_forced_cpuid(regs)) {
            emulated_insn_retired(v, regs);
            return;
        }
        break;
    case X86_EXC_GP: {
        uint64_t rip = regs->rip;
        if (pv_emulate_privileged(regs)) {
            if (regs->rip != rip) /* else to be run again (a preempted MOV to CR3) */
                emulated_insn_retired(v, regs);
            return;
        }
        break;
    }
    case X86_EXC_NM:
        pv_device_not_available(v);
        return;
    case X86_EXC_NMI:
    case X86_EXC_MC:
        log_printf(LOG_WARN, "%s while d%u was running", exception_names[vec],
                   v->domain->domain_id);
        return;
    case X86_EXC_DF:
        show_registers(regs);
        panic("double fault from guest context");
    default:
        break;
    }
    bool has_error = vec == X86_EXC_DF || (vec >= X86_EXC_TS && vec <= X86_EXC_PF) ||
                     vec == X86_EXC_AC || vec == X86_EXC_CP;
    pv_inject_exception(v, vec, has_error, regs->error_code);
}

void do_interrupt_or_trap(struct cpu_regs *regs)
{
    unsigned int vec = regs->vector;

    protect_check_entry_ac();

    if (vec == APIC_TIMER_VECTOR) {
        apic_eoi();
        timer_interrupt();
        return;
    }
    if (vec == APIC_SPURIOUS_VECTOR)
        return;
    if (vec == IPI_VECTOR_KICK || vec == IPI_VECTOR_CALL) {
        ipi_interrupt(vec);
        return;
    }
    if (vec >= IRQ_VECTOR_BASE && vec <= IRQ_VECTOR_LAST && vec != VECTOR_INT80) {
        do_device_irq(vec);
        return;
    }
    if (vec == X86_EXC_DB) {
        do_debug(regs);
        return;
    }
    if (vec == VECTOR_INT80 && guest_mode(regs)) { /* a DPL-3 gate: guest code's int $0x80 */
        local_irq_enable();
        pv_guest_int80(regs);
        return;
    }
    if (vec >= X86_NR_EXCEPTIONS) {
        apic_eoi();
        log_printf(LOG_DEBUG, "unexpected interrupt vector %#x", vec);
        return;
    }
    if (guest_mode(regs)) {
        /* As for hypercalls, handle the guest's exception with interrupts on: it
         * may take mm_lock, whose holder may be waiting for this CPU to answer a
         * TLB-shootdown IPI. NMI and #MC keep them off (their own IST stacks). The
         * exit path turns them off again before it looks at the frame. */
        uint64_t cr2 = vec == X86_EXC_PF ? read_cr2() : 0; /* before anything can fault */
        if (vec != X86_EXC_NMI && vec != X86_EXC_MC && vec != X86_EXC_DF)
            local_irq_enable();
        guest_fault(regs, cr2);
    } else if (vec == X86_EXC_NMI)
        log_printf(LOG_WARN, "NMI in the hypervisor at %#lx", (unsigned long)regs->rip);
    else
        hypervisor_fault(regs);
}
