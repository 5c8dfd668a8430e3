/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vcpu_op and the guest timers: vcpu_info placement, runstate areas, the
 * one-shot and periodic timers that raise VIRQ_TIMER, and set_timer_op.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/event.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <hv/sched.h>
#include <asm/time.h>
#include <lamina/event_channel.h>
#include <lamina/vcpu.h>
#include <hv/xmalloc.h>
#include <hv/timer.h>
#include <hv/irqlock.h>
#include <asm/x86.h>
#include <asm/pv/descriptor.h>
#include <asm/pv/vcpu_context.h>
#include <asm/xsave.h>
#include <hypervisor/hypercall-handlers.h>

static void singleshot_fired(void *data)
{
    send_guest_vcpu_virq(data, LAM_VIRQ_TIMER);
}

/*
 * The periodic timer runs as on Xen 4.17: while its vCPU is scheduled, re-armed on every
 * switch-in (with one VIRQ_TIMER to catch up if a period passed since the last) and stopped
 * on every switch-out, so a vCPU that is blocked, offline or waiting for a CPU costs no
 * timer interrupts; a period set while the vCPU is not running arms it until its next
 * switch-out (Xen's vcpu_set_periodic_timer). Every set of the timer happens under
 * periodic_lock: VCPUOP_set_periodic_timer may name another vCPU of the domain, so the
 * vCPU's own CPU (firing or switching), the caller's CPU and a third vCPU's CPU could set
 * it at once, and two timer_set()s of one timer at once put it on two CPUs' heaps (a host
 * panic, or a freed vCPU's timer left on a heap).
 */
static void periodic_work_locked(struct vcpu *v)
{
    ASSERT_LOCKED(&v->periodic_lock);
    uint64_t now = time_now_ns();
    uint64_t next = v->periodic_last_event + v->periodic_period;
    if ((int64_t)(now - next) >= 0) {
        send_guest_vcpu_virq(v, LAM_VIRQ_TIMER);
        v->periodic_last_event = now;
        next = now + v->periodic_period;
    }
    timer_set(&v->periodic_timer, next);
}

static void periodic_fired(void *data)
{
    struct vcpu *v = data;
    unsigned long flags = spin_lock_irqsave(&v->periodic_lock);
    /* domain_kill sets the period to 0 and then waits for this function (timer_kill). */
    if (v->periodic_period && !v->periodic_switched_out)
        periodic_work_locked(v);
    spin_unlock_irqrestore(&v->periodic_lock, flags);
}

void vcpu_set_periodic_timer(struct vcpu *v, uint64_t period_ns)
{
    unsigned long flags = spin_lock_irqsave(&v->periodic_lock);
    timer_stop(&v->periodic_timer);
    v->periodic_period = period_ns;
    if (period_ns) {
        v->periodic_switched_out = false; /* armed until the vCPU's next switch-out */
        periodic_work_locked(v);
    }
    spin_unlock_irqrestore(&v->periodic_lock, flags);
}

void vcpu_periodic_switch_out(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&v->periodic_lock);
    v->periodic_switched_out = true;
    timer_stop(&v->periodic_timer);
    spin_unlock_irqrestore(&v->periodic_lock, flags);
}

void vcpu_periodic_switch_in(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&v->periodic_lock);
    v->periodic_switched_out = false;
    if (v->periodic_period)
        periodic_work_locked(v);
    spin_unlock_irqrestore(&v->periodic_lock, flags);
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
    spin_lock_init(&v->periodic_lock, LOCK_CLASS_PERIODIC);
    /* Not armed: the first switch-in does that (and catches up at once, as on Xen). */
    v->periodic_period = DEFAULT_PERIOD_NS;
    v->periodic_switched_out = true;
}

/* set_timer_op deadlines Xen takes for a guest's wrapped jiffies (see hc_set_timer_op). */
#define HUGE_TIMEOUT_NS   (1ull << 50) /* about 13 days ahead */
#define HUGE_TIMEOUT_FIRE 100000000ull /* fire in 100 ms instead */

/*
 * set_timer_op, with Xen's answer to absurd deadlines: one that is negative as a signed time
 * or 2^50 ns (13 days) or more ahead fires in 100 ms (old Linux wrapped its jiffies into
 * such values when it had work pending, or set them when it had none). 0 cancels.
 */
long hc_set_timer_op(uint64_t timeout)
{
    struct vcpu *v = current;
    if (timeout == 0) {
        timer_stop(&v->singleshot_timer);
        return 0;
    }
    uint64_t now = time_now_ns();
    if ((int64_t)timeout < 0 || (timeout > now && timeout - now >= HUGE_TIMEOUT_NS))
        timeout = now + HUGE_TIMEOUT_FIRE;
    timer_set(&v->singleshot_timer, timeout);
    return 0;
}

