/*
 * A proportional-share, credit-style scheduler for several physical CPUs.
 *
 * Every SCHED_SLICE_NS an accounting pass hands out credit: each domain with
 * runnable vCPUs gets a share of the period times the number of CPUs,
 * proportional to its weight (default 256) and split between its vCPUs; one
 * vCPU can never use more than one CPU, so its credit is clamped. A domain
 * with a cap may use cap% of one CPU per period, summed over its vCPUs on
 * all CPUs. Running burns credit by the nanosecond. A CPU picks the vCPU that
 * just woke from blocking ("boost"), else the runnable vCPU with the most
 * credit, preferring by a small margin those that last ran on it (their
 * cache is warm there).
 *
 * SMP rules:
 *  - One scheduler lock (sched_lock, taken with interrupts off) protects the
 *    vCPU list, credits, run states, the per-CPU flags and vcpu->is_running.
 *    It is a leaf apart from the per-CPU timer locks, which are never taken
 *    under it, and the console lock.
 *  - A vCPU runs on at most one CPU: a CPU claims it by setting is_running
 *    under the lock and clears it only after its registers, FPU and selectors
 *    are saved back (no lazy state is left on a CPU). Other CPUs skip vCPUs
 *    with is_running set, so nobody loads a half-saved vCPU.
 *  - A CPU that goes idle because its vCPU blocked keeps that vCPU loaded
 *    ("lazy", as Xen): is_running stays set, so a wake-up kicks this CPU,
 *    which resumes the vCPU without a save and reload. It is saved as soon as
 *    the CPU picks anything else. In every other case an idle CPU saves its
 *    vCPU, switches to the hypervisor's own page tables and drops its bit in
 *    the domain's dirty mask. Idle CPUs halt until the kick IPI.
 *  - A wake-up goes to an idle CPU the vCPU may run on (its last one
 *    preferred), else preempts the vCPU's last CPU. Idle CPUs thus take
 *    ("steal") runnable vCPUs from busy ones.
 *  - Hard affinity (vcpu->affinity) is honoured at every pick; changing it
 *    reschedules the CPU the vCPU runs on so it moves at once.
 */
#include "sched.h"
#include "console.h"
#include "errno.h"
#include "event.h"
#include "irqlock.h"
#include "lib.h"
#include "smp.h"
#include "time.h"
#include "timer_heap.h"
#include "traps.h"
#include "x86.h"
#include "lamina/vcpu.h"

void timer_set(struct timer *t, uint64_t expires);
void timer_stop(struct timer *t);
const char *shutdown_reason_name(unsigned int reason);
extern uint64_t boot_l4[];
extern void enter_guest(struct cpu_regs *regs) __attribute__((noreturn));

#define WARM_CPU_BONUS_NS 1000000 /* credit bonus for a vCPU that last ran on this CPU */

/* Shortest slice when a slice is cut at the accounting boundary. */
#define SCHED_MIN_SLICE_NS 1000000ull

struct sched_pcpu {
    bool need_resched;
    bool capped_waiting; /* the last pick passed over a vCPU waiting for its cap to refill */
    uint64_t slice_start;
    struct timer slice_timer;
};

static spinlock_t sched_lock = SPIN_LOCK_UNLOCKED;
static struct vcpu *all_vcpus[MAX_DOMAINS * 4];
static unsigned int nr_vcpus;
static uint64_t last_accounting;
static struct sched_pcpu pcpu[NR_CPUS];
static cpumask_t idle_cpus; /* CPUs halted for want of a vCPU (under sched_lock) */

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

static void resched_cpu(unsigned int cpu)
{
    __atomic_store_n(&pcpu[cpu].need_resched, true, __ATOMIC_SEQ_CST);
    smp_send_kick(cpu);
}

bool sched_resched_pending(void)
{
    return __atomic_load_n(&pcpu[smp_processor_id()].need_resched, __ATOMIC_ACQUIRE);
}

void sched_request(void)
{
    __atomic_store_n(&pcpu[smp_processor_id()].need_resched, true, __ATOMIC_SEQ_CST);
}

static uint64_t allowed_cpus(const struct vcpu *v)
{
    uint64_t m = v->affinity & cpu_online_mask;
    return m ? m : cpumask_of(0); /* an affinity with no online CPU falls back to CPU 0 */
}

