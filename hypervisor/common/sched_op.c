/*
 * sched_op and vm_assist, and the (single-vCPU, for now) scheduling decision
 * made on every exit to a guest.
 */
#include "console.h"
#include "domain.h"
#include "errno.h"
#include "guest_access.h"
#include "traps.h"
#include "x86.h"
#include "lamina/sched.h"
#include "lamina/vm_assist.h"

static const char *const shutdown_names[] = {"poweroff", "reboot", "suspend", "crash", "watchdog",
                                             "soft_reset"};

const char *shutdown_reason_name(unsigned int reason)
{
    return reason <= LAM_SHUTDOWN_MAX ? shutdown_names[reason] : "unknown";
}

static bool vcpu_has_pending_event(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

long hc_sched_op(int cmd, guest_ptr_t arg)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    switch (cmd) {
    case LAM_SCHEDOP_yield:
        return 0;
    case LAM_SCHEDOP_block:
        v->vcpu_info->evtchn_upcall_mask = 0; /* block implicitly re-enables events */
        if (!v->vcpu_info->evtchn_upcall_pending)
            v->blocked = true;
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
        d->shutdown_code = sd.reason;
        return 0;
    }
    case LAM_SCHEDOP_poll:
    case LAM_SCHEDOP_remote_shutdown:
    case LAM_SCHEDOP_watchdog:
    case LAM_SCHEDOP_pin_override:
        return -ENOSYS; /* with event channels and the toolstack */
    default:
        return -ENOSYS;
    }
}

long hc_vm_assist(unsigned int cmd, unsigned int type)
{
    struct domain *d = current_domain();
    /* The assists a 64-bit PV guest may ask for; 4gb_segments is accepted as Xen does. */
    const unsigned long valid = (1ul << LAM_VMASST_TYPE_4gb_segments) |
                                (1ul << LAM_VMASST_TYPE_4gb_segments_notify) |
                                (1ul << LAM_VMASST_TYPE_writable_pagetables) |
                                (1ul << LAM_VMASST_TYPE_pae_extended_cr3) |
                                (1ul << LAM_VMASST_TYPE_architectural_iopl) |
                                (1ul << LAM_VMASST_TYPE_runstate_update_flag) |
                                (1ul << LAM_VMASST_TYPE_m2p_strict);
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

/*
 * Before returning to the guest: a shut-down domain never runs again; a
 * blocked vCPU idles the CPU until an event is pending for it.
 */
void schedule_on_exit(void)
{
    struct vcpu *v = current;

    for (;;) {
        if (v->domain->state == DOMAIN_SHUTDOWN || v->domain->state == DOMAIN_DYING) {
            domain_shutdown_report(v->domain);
            /* Only reached if the report decided to keep the machine up. */
            for (;;)
                hv_idle_once();
        }
        if (!v->blocked)
            return;
        if (vcpu_has_pending_event(v)) {
            v->blocked = false;
            return;
        }
        hv_idle_once();
    }
}