static long register_vcpu_info(struct vcpu *v, guest_ptr_t arg)
{
    struct lam_vcpu_register_vcpu_info info;
    struct domain *d = v->domain;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -EFAULT;
    if (info.offset > PAGE_SIZE - sizeof(struct lam_vcpu_info) || (info.offset & 7))
        return -EINVAL;
    /* Checked and switched under the domain's memory lock: two vCPUs registering for the
     * same one at once would both take a reference and one would never be dropped (and
     * the audit, under the global one, sees the flag and the reference change together). */
    struct mm_hold h = MM_HOLD_DOMAIN(d); /* a frame of its own */
    struct lam_vcpu_info *new_vi = NULL;
    long rc;
    do {
        mm_hold_begin(&h);
        rc = v->vcpu_info_registered ? -EBUSY : 0;
        if (!rc && get_page_and_type(info.mfn, d, PGT_writable_page))
            rc = -EINVAL;
        if (!rc) {
            new_vi = (void *)((char *)mfn_to_virt(info.mfn) + info.offset);
            memcpy(new_vi, v->vcpu_info, sizeof(*new_vi));
            v->vcpu_info = new_vi;
            v->vcpu_info_registered = true;
        }
    } while (mm_hold_end(&h, rc));
    if (rc)
        return rc;
    /* Make the guest rescan everything it may have missed during the move. */
    __atomic_store_n(&new_vi->evtchn_pending_sel, ~0ul, __ATOMIC_RELEASE);
    __atomic_store_n(&new_vi->evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
    arch_vcpu_update_time(v);
    return 0;
}

/*
 * VCPUOP_initialise: load a secondary vCPU's whole context (Linux's SMP
 * bring-up). The vCPU must be offline and not yet initialised; everything the
 * context names (page tables, GDT frames) is validated like the hypercalls that
 * would set it one by one.
 */
static long vcpu_initialise(struct vcpu *v, guest_ptr_t arg)
{
    struct lam_vcpu_guest_context *c = xmalloc_bytes(sizeof(*c), 16);
    long rc;

    if (!c)
        return -ENOMEM;
    if (copy_from_guest(c, arg, sizeof(*c))) {
        rc = -EFAULT;
        goto out;
    }
    /* One initialiser at a time per vCPU (another vCPU of the domain may race us); the
     * context is published by guest_table, written last: VCPUOP_up needs it set. */
    if (__atomic_exchange_n(&v->initialising, true, __ATOMIC_ACQ_REL)) {
        rc = -EEXIST;
        goto out;
    }
    if (v->online || v->guest_table) {
        rc = -EEXIST;
        goto unclaim;
    }
    /* Xen's arch_set_info_guest checks, as for domctl setvcpucontext; the vCPU is down and
     * claimed, so nothing runs it meanwhile. */
    rc = pv_vcpu_set_context(v, c);
    if (!rc)
        log_printf(
            LOG_DEBUG, "d%uv%u: initialised: rip %#lx cs %#lx ss %#lx rsp %#lx, %u GDT entries",
            v->domain->domain_id, v->vcpu_id, (unsigned long)v->regs.rip, (unsigned long)v->regs.cs,
            (unsigned long)v->regs.ss, (unsigned long)v->regs.rsp, v->gdt_ents);
unclaim:
    __atomic_store_n(&v->initialising, false, __ATOMIC_RELEASE);
out:
    xfree(c);
    return rc;
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
        /* At most 1 kHz, and at most STIME_DELTA_MAX (as Xen): now + period must not wrap
         * into the past, or the timer would fire and re-arm itself forever. */
        if (p.period_ns < 1000000 || p.period_ns > STIME_DELTA_MAX)
            return -EINVAL;
        vcpu_set_periodic_timer(v, p.period_ns);
        return 0;
    }
    case LAM_VCPUOP_stop_periodic_timer:
        vcpu_set_periodic_timer(v, 0);
        return 0;
    case LAM_VCPUOP_set_singleshot_timer: {
        struct lam_vcpu_set_singleshot_timer t;
        if (v != current)
            return -EINVAL;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -EFAULT;
        /* Xen 4.17 ignores VCPU_SSHOTTMR_future: a past deadline fires at once, and so
         * does one with bit 63 set (a negative time: timer_set). */
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
    case LAM_VCPUOP_initialise:
        return vcpu_initialise(v, arg);
    case LAM_VCPUOP_up:
        if (!__atomic_load_n(&v->guest_table, __ATOMIC_ACQUIRE))
            return -EINVAL; /* never initialised */
        if (!v->online)
            sched_vcpu_set_online(v, true);
        return 0;
    case LAM_VCPUOP_down:
        sched_vcpu_set_online(v, false);
        return 0;
    default:
        return -ENOSYS;
    }
}
