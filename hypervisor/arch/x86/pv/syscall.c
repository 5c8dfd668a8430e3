/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * System calls of a PV guest's user code, bounced to the guest kernel as Xen 4.17 does for a
 * 64-bit PV guest (x86_64/entry.S: switch_to_kernel, sysenter_entry, entry_int80). The frame
 * is the usual bounce frame (RCX, R11, RIP, CS, RFLAGS, RSP, SS) of the context the
 * instruction left; the guest's entry stubs (Linux: xen_entry_SYSCALL_64,
 * xen_entry_SYSCALL_compat, xen_entry_SYSENTER_compat, xen_entry_INT80_compat) pop RCX/R11.
 *
 *  - SYSCALL from 64-bit user mode: the syscall callback. From compat (32-bit) code, in
 *    either mode: the syscall32 callback, frame CS FLAT_USER_CS32, masking events as the
 *    64-bit syscall callback was registered. No callback: #UD at the SYSCALL. Either way DF
 *    is clear in the handler (after the frame is written): the PV ABI's virtual
 *    SYSCALL_MASK.
 *  - SYSENTER (Intel CPUs, compat code): the sysenter callback; the frame has RIP 0, CS 3,
 *    RSP 0 (SYSENTER keeps neither; Linux's vDSO saves ESP in EBP and the kernel resumes
 *    at its landing pad). No callback: #GP(0) with that frame.
 *  - int $0x80 (a DPL-3 gate, from any mode): directly to trap-table entry 0x80, whatever
 *    its DPL, masking events if its flags say so; no entry: #GP((0x80 << 3) | 2) at the
 *    instruction, as the CPU would raise for a DPL-0 gate.
 */
#include <hv/domain.h>
#include <asm/cpu.h>
#include <asm/entry.h>
#include <asm/pv/traps.h>
#include <asm/x86.h>
#include <asm/protect.h>

#define TRAP_FLAG_MASK_EVENTS 4 /* trap_info flags bit 2: enter with events masked */
#define INSN_LEN_SYSCALL      2
#define INSN_LEN_INT_N        2

static void syscall_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler)
{
    if (handler) {
        pv_bounce(v, regs, handler, v->syscall_masks);
    } else {
        regs->rip -= INSN_LEN_SYSCALL;
        pv_deliver_exception(v, regs, X86_EXC_UD, false, 0);
    }
    regs->rflags &= ~X86_EFLAGS_DF;
}

void pv_guest_syscall(struct cpu_regs *regs)
{
    syscall_bounce(current, regs, current->syscall_callback);
}

void pv_guest_syscall32(struct cpu_regs *regs)
{
    syscall_bounce(current, regs, current->syscall32_callback);
}

void pv_guest_sysenter(struct cpu_regs *regs)
{
    struct vcpu *v = current;

    if (v->sysenter_callback)
        pv_bounce(v, regs, v->sysenter_callback, v->sysenter_masks);
    else
        pv_deliver_exception(v, regs, X86_EXC_GP, true, 0);
}

void pv_guest_int80(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    const struct guest_trap *t = &v->traps[VECTOR_INT80];

    if (t->address) {
        pv_bounce(v, regs, t->address, t->flags & TRAP_FLAG_MASK_EVENTS);
        return;
    }
    regs->rip -= INSN_LEN_INT_N;
    pv_deliver_exception(v, regs, X86_EXC_GP, true, X86_EC_IDT_VECTOR(VECTOR_INT80));
}

void do_sysenter(struct cpu_regs *regs)
{
    protect_check_entry_ac(); /* sysenter_entry's POPF cleared it */
    pv_guest_sysenter(regs);
}
