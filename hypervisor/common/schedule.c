/*
 * A proportional-share, credit-style scheduler.
 *
 * Every SCHED_SLICE_NS an accounting pass hands out credit: each domain with
 * runnable vCPUs gets a share of the period proportional to its weight
 * (default 256), split between its vCPUs, capped at cap% of a CPU if a cap is
 * set. Running burns credit by the nanosecond. The next vCPU to run is one
 * that just woke from blocking ("boost", so interactive and I/O-bound guests
 * answer fast), else the runnable vCPU with the most credit; a vCPU of a
 * capped domain that used its cap waits for the next period. An idle CPU
 * halts until an interrupt makes something runnable.
 *
 * Single run queue for now; per-CPU queues and balancing come with SMP
 * (issue 7). All state changes happen with interrupts off on this CPU.
 */
#include "sched.h"
#include "console.h"
#include "event.h"
#include "lib.h"
#include "time.h"
#include "timer_heap.h"
#include "traps.h"
#include "x86.h"
#include "lamina/vcpu.h"

void timer_set(struct timer *t, uint64_t expires);
void timer_stop(struct timer *t);
const char *shutdown_reason_name(unsigned int reason);

static struct vcpu *all_vcpus[MAX_DOMAINS * 4];
static unsigned int nr_vcpus;
static bool need_resched;
static uint64_t last_accounting;
static uint64_t slice_start;
static struct timer slice_timer;
/* Shortest slice when a slice is cut at the accounting boundary. */
#define SCHED_MIN_SLICE_NS 1000000ull

static bool capped_waiting; /* a runnable vCPU waits for its domain's cap to refill */

static bool runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return v->online && !v->blocked && !v->pause_flag && d->state == DOMAIN_RUNNING;
}

static void set_runstate(struct vcpu *v, int state)
{
    uint64_t now = time_now_ns();
    if (v->runstate_entry)
        v->runstate_time[v->runstate] += now - v->runstate_entry;
    v->runstate = state;
    v->runstate_entry = now;
}

void sched_request(void)
{
    need_resched = true;
}

void sched_add_vcpu(struct vcpu *v)
{
    if (nr_vcpus < ARRAY_SIZE(all_vcpus))
        all_vcpus[nr_vcpus++] = v;
    set_runstate(v, runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    need_resched = true;
}

void sched_remove_vcpu(struct vcpu *v)
{
    for (unsigned int i = 0; i < nr_vcpus; i++)
        if (all_vcpus[i] == v) {
            all_vcpus[i] = all_vcpus[--nr_vcpus];
            break;
        }
}

bool vcpu_event_deliverable(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags = local_irq_save();
    if (v->blocked) {
        v->blocked = false;
        v->boosted = true;
        v->poll_nr = 0;
        timer_stop(&v->poll_timer);
        set_runstate(v, LAM_RUNSTATE_runnable);
        need_resched = true;
    }
    local_irq_restore(flags);
}

void vcpu_block(struct vcpu *v)
{
    v->blocked = true;
    set_runstate(v, LAM_RUNSTATE_blocked);
    need_resched = true;
}

/* VCPUOP_up/down of a vCPU: its runstate follows at once (a vCPU that is not running would
 * otherwise keep its old state until it next runs). */
void sched_vcpu_set_online(struct vcpu *v, bool online)
{
    unsigned long flags = local_irq_save();
    v->online = online;
    if (online)
        v->blocked = false;
    if (v->runstate != LAM_RUNSTATE_running)
        set_runstate(v, runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    need_resched = true;
    local_irq_restore(flags);
}

/* SCHEDOP_yield: the next pick prefers any other runnable vCPU (else a yield would be a no-op
 * whenever the caller has the most credit, and a vCPU waiting for another could spin forever). */
void sched_yield(struct vcpu *v)
{
    v->yielded = true;
    need_resched = true;
}

/*
 * What a capped domain ran beyond its budget last period counts against the next one (at
 * most one budget's worth): a slice timer that fires late, as under a loaded host or with
 * coarse timers, would otherwise let it exceed its cap every period.
 */
static uint64_t cap_carry(const struct domain *d)
{
    if (!d->cap)
        return 0;
    uint64_t budget = (uint64_t)d->cap * SCHED_SLICE_NS / 100;
    uint64_t over = d->consumed_this_period > budget ? d->consumed_this_period - budget : 0;
    return MIN(over, budget);
}

/* Hand out one period's credit. */
static void account(uint64_t now)
{
    uint64_t period = now - last_accounting;
    unsigned long total_weight = 0;
    bool seen[MAX_DOMAINS] = {false};
    last_accounting = now;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct domain *d = all_vcpus[i]->domain;
        if (d->domain_id < MAX_DOMAINS && !seen[d->domain_id]) {
            seen[d->domain_id] = true;
            d->consumed_this_period = cap_carry(d);
        }
        if (runnable(all_vcpus[i]))
            total_weight += d->weight;
    }
    if (!total_weight)
        return;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = all_vcpus[i];
        if (!runnable(v))
            continue;
        /* A long period (a long idle stretch, or the host stalling us) would hand everyone
         * more than the hoarding limit below and so flatten the weights: give at most two
         * slices' worth per pass, in proportion. */
        int64_t share =
            (int64_t)(MIN(period, 2 * SCHED_SLICE_NS) * v->domain->weight / total_weight);
        v->credit += share;
        if (v->credit > (int64_t)(2 * SCHED_SLICE_NS))
            v->credit = 2 * SCHED_SLICE_NS; /* no hoarding */
    }
}

