/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Delivering exceptions to PV guests ("bouncing"), the iret hypercall, and
 * the calls that register guest entry points (trap table, kernel stack,
 * segment bases; callbacks are in callback.c).
 *
 * A bounce frame imitates what the CPU pushes for an interrupt, plus RCX and
 * R11 on top (the guest's entry stub pops them), and is written to the guest
 * kernel stack with the fault-safe copy helpers. The guest returns from it
 * with HYPERVISOR_iret. Layout in hypercall-abi/lamina/traps.h.
 */
#include <asm/traps.h>
#include <asm/pv/cpuid.h>
#include <lamina/hypercall-numbers.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/errcodes.h>
#include <hv/event.h>
#include <asm/guest_access.h>
#include <hv/sched.h>
#include <hv/hypercall-dispatch.h>
#include <asm/pv/traps.h>
#include <hv/lib.h>
#include <asm/flushtlb.h>
#include <asm/x86.h>
#include <lamina/traps.h>

void pv_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code)
{
    v->bounce = (struct pending_bounce){.pending = true,
                                        .has_error = has_error,
                                        .vector = (uint8_t)vector,
                                        .error_code = error_code};
}

void pv_inject_page_fault(struct vcpu *v, uint64_t cr2, uint32_t error_code)
{
    /* U/S in the error code reflects the guest's virtual mode, not CPL 3. */
    error_code &= ~PFEC_USER;
    if (!v->kernel_mode)
        error_code |= PFEC_USER;
    pv_inject_exception(v, X86_EXC_PF, true, error_code);
    v->bounce.cr2 = cr2;
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    pv_sync_segment_bases(v); /* the GS base the guest may have set itself */
    v->kernel_mode = !v->kernel_mode;
    /* The active GS base follows the mode; the other one is kept in the vcpu. */
    wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
    uint64_t table = v->kernel_mode ? v->guest_table : v->guest_table_user;
    if (table)
        switch_cr3_guest_mode(table);
}

/* Build a bounce frame on the guest kernel stack and point the vCPU at handler. The failsafe
 * callback's frame (sels non-NULL) has DS, ES, FS, GS between R11 and RIP. */
static bool bounce_frame(struct vcpu *v, struct cpu_regs *regs, uint64_t handler, bool has_error,
                         uint32_t error_code, bool mask_events, const uint16_t *sels)
{
    struct lam_vcpu_info *vi = v->vcpu_info;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[12];
    unsigned int n = 0;
    uint64_t cs = regs->cs;
    bool was_user = !v->kernel_mode;
    uint64_t rsp;

    if (was_user) {
        pv_toggle_guest_mode(v);
        rsp = v->kernel_sp;
    } else {
        rsp = regs->rsp;
        cs &= ~(uint64_t)SEL_RPL_MASK; /* RPL 0 in the frame: "interrupted the guest kernel" */
    }
    rsp &= ~15ull;

    uint64_t rflags = regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL);
    if (!saved_mask)
        rflags |= X86_EFLAGS_IF;

    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (has_error)
        frame[n++] = error_code;
    for (unsigned int i = 0; sels && i < NR_DATA_SELS; i++)
        frame[n++] = sels[i];
    frame[n++] = regs->rip;
    frame[n++] = (cs & 0xffff) | ((uint64_t)saved_mask << LAM_BOUNCE_CS_MASK_SHIFT);
    frame[n++] = rflags;
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss & 0xffff;

    rsp -= n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t))) {
        domain_crash(v->domain, "cannot write a bounce frame to the guest kernel stack");
        return false;
    }
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    regs->rsp = rsp;
    regs->rip = handler;
    regs->cs = GUEST_CS64;
    regs->ss = GUEST_DS;
    regs->rflags &=
        ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC);
    return true;
}

static bool create_bounce_frame(struct vcpu *v, struct cpu_regs *regs, uint64_t handler,
                                bool has_error, uint32_t error_code, bool mask_events)
{
    return bounce_frame(v, regs, handler, has_error, error_code, mask_events, NULL);
}

bool pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler, bool mask_events)
{
    return create_bounce_frame(v, regs, handler, false, 0, mask_events);
}

/*
 * Reloading the data selectors of v (sels: DS, ES, FS, GS it wanted) faulted on the way back
 * to it; they are null now. As Xen's load_segments: bounce to the failsafe callback with the
 * selectors in the frame, so the guest kernel can repair them; no callback: the guest goes on
 * with null selectors.
 */