/* Under sched_lock: v just became runnable; get a CPU to look at it. */
static void wake_target(struct vcpu *v)
{
    if (v->is_running) {
        /* Still loaded somewhere (e.g. it blocked and is on its way out): that CPU
         * re-checks after saving it, or simply keeps running it. */
        resched_cpu(v->processor);
        return;
    }
    uint64_t allowed = allowed_cpus(v);
    unsigned int target = v->processor;
    if (!(allowed & idle_cpus & cpumask_of(target))) {
        if (allowed & idle_cpus)
            target = (unsigned int)__builtin_ctzll(allowed & idle_cpus);
        else if (!(allowed & cpumask_of(target)))
            target = (unsigned int)__builtin_ctzll(allowed);
    }
    resched_cpu(target);
    if (target == smp_processor_id())
        sched_request();
}

void sched_add_vcpu(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    v->affinity = CPUMASK_ALL;
    v->processor = v->vcpu_id % (nr_cpus_online ? nr_cpus_online : 1);
    if (nr_vcpus < ARRAY_SIZE(all_vcpus))
        all_vcpus[nr_vcpus++] = v;
    set_runstate(v, runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    sched_request();
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    for (unsigned int i = 0; i < nr_vcpus; i++)
        if (all_vcpus[i] == v) {
            all_vcpus[i] = all_vcpus[--nr_vcpus];
            break;
        }
    if (v->is_running)
        resched_cpu(v->processor);
    spin_unlock_irqrestore(&sched_lock, flags);
    while (__atomic_load_n(&v->is_running, __ATOMIC_ACQUIRE)) /* let its CPU save it */
        cpu_relax();
}

void sched_vcpu_changed(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (v->is_running)
        resched_cpu(v->processor);
    else if (runnable(v))
        wake_target(v);
    sched_request();
    spin_unlock_irqrestore(&sched_lock, flags);
}

/* VCPUOP_up/down of a vCPU: its runstate follows at once (a vCPU that is not running would
 * otherwise keep its old state until it next runs). */
void sched_vcpu_set_online(struct vcpu *v, bool online)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    v->online = online;
    if (online)
        v->blocked = false;
    if (!v->is_running)
        set_runstate(v, runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    spin_unlock_irqrestore(&sched_lock, flags);
    sched_vcpu_changed(v);
}

/* SCHEDOP_yield: the next pick prefers any other runnable vCPU (else a yield would be a no-op
 * whenever the caller has the most credit, and a vCPU waiting for another could spin forever). */
void sched_yield(struct vcpu *v)
{
    v->yielded = true;
    sched_request();
}

void sched_domain_changed(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            sched_vcpu_changed(d->vcpus[i]);
}

int sched_set_affinity(struct vcpu *v, uint64_t cpumask)
{
    if (!(cpumask & cpu_online_mask))
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    v->affinity = cpumask;
    if (v->is_running && !(cpumask & cpumask_of(v->processor)))
        resched_cpu(v->processor);
    else if (!v->is_running && runnable(v))
        wake_target(v); /* waiting: let a CPU it may now use look at it */
    spin_unlock_irqrestore(&sched_lock, flags);
    return 0;
}

bool vcpu_event_deliverable(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

void vcpu_wake(struct vcpu *v)
{
    bool woke = false;
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (v->blocked) {
        v->blocked = false;
        v->boosted = true;
        v->poll_nr = 0;
        set_runstate(v, LAM_RUNSTATE_runnable);
        wake_target(v);
        woke = true;
    } else if (v->is_running && v->processor != smp_processor_id()) {
        /* Running elsewhere: interrupt it so that its exit path delivers the event now
         * rather than at its next trap or time slice (Xen's vcpu_kick). */
        smp_send_kick(v->processor);
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    if (woke)
        timer_stop(&v->poll_timer);
}

/* Would v be woken at once? Checked after blocked is set, under the lock, so an
 * event sent on another CPU just before is not lost. */
static bool wake_condition(const struct vcpu *v)
{
    if (vcpu_event_deliverable(v))
        return true;
    for (unsigned int i = 0; i < v->poll_nr; i++)
        if (evtchn_port_pending(v->domain, v->poll_ports[i]))
            return true;
    return false;
}

void vcpu_block(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    v->blocked = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (wake_condition(v)) {
        v->blocked = false;
        v->poll_nr = 0;
    } else {
        set_runstate(v, LAM_RUNSTATE_blocked);
        sched_request();
    }
    spin_unlock_irqrestore(&sched_lock, flags);
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

/* Hand out one period's credit (under sched_lock). */
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
        uint64_t p = MIN(period, 2 * SCHED_SLICE_NS);
        int64_t share = (int64_t)(p * nr_cpus_online * v->domain->weight / total_weight);
        if (share > (int64_t)p)
            share = (int64_t)p; /* one vCPU uses one CPU at most */
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
static uint64_t slice_end(const struct vcpu *v, const struct sched_pcpu *pc, uint64_t now)
{
    uint64_t end = now + SCHED_SLICE_NS;
    const struct domain *d = v->domain;
    if (d->cap) {
        uint64_t budget = (uint64_t)d->cap * SCHED_SLICE_NS / 100;
        end = MIN(end, now + budget - MIN(budget, d->consumed_this_period));
    }
    if (pc->capped_waiting)
        end = MIN(end, MAX(last_accounting + SCHED_SLICE_NS, now + SCHED_MIN_SLICE_NS));
    return end;
}

/* Under sched_lock: the best vCPU for this CPU, prev (still loaded here) included. */
static struct vcpu *pick_next(unsigned int cpu, struct vcpu *prev)
{
    struct vcpu *best = NULL, *yielder = NULL;
    int64_t best_score = 0;
    pcpu[cpu].capped_waiting = false;
    /* CPUs idle right now besides this one: a vCPU that may run there should leave this
     * CPU to one that may not (a pinned vCPU), and move (release_vcpu kicks the idle CPU). */
    uint64_t idle_elsewhere = idle_cpus & ~cpumask_of(cpu);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = all_vcpus[i];
        if (!runnable(v) || (v->is_running && v != prev) || !(allowed_cpus(v) & cpumask_of(cpu)))
            continue;
        if (over_cap(v)) {
            pcpu[cpu].capped_waiting = true;
            continue;
        }
        if (v->yielded) { /* only if nobody else wants this CPU */
            v->yielded = false;
            yielder = v;
            continue;
        }
        int64_t score = v->credit + (v->processor == cpu ? WARM_CPU_BONUS_NS : 0);
        if (allowed_cpus(v) & idle_elsewhere)
            score -= 4 * (int64_t)SCHED_SLICE_NS; /* below any credit: only if nobody else */
        if (v->boosted)
            score = INT64_MAX - (v->processor != cpu);
        if (!best || score > best_score) {
            best = v;
            best_score = score;
        }
    }
    return best ? best : yielder;
}

static void slice_expired(void *data)
{
    (void)data;
    sched_request();
}

static void charge(struct vcpu *v, struct sched_pcpu *pc, uint64_t now)
{
    uint64_t ran = now - pc->slice_start;
    v->credit -= (int64_t)ran;
    v->domain->consumed_this_period += ran;
}

/* After saving prev: it may run elsewhere now; hand it to an idle CPU if it waits. */
static void release_vcpu(struct vcpu *prev)
{
    unsigned int me = smp_processor_id();
    __atomic_store_n(&prev->is_running, false, __ATOMIC_RELEASE);
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    uint64_t idle = allowed_cpus(prev) & idle_cpus & ~cpumask_of(me);
    if (runnable(prev) && !prev->is_running && idle)
        resched_cpu((unsigned int)__builtin_ctzll(idle));
    spin_unlock_irqrestore(&sched_lock, flags);
}

volatile cpumask_t cpus_in_guest;

static void drop_dirty(struct domain *d)
{
    __atomic_and_fetch(&d->dirty_cpumask, ~cpumask_of(smp_processor_id()), __ATOMIC_SEQ_CST);
}

static void load_vcpu(struct vcpu *next)
{
    __atomic_or_fetch(&cpus_in_guest, cpumask_of(smp_processor_id()), __ATOMIC_SEQ_CST);
    __atomic_or_fetch(&next->domain->dirty_cpumask, cpumask_of(smp_processor_id()),
                      __ATOMIC_SEQ_CST);
    arch_context_load(next); /* writes CR3: from here this CPU caches next's mappings */
}

/*
 * Choose what this CPU runs next and load it; idles until there is something.
 * prev is the vCPU loaded here (NULL if none). Interrupts are off.
 */
static void schedule(struct vcpu *prev)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int me = ci->cpu_id;
    struct sched_pcpu *pc = &pcpu[me];
    bool prev_ran = prev != NULL; /* false while prev is only held lazily by the idle CPU */

    for (;;) {
        spin_lock(&sched_lock);
        uint64_t now = time_now_ns();
        pc->need_resched = false;
        if (prev && prev_ran)
            charge(prev, pc, now);
        prev_ran = false;
        pc->slice_start = now;
        if (now - last_accounting >= SCHED_SLICE_NS)
            account(now);
        struct vcpu *next = pick_next(me, prev);
        if (prev && prev != next && prev->runstate == LAM_RUNSTATE_running)
            set_runstate(prev, runnable(prev) ? LAM_RUNSTATE_runnable
                               : prev->online ? LAM_RUNSTATE_blocked
                                              : LAM_RUNSTATE_offline);
        if (next) {
            next->boosted = false;
            next->is_running = true;
            next->processor = me;
            if (next->runstate != LAM_RUNSTATE_running)
                set_runstate(next, LAM_RUNSTATE_running);
        } else {
            idle_cpus |= cpumask_of(me);
        }
        spin_unlock(&sched_lock);

        if (next) {
            if (next != prev) {
                if (prev)
                    arch_context_save(prev);
                load_vcpu(next);
                if (prev) {
                    if (prev->domain != next->domain)
                        drop_dirty(prev->domain);
                    release_vcpu(prev);
                }
            } else if (prev->runstate_guest_va) {
                arch_vcpu_update_runstate_area(next); /* resumed after a lazy idle */
            }
            timer_set(&pc->slice_timer, slice_end(next, pc, now));
            return;
        }
        if (prev && !(prev->blocked && prev->online && prev->domain->state == DOMAIN_RUNNING &&
                      (allowed_cpus(prev) & cpumask_of(me)))) {
            /* Nothing to run, and prev may not stay loaded here: save it, leave its tables. */
            arch_context_save(prev);
            ci->curr_vcpu = NULL;
            write_cr3(sym_phys(boot_l4));
            drop_dirty(prev->domain);
            __atomic_and_fetch(&cpus_in_guest, ~cpumask_of(me), __ATOMIC_SEQ_CST);
            release_vcpu(prev);
            prev = NULL;
            continue; /* prev may have become runnable while we saved it */
        }
        if (pc->capped_waiting) /* wake up for the next accounting, when its budget refills */
            timer_set(&pc->slice_timer,
                      MAX(last_accounting + SCHED_SLICE_NS, now + SCHED_MIN_SLICE_NS));
        while (!__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE))
            hv_idle_once();
        spin_lock(&sched_lock);
        idle_cpus &= ~cpumask_of(me);
        spin_unlock(&sched_lock);
    }
}

void schedule_on_exit(void)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *prev = ci->curr_vcpu;
    struct sched_pcpu *pc = &pcpu[ci->cpu_id];

    domain_reap(); /* dead domains whose last frame went during this entry */
    if (prev->domain->state == DOMAIN_SHUTDOWN && !prev->domain->shutdown_reported &&
        !__atomic_exchange_n(&prev->domain->shutdown_reported, true, __ATOMIC_SEQ_CST))
        domain_shutdown_report(prev->domain); /* for dom0 this stops the machine */
    if (!__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE) && runnable(prev))
        return;
    schedule(prev);
}

_Noreturn void sched_idle_loop(void)
{
    struct cpu_info *ci = get_cpu_info();
    local_irq_disable();
    timer_init(&pcpu[ci->cpu_id].slice_timer, slice_expired, NULL);
    ci->curr_vcpu = NULL;
    schedule(NULL);
    enter_guest(&ci->guest_regs);
}

void sched_init(void)
{
    last_accounting = pcpu[0].slice_start = time_now_ns();
}
