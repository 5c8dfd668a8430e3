/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Registering the guest kernel's entry points for events, failed segment loads and system
 * calls: callback_op and the older set_callbacks. The answers are Xen 4.17's for a 64-bit
 * PV guest (tests/guests/callback-order, compat-entry):
 *
 *   register:   event, failsafe, syscall, syscall32, sysenter, nmi -> 0 (a non-canonical
 *               address -> -EINVAL); the deprecated sysenter type (3) and unknown types
 *               -> -ENOSYS. CALLBACKF_mask_events counts for failsafe, syscall and sysenter;
 *               the event callback always masks, and a 32-bit SYSCALL masks as the 64-bit
 *               syscall callback was registered (the syscall32 flag is for 32-bit guests).
 *   unregister: nmi -> 0; the others a kernel cannot live without -> -EINVAL; unknown
 *               types -> -ENOSYS.
 *   set_callbacks(event, failsafe, syscall) registers the three with no flags; always 0.
 *   nmi_op: register (non-canonical -> -EINVAL) and unregister the NMI callback -> 0;
 *               other commands -> -ENOSYS.
 */
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/hypercall-dispatch.h>
#include <hv/lib.h>
#include <asm/cpu.h>
#include <asm/guest_access.h>
#include <asm/x86.h>
#include <lamina/callback.h>
#include <lamina/nmi.h>

/* The NMI callback is the guest's trap-table entry 2, entered with events masked. */
#define TRAP_FLAG_MASK_EVENTS 4

static bool canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Lamina raises no NMIs in guests; the entry is kept (and reported) as Xen keeps it. */
static void nmi_register(struct vcpu *v, uint64_t address)
{
    v->traps[X86_EXC_NMI] =
        (struct guest_trap){.address = address, .cs = GUEST_CS64, .flags = TRAP_FLAG_MASK_EVENTS};
}

static long callback_register(struct vcpu *v, const struct lam_callback_register *reg)
{
    bool mask = reg->flags & LAM_CALLBACKF_mask_events;

    if (!canonical(reg->address))
        return -EINVAL;
    switch (reg->type) {
    case LAM_CALLBACKTYPE_event:
        v->event_callback = reg->address;
        return 0;
    case LAM_CALLBACKTYPE_failsafe:
        v->failsafe_callback = reg->address;
        v->failsafe_masks = mask;
        return 0;
    case LAM_CALLBACKTYPE_syscall:
        v->syscall_callback = reg->address;
        v->syscall_masks = mask;
        return 0;
    case LAM_CALLBACKTYPE_syscall32:
        v->syscall32_callback = reg->address;
        return 0;
    case LAM_CALLBACKTYPE_sysenter:
        v->sysenter_callback = reg->address;
        v->sysenter_masks = mask;
        return 0;
    case LAM_CALLBACKTYPE_nmi:
        nmi_register(v, reg->address);
        return 0;
    default:
        return -ENOSYS;
    }
}

static long callback_unregister(struct vcpu *v, const struct lam_callback_unregister *unreg)
{
    switch (unreg->type) {
    case LAM_CALLBACKTYPE_event:
    case LAM_CALLBACKTYPE_failsafe:
    case LAM_CALLBACKTYPE_syscall:
    case LAM_CALLBACKTYPE_syscall32:
    case LAM_CALLBACKTYPE_sysenter:
        return -EINVAL;
    case LAM_CALLBACKTYPE_nmi:
        v->traps[X86_EXC_NMI] = (struct guest_trap){0};
        return 0;
    default:
        return -ENOSYS;
    }
}

long hc_callback_op(int cmd, guest_ptr_t arg)
{
    struct vcpu *v = current;

    if (cmd == LAM_CALLBACKOP_register) {
        struct lam_callback_register reg;
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        return callback_register(v, &reg);
    }
    if (cmd == LAM_CALLBACKOP_unregister) {
        struct lam_callback_unregister unreg;
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        return callback_unregister(v, &unreg);
    }
    return -ENOSYS;
}

long hc_set_callbacks(unsigned long event, unsigned long failsafe, unsigned long syscall)
{
    struct vcpu *v = current;
    const struct lam_callback_register regs[] = {
        {.type = LAM_CALLBACKTYPE_event, .address = event},
        {.type = LAM_CALLBACKTYPE_failsafe, .address = failsafe},
        {.type = LAM_CALLBACKTYPE_syscall, .address = syscall},
    };

    for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
        callback_register(v, &regs[i]); /* a bad address leaves that one unchanged */
    return 0;
}

long hc_nmi_op(unsigned int cmd, guest_ptr_t arg)
{
    struct vcpu *v = current;
    struct lam_xennmi_callback cb;

    switch (cmd) {
    case LAM_XENNMI_register_callback:
        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -EFAULT;
        if (!canonical(cb.handler_address))
            return -EINVAL;
        nmi_register(v, cb.handler_address);
        return 0;
    case LAM_XENNMI_unregister_callback:
        v->traps[X86_EXC_NMI] = (struct guest_trap){0};
        return 0;
    default:
        return -ENOSYS;
    }
}