void pv_failsafe_bounce(struct vcpu *v, struct cpu_regs *regs, const uint16_t sels[NR_DATA_SELS])
{
    if (!v->failsafe_callback) {
        log_printf(LOG_WARN, "d%uv%u: bad data selector(s) %#x %#x %#x %#x nulled (no failsafe)",
                   v->domain->domain_id, v->vcpu_id, sels[SEL_DS], sels[SEL_ES], sels[SEL_FS],
                   sels[SEL_GS]);
        return;
    }
    if (bounce_frame(v, regs, v->failsafe_callback, false, 0, v->failsafe_masks, sels))
        regs->vector = VECTOR_SYSCALL; /* back as after every bounce (guest_exit_prepare) */
}

static void deliver_bounce(struct vcpu *v, struct cpu_regs *regs)
{
    struct pending_bounce b = v->bounce;
    const struct guest_trap *t = &v->traps[b.vector];

    v->bounce.pending = false;
    if (!t->address) {
        log_printf(LOG_ERR, "d%uv%u: exception %u at %#lx (error %#x) with no handler",
                   v->domain->domain_id, v->vcpu_id, b.vector, (unsigned long)regs->rip,
                   b.error_code);
        if (b.vector == X86_EXC_PF)
            log_printf(LOG_ERR, "d%uv%u: page fault address %#lx", v->domain->domain_id, v->vcpu_id,
                       (unsigned long)b.cr2);
        domain_crash(v->domain, "unhandled exception");
        return;
    }
    if (b.vector == X86_EXC_PF)
        v->vcpu_info->arch.cr2 = b.cr2;
    create_bounce_frame(v, regs, t->address, b.has_error, b.error_code, t->flags & LAM_TI_IF_MASK);
}

void pv_deliver_exception(struct vcpu *v, struct cpu_regs *regs, unsigned int vector,
                          bool has_error, uint32_t error_code)
{
    pv_inject_exception(v, vector, has_error, error_code);
    deliver_bounce(v, regs);
}

static bool canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/*
 * How the frame goes back (entry.S return_to_guest). As Xen 4.17: by SYSRET after SYSCALL (a
 * hypercall, a guest system call, an iret with VGCF_in_syscall) and after every bounce, with
 * RCX = RIP and R11 = RFLAGS loaded first; by IRETQ when RIP is not canonical (still with
 * those RCX and R11: SYSRET would fault in ring 0 on some CPUs) and for every other frame.
 * SYSRET loads the flat selectors whatever the frame says, the 32-bit ones for a frame with
 * FLAT_RING3_CS32.
 */
int guest_exit_prepare(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    bool bounced = true;

    if (__builtin_expect(__atomic_load_n(&deferred_keys, __ATOMIC_RELAXED) != 0, 0))
        keyhandler_run_deferred();
    schedule_on_exit(); /* may switch to another vCPU, or idle */
    v = current;
    if (v->bounce.pending)
        deliver_bounce(v, regs);
    else if (vcpu_event_deliverable(v) && v->event_callback)
        create_bounce_frame(v, regs, v->event_callback, false, 0, true);
    else
        bounced = false;
    /* Guests run with IF=1 and IOPL 0 in hardware; their interrupt flag is virtual. NT, AC
     * and DF stay as the guest left them (Xen's exit clears only IOPL and VM). */
    regs->rflags = (regs->rflags | X86_EFLAGS_IF) & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM);
    regs->cs |= GUEST_RPL;
    regs->ss |= GUEST_RPL;
    if (!bounced && regs->vector != VECTOR_SYSCALL)
        return EXIT_IRET;
    regs->rcx = regs->rip;
    regs->r11 = regs->rflags;
    if (!canonical(regs->rip))
        return EXIT_IRET;
    return regs->cs == GUEST_CS32 ? EXIT_SYSRET32 : EXIT_SYSRET64;
}

/* ---- hypercalls ---- */