static bool over_cap(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return d->cap && d->consumed_this_period * 100 >= (uint64_t)d->cap * SCHED_SLICE_NS;
}

/*
 * When the slice of a vCPU picked now ends: after SCHED_SLICE_NS, or sooner when its
 * domain's cap budget for this period runs out, or at the next accounting when a capped
 * domain waits for it (else a capped domain would get its budget back only a whole
 * slice after the period ended, and a cap would not hold).
 */
static uint64_t slice_end(const struct vcpu *v, uint64_t now)
{
    uint64_t end = now + SCHED_SLICE_NS;
    const struct domain *d = v->domain;
    if (d->cap) {
        uint64_t budget = (uint64_t)d->cap * SCHED_SLICE_NS / 100;
        end = MIN(end, now + budget - MIN(budget, d->consumed_this_period));
    }
    if (capped_waiting)
        end = MIN(end, MAX(last_accounting + SCHED_SLICE_NS, now + SCHED_MIN_SLICE_NS));
    return end;
}

static struct vcpu *pick_next(void)
{
    struct vcpu *best = NULL, *yielder = NULL;
    capped_waiting = false;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = all_vcpus[i];
        if (!runnable(v))
            continue;
        if (over_cap(v)) {
            capped_waiting = true;
            continue;
        }
        if (v->yielded) {
            v->yielded = false;
            yielder = v;
            continue;
        }
        if (v->boosted)
            return v;
        if (!best || v->credit > best->credit)
            best = v;
    }
    return best ? best : yielder;
}

static void slice_expired(void *data)
{
    (void)data;
    need_resched = true;
}

static void charge(struct vcpu *v, uint64_t now)
{
    uint64_t ran = now - slice_start;
    v->credit -= (int64_t)ran;
    v->domain->consumed_this_period += ran;
    slice_start = now;
}

void schedule_on_exit(void)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *prev = ci->curr_vcpu;

    domain_reap(); /* dead domains whose last frame went during this entry */
    if (prev->domain->state == DOMAIN_SHUTDOWN && !prev->domain->shutdown_reported) {
        prev->domain->shutdown_reported = true;
        domain_shutdown_report(prev->domain); /* for dom0 this stops the machine */
    }
    if (!need_resched && runnable(prev))
        return;

    for (;;) {
        uint64_t now = time_now_ns();
        need_resched = false;
        charge(prev, now);
        if (now - last_accounting >= SCHED_SLICE_NS)
            account(now);
        struct vcpu *next = pick_next();
        if (next) {
            next->boosted = false;
            if (next != prev) {
                if (prev->runstate == LAM_RUNSTATE_running)
                    set_runstate(prev,
                                 runnable(prev) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
                arch_context_switch(prev, next);
            }
            set_runstate(next, LAM_RUNSTATE_running);
            timer_set(&slice_timer, slice_end(next, now));
            return;
        }
        /* Nothing to run: idle until an interrupt wakes someone. */
        if (prev->runstate == LAM_RUNSTATE_running)
            set_runstate(prev, runnable(prev) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_blocked);
        if (capped_waiting) /* wake up for the next accounting, when its budget refills */
            timer_set(&slice_timer,
                      MAX(last_accounting + SCHED_SLICE_NS, now + SCHED_MIN_SLICE_NS));
        while (!need_resched)
            hv_idle_once();
        slice_start = time_now_ns(); /* idle time is nobody's to pay */
    }
}

void sched_init(void)
{
    timer_init(&slice_timer, slice_expired, NULL);
    last_accounting = slice_start = time_now_ns();
}
