/* SPDX-License-Identifier: GPL-2.0-only */
/* sched_op and vm_assist. */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <hv/event.h>
#include <hv/sched.h>
#include <asm/time.h>
#include <lamina/sched.h>
#include <lamina/vm_assist.h>
#include <hv/timer.h>
#include <hypervisor/hypercall-handlers.h>

static const char *const shutdown_names[] = {"poweroff", "reboot",   "suspend",
                                             "crash",    "watchdog", "soft_reset"};

const char *shutdown_reason_name(unsigned int reason)
{
    return reason <= LAM_SHUTDOWN_MAX ? shutdown_names[reason] : "unknown";
}

static long do_poll(struct vcpu *v, guest_ptr_t arg)
{
    struct lam_sched_poll poll;
    uint32_t ports[SCHEDOP_POLL_MAX_PORTS];
    struct domain *d = v->domain;

    if (copy_from_guest(&poll, arg, sizeof(poll)))
        return -EFAULT;
    if (poll.nr_ports > SCHEDOP_POLL_MAX_PORTS)
        return -EINVAL;
    if (copy_from_guest(ports, poll.ports, poll.nr_ports * sizeof(uint32_t)))
        return -EFAULT;
    for (unsigned int i = 0; i < poll.nr_ports; i++) {
        if (ports[i] >= d->max_evtchns)
            return -EINVAL;
        if (evtchn_port_pending(d, ports[i]))
            return 0;
    }
    if (vcpu_event_deliverable(v))
        return 0;
    /* A timeout already past (including any with bit 63 set, a negative time as on Xen)
     * ends the poll at once. */
    if (poll.timeout && (int64_t)poll.timeout <= (int64_t)time_now_ns())
        return 0;
    /* Block; the scheduler runs others until a listed port fires (wake_pollers), an
     * event becomes deliverable or the timeout passes. The call then returns 0. The timer
     * is armed only once the vCPU is blocked, as Xen does: interrupts are on here, and a
     * timer armed first could fire before the block, find nothing to wake, and leave the
     * vCPU blocked for good. */
    memcpy(v->poll_ports, ports, poll.nr_ports * sizeof(uint32_t));
    v->poll_nr = poll.nr_ports;
    vcpu_block(v);
    /* The timeout is armed only once the vCPU is blocked: a deadline passing before that
     * (an interrupt between arming and blocking) would wake a vCPU that is still running,
     * which does nothing, and the poll would then sleep on for good. Armed under the
     * scheduler's lock, and only if no wake came first; a wake stops it under the same
     * lock (vcpu_wake), so a stop never reaches a later poll's timer. */
    if (poll.timeout)
        sched_arm_poll_timer(v, poll.timeout);
    return 0;
}

long hc_sched_op(int cmd, guest_ptr_t arg)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    switch (cmd) {
    case LAM_SCHEDOP_yield:
        sched_yield(v);
        return 0;
    case LAM_SCHEDOP_block:
        v->vcpu_info->evtchn_upcall_mask = 0; /* block implicitly re-enables events */
        if (!v->vcpu_info->evtchn_upcall_pending)
            vcpu_block(v);
        return 0;
    case LAM_SCHEDOP_shutdown: {
        struct lam_sched_shutdown sd;
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -EFAULT;
        if (sd.reason > LAM_SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(d, sd.reason);
        return 0;
    }
    case LAM_SCHEDOP_shutdown_code: {
        struct lam_sched_shutdown sd;
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -EFAULT;
        if (sd.reason > LAM_SHUTDOWN_MAX)
            return -EINVAL;
        d->shutdown_code = sd.reason; /* reported by the next shutdown, whatever it says */
        return 0;
    }
    case LAM_SCHEDOP_poll:
        return do_poll(v, arg);
    case LAM_SCHEDOP_remote_shutdown:
    case LAM_SCHEDOP_watchdog:
    case LAM_SCHEDOP_pin_override:
        return -ENOSYS; /* with event channels and the toolstack */
    default:
        return -ENOSYS;
    }
}

/* The original sched_op: the argument is the value itself, not a pointer. */
long hc_sched_op_compat(int cmd, unsigned long arg)
{
    struct vcpu *v = current;
    switch (cmd) {
    case LAM_SCHEDOP_yield:
    case LAM_SCHEDOP_block:
        return hc_sched_op(cmd, 0);
    case LAM_SCHEDOP_shutdown:
        if (arg > LAM_SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(v->domain, (unsigned int)arg);
        return 0;
    default:
        return -ENOSYS;
    }
}

/* The assists a 64-bit PV guest may ask for; 4gb_segments is accepted as Xen does. */
unsigned long vm_assist_valid_mask(void)
{
    return (1ul << LAM_VMASST_TYPE_4gb_segments) | (1ul << LAM_VMASST_TYPE_4gb_segments_notify) |
           (1ul << LAM_VMASST_TYPE_writable_pagetables) |
           (1ul << LAM_VMASST_TYPE_pae_extended_cr3) | (1ul << LAM_VMASST_TYPE_architectural_iopl) |
           (1ul << LAM_VMASST_TYPE_runstate_update_flag) | (1ul << LAM_VMASST_TYPE_m2p_strict);
}

long hc_vm_assist(unsigned int cmd, unsigned int type)
{
    struct domain *d = current_domain();
    const unsigned long valid = vm_assist_valid_mask();
    if (type >= 64 || !(valid & (1ul << type)))
        return -EINVAL;
    if (cmd == LAM_VMASST_CMD_enable)
        d->vm_assist |= 1ul << type;
    else if (cmd == LAM_VMASST_CMD_disable)
        d->vm_assist &= ~(1ul << type);
    else
        return -ENOSYS;
    return 0;
}