long hc_iret(void)
{
    struct vcpu *v = current;
    struct cpu_regs *regs = guest_cpu_regs();
    struct lam_iret_context ctx;

    if (copy_from_guest(&ctx, regs->rsp, sizeof(ctx))) {
        domain_crash(v->domain, "iret: unreadable iret context");
        return -EFAULT;
    }
    if ((ctx.cs & SEL_RPL_MASK) == GUEST_RPL && v->kernel_mode) {
        if (!v->guest_table_user) {
            domain_crash(v->domain, "iret to user mode without user page tables");
            return -EINVAL;
        }
        pv_toggle_guest_mode(v);
    }
    regs->rip = ctx.rip;
    regs->cs = ctx.cs | GUEST_RPL;
    regs->rflags = (ctx.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF;
    regs->rsp = ctx.rsp;
    regs->ss = ctx.ss | GUEST_RPL;
    /* CS and SS are not checked, as on Xen: a selector the CPU refuses makes the exit IRETQ
     * fault, and the guest gets that fault (guest_iret_fault). With VGCF_in_syscall the frame
     * goes back as after SYSCALL (guest_exit_prepare): RCX and R11 become RIP and RFLAGS. */
    if (!(ctx.flags & LAM_VGCF_in_syscall)) {
        regs->r11 = ctx.r11;
        regs->rcx = ctx.rcx;
        regs->vector = 0;
    }
    v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & X86_EFLAGS_IF);
    return (long)ctx.rax;
}

/*
 * As Xen 4.17: entries are taken one by one up to one whose address is 0, however many there
 * are (a long table is continued after a preemption check); a non-canonical address ends the
 * call with -EINVAL, keeping the entries before it. A bounce to such an address would make
 * the return to the guest fault.
 */
long hc_set_trap_table(guest_ptr_t table)
{
    struct vcpu *v = current;
    struct lam_trap_info ti;

    if (!table) {
        memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    for (;;) {
        if (copy_from_guest(&ti, table, sizeof(ti)))
            return -EFAULT;
        if (ti.address == 0)
            return 0;
        if (!is_canonical_address(ti.address))
            return -EINVAL;
        v->traps[ti.vector] = (struct guest_trap){
            .address = ti.address, .cs = (uint16_t)(ti.cs | GUEST_RPL), .flags = ti.flags};
        table += sizeof(ti);
        if (hypercall_preempt_check()) {
            const uint64_t args[1] = {table};
            return hypercall_create_continuation(LAM_HYPERCALL_SET_TRAP_TABLE, 1, args);
        }
    }
}

long hc_stack_switch(unsigned long ss, unsigned long sp)
{
    current->kernel_ss = ss | GUEST_RPL;
    current->kernel_sp = sp;
    return 0;
}

/*
 * SEGBASE_GS_USER_SEL: load sel (RPL forced to 3) into GS, as Linux does for a user
 * task's %gs, and return the user GS base it gives (a descriptor's base; 0 for a null or
 * bad selector, which is loaded null). The kernel GS base stays the active one.
 */
static uint64_t load_user_gs_selector(uint16_t sel, bool kernel_mode)
{
    uint64_t active = rdmsr(MSR_GS_BASE);
    uint32_t s = sel > SEL_RPL_MASK ? sel | (uint32_t)GUEST_RPL : 0; /* not a null selector */
    __asm__ volatile("1: mov %k0, %%gs\n"
                     "   jmp 3f\n"
                     "2: xor %k0, %k0\n"
                     "   mov %k0, %%gs\n"
                     "3:\n"
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"
                     : "+r"(s));
    uint64_t user_base = s ? rdmsr(MSR_GS_BASE) : 0;
    if (kernel_mode)
        wrmsr(MSR_GS_BASE, active);
    else
        wrmsr(MSR_GS_BASE, user_base);
    return user_base;
}

long hc_set_segment_base(unsigned int which, unsigned long base)
{
    struct vcpu *v = current;

    /* A non-canonical base would fault in WRMSR, here or at the next switch: -EINVAL as Xen. */
    if (which <= LAM_SEGBASE_GS_KERNEL && !is_canonical_address(base))
        return -EINVAL;
    pv_sync_segment_bases(v);
    switch (which) {
    case LAM_SEGBASE_FS:
        v->fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case LAM_SEGBASE_GS_USER:
        v->gs_base_user = base;
        return 0;
    case LAM_SEGBASE_GS_KERNEL:
        v->gs_base_kernel = base;
        if (v->kernel_mode)
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case LAM_SEGBASE_GS_USER_SEL:
        v->gs_base_user = load_user_gs_selector((uint16_t)base, v->kernel_mode);
        return 0;
    default:
        return -EINVAL;
    }
}
