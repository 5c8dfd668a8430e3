/*
 * vcpu_op and the guest timers: vcpu_info placement, runstate areas, the
 * one-shot and periodic timers that raise VIRQ_TIMER, and set_timer_op.
 */
#include "console.h"
#include "domain.h"
#include "errno.h"
#include "event.h"
#include "guest_access.h"
#include "lib.h"
#include "mm.h"
#include "pv_mm.h"
#include "sched.h"
#include "time.h"
#include "lamina/event_channel.h"
#include "lamina/vcpu.h"

void timer_set(struct timer *t, uint64_t expires);
void timer_stop(struct timer *t);

static void singleshot_fired(void *data)
{
    send_guest_vcpu_virq(data, LAM_VIRQ_TIMER);
}

static void periodic_fired(void *data)
{
    struct vcpu *v = data;
    send_guest_vcpu_virq(v, LAM_VIRQ_TIMER);
    if (v->periodic_period)
        timer_set(&v->periodic_timer, time_now_ns() + v->periodic_period);
}

static void poll_timeout(void *data)
{
    vcpu_wake(data);
}

/* Xen starts every vCPU with a 10 ms periodic timer; Linux stops it. */
#define DEFAULT_PERIOD_NS 10000000ull

void vcpu_timers_init(struct vcpu *v)
{
    timer_init(&v->singleshot_timer, singleshot_fired, v);
    timer_init(&v->periodic_timer, periodic_fired, v);
    timer_init(&v->poll_timer, poll_timeout, v);
    v->periodic_period = DEFAULT_PERIOD_NS;
    timer_set(&v->periodic_timer, time_now_ns() + DEFAULT_PERIOD_NS);
}

long hc_set_timer_op(uint64_t timeout)
{
    struct vcpu *v = current;
    if (timeout == 0) {
        timer_stop(&v->singleshot_timer);
        return 0;
    }
    timer_set(&v->singleshot_timer, timeout);
    return 0;
}

static long register_vcpu_info(struct vcpu *v, guest_ptr_t arg)
{
    struct lam_vcpu_register_vcpu_info info;
    struct domain *d = v->domain;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -EFAULT;
    if (v->vcpu_info_registered)
        return -EBUSY;
    if (info.offset > PAGE_SIZE - sizeof(struct lam_vcpu_info) || (info.offset & 7))
        return -EINVAL;
    spin_lock(&mm_lock);
    int rc = get_page_and_type(info.mfn, d, PGT_writable_page);
    spin_unlock(&mm_lock);
    if (rc)
        return -EINVAL;
    struct lam_vcpu_info *new_vi = (void *)((char *)mfn_to_virt(info.mfn) + info.offset);
    struct lam_vcpu_info *old = v->vcpu_info;
    memcpy(new_vi, old, sizeof(*new_vi));
    v->vcpu_info = new_vi;
    v->vcpu_info_registered = true;
    /* Make the guest rescan everything it may have missed during the move. */
    __atomic_store_n(&new_vi->evtchn_pending_sel, ~0ul, __ATOMIC_RELEASE);
    __atomic_store_n(&new_vi->evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
    arch_vcpu_update_time(v);
    return 0;
}

long hc_vcpu_op(int cmd, unsigned int vcpuid, guest_ptr_t arg)
{
    struct domain *d = current_domain();

    if (vcpuid >= d->max_vcpus || !d->vcpus[vcpuid])
        return -ENOENT;
    struct vcpu *v = d->vcpus[vcpuid];

    switch (cmd) {
    case LAM_VCPUOP_is_up:
        return v->online;
    case LAM_VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case LAM_VCPUOP_register_runstate_memory_area: {
        struct lam_vcpu_register_area area;
        if (copy_from_guest(&area, arg, sizeof(area)))
            return -EFAULT;
        if (area.addr && !guest_range_ok(area.addr, sizeof(struct lam_vcpu_runstate_info)))
            return -EINVAL;
        v->runstate_guest_va = area.addr;
        if (v == current)
            arch_vcpu_update_runstate_area(v);
        return 0;
    }
    case LAM_VCPUOP_get_runstate_info: {
        struct lam_vcpu_runstate_info info = {.state = v->runstate,
                                              .state_entry_time = v->runstate_entry};
        memcpy(info.time, v->runstate_time, sizeof(info.time));
        return copy_to_guest(arg, &info, sizeof(info)) ? -EFAULT : 0;
    }
    case LAM_VCPUOP_set_periodic_timer: {
        struct lam_vcpu_set_periodic_timer p;
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -EFAULT;
        if (p.period_ns < 1000000) /* at most 1 kHz, as Xen */
            return -EINVAL;
        v->periodic_period = p.period_ns;
        timer_set(&v->periodic_timer, time_now_ns() + p.period_ns);
        return 0;
    }
    case LAM_VCPUOP_stop_periodic_timer:
        v->periodic_period = 0;
        timer_stop(&v->periodic_timer);
        return 0;
    case LAM_VCPUOP_set_singleshot_timer: {
        struct lam_vcpu_set_singleshot_timer t;
        if (v != current)
            return -EINVAL;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -EFAULT;
        if ((t.flags & LAM_VCPU_SSHOTTMR_future) && t.timeout_abs_ns < time_now_ns())
            return -ETIME;
        timer_set(&v->singleshot_timer, t.timeout_abs_ns);
        return 0;
    }
    case LAM_VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -EINVAL;
        timer_stop(&v->singleshot_timer);
        return 0;
    case LAM_VCPUOP_register_vcpu_time_memory_area:
        return -ENOSYS; /* only used with TSC_STABLE, which we do not set */
    case LAM_VCPUOP_up:
    case LAM_VCPUOP_down:
    case LAM_VCPUOP_initialise:
        return -EINVAL; /* secondary vCPUs come with SMP (issue 7) */
    default:
        return -ENOSYS;
    }
}
