/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vCPU scheduler: a run queue per physical CPU, ordered by credit, with
 * stealing between them.
 *
 * Each CPU has a queue of the runnable vCPUs waiting for it and a lock
 * (pcpu[cpu].lock) covering that queue and every vCPU whose `processor` is
 * that CPU: its run state, blocked flag, is_running and queue membership. A
 * vCPU's `processor` changes only with both the old and the new CPU's lock
 * held, so vcpu_lock() (lock that CPU's lock, check it is still the one)
 * holds it in place.
 *
 * A CPU picks from its own queue: a vCPU that just woke from blocking with
 * credit left ("boost") first, else the one with most credit (sched_credit.c hands credit
 * out machine-wide by weight and cap). When its best has no credit left, or
 * it has nothing, it looks at the other CPUs' queues and takes ("steals") a
 * vCPU that may run here: any one when it would otherwise idle, one with
 * credit left when its own best has none (as Xen's credit1 balances load).
 * That is what makes weights and caps hold across CPUs: a CPU does not run a
 * vCPU beyond its share while another CPU's queue holds one within its share.
 *
 * Rules:
 *  - A vCPU runs on at most one CPU: a CPU claims it by setting is_running
 *    under its lock and clears it only after its registers, FPU and selectors
 *    are saved back. Nobody picks or steals a vCPU with is_running set.
 *  - A CPU that goes idle because its vCPU blocked keeps that vCPU loaded
 *    ("lazy", as Xen): is_running stays set, so a wake-up kicks this CPU,
 *    which resumes the vCPU without a save and reload. It is saved as soon as
 *    the CPU picks anything else. In every other case an idle CPU saves its
 *    vCPU, switches to the hypervisor's own page tables and drops its bit in
 *    the domain's dirty mask. Idle CPUs halt until the kick IPI.
 *  - A vCPU that becomes runnable joins its CPU's queue (moved first to a CPU
 *    its affinity allows, an idle one preferred); an idle CPU it may use is
 *    kicked (its own first) and takes it, else its own CPU reschedules.
 *  - Stealing holds our lock and only tries the peer's, so two CPUs stealing
 *    from each other cannot deadlock. An idle CPU that found a peer's lock
 *    busy looks again rather than halting; one that found nothing has already
 *    set its bit in idle_cpus, and whoever queues a vCPU afterwards reads that
 *    bit and kicks it.
 *  - Hard affinity (vcpu->affinity) is honoured at every pick and steal;
 *    changing it moves a queued vCPU at once and reschedules the CPU a
 *    running one is on.
 *  - Lock order: run queue locks (two at once only with the second tried) ->
 *    per-CPU timer locks -> console lock. credit_lock is never taken with a
 *    run queue lock held. Interrupts are off whenever one is held.
 */
#include <hv/sched.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <hv/event.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include "sched_credit.h"
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/flushtlb.h>
#include <hv/timer_heap.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <asm/irqflags.h>
#include <lamina/vcpu.h>
#include <hv/timer.h>
#include <asm/entry.h>
#include <asm/mm.h>

/* Below any credit: a vCPU that an idle CPU could take leaves this one to those that cannot. */
#define IDLE_ELSEWHERE_PENALTY (4 * (int64_t)SCHED_SLICE_NS)

struct sched_pcpu {
    /* This CPU's queue and the fields below, and the run state of every vCPU whose
     * processor is this CPU (see the top of this file and struct vcpu). */
    spinlock_t lock;
    struct list_head runq; /* runnable vCPUs waiting for this CPU */
    bool need_resched;
    bool capped_waiting; /* the last pick passed over a vCPU waiting for its cap to refill */
    uint64_t slice_start;
    uint64_t cap_reserved; /* of the running vCPU's domain's cap budget, for this slice */
    struct timer slice_timer;
} __attribute__((aligned(64))); /* one cache line per CPU's hot fields */

static struct sched_pcpu pcpu[NR_CPUS];
static cpumask_t idle_cpus; /* CPUs halted for want of a vCPU (atomic) */

static unsigned int cpu_of(const struct sched_pcpu *pc)
{
    return (unsigned int)(pc - pcpu);
}

static unsigned int first_cpu(cpumask_t m)
{
    return (unsigned int)__builtin_ctzll(m);
}

static cpumask_t idle_mask(void)
{
    return __atomic_load_n(&idle_cpus, __ATOMIC_SEQ_CST);
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
    smp_send_kick(cpu); /* nothing for this CPU: it passes the scheduler on its way out */
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

static bool may_run_on(const struct vcpu *v, unsigned int cpu)
{
    return allowed_cpus(v) & cpumask_of(cpu);
}

/* ---- run queues ---- */

/* Lock the CPU v belongs to; interrupts must be off. */
static struct sched_pcpu *vcpu_lock(struct vcpu *v)
{
    for (;;) {
        unsigned int cpu = __atomic_load_n(&v->processor, __ATOMIC_ACQUIRE);
        struct sched_pcpu *pc = &pcpu[cpu];
        spin_lock(&pc->lock);
        if (__atomic_load_n(&v->processor, __ATOMIC_RELAXED) == cpu)
            return pc;
        spin_unlock(&pc->lock); /* moved while we waited */
    }
}

static void runq_insert(struct sched_pcpu *pc, struct vcpu *v)
{
    if (v->on_runq || v->sched_removed)
        return;
    list_add_tail(&v->runq_elem, &pc->runq);
    v->on_runq = true;
}

static void runq_remove(struct vcpu *v)
{
    if (!v->on_runq)
        return;
    list_del(&v->runq_elem);
    v->on_runq = false;
}

/* Might pc's queue hold something? Read without its lock, to skip empty queues cheaply. */
static bool runq_maybe_busy(const struct sched_pcpu *pc)
{
    return __atomic_load_n(&pc->runq.next, __ATOMIC_RELAXED) != &pc->runq;
}

/* Both CPUs' locks held, v not loaded anywhere: v now belongs to `to`. */
static void move_vcpu(struct vcpu *v, struct sched_pcpu *to)
{
    ASSERT_LOCKED(&pcpu[v->processor].lock);
    ASSERT_LOCKED(&to->lock);
    bool queued = v->on_runq;
    runq_remove(v);
    __atomic_store_n(&v->processor, cpu_of(to), __ATOMIC_RELEASE);
    if (queued)
        runq_insert(to, v);
}

/* A CPU for v to wait on: an idle one it may use (its own first), else its own if allowed. */
static unsigned int home_cpu(const struct vcpu *v)
{
    uint64_t allowed = allowed_cpus(v);
    uint64_t idle = allowed & idle_mask();
    if (idle & cpumask_of(v->processor))
        return v->processor;
    if (idle)
        return first_cpu(idle);
    return allowed & cpumask_of(v->processor) ? v->processor : first_cpu(allowed);
}

/*
 * v's lock (pc) held, v not loaded: make v belong to a CPU its affinity allows. Returns the
 * lock now held. The target's lock is only tried; on failure ours is dropped and the whole
 * step retried (a thief may have moved v meanwhile, which is fine).
 */
static struct sched_pcpu *rehome(struct vcpu *v, struct sched_pcpu *pc)
{
    ASSERT_LOCKED(&pc->lock);
    while (!v->is_running && !may_run_on(v, v->processor)) {
        struct sched_pcpu *to = &pcpu[home_cpu(v)];
        if (spin_trylock(&to->lock)) {
            move_vcpu(v, to);
            spin_unlock(&pc->lock);
            return to;
        }
        spin_unlock(&pc->lock);
        cpu_relax();
        pc = vcpu_lock(v);
    }
    return pc;
}

/*
 * v (lock held) waits in its CPU's queue: get a CPU to look at it. An idle CPU it may use
 * takes it (its own from the queue, another by stealing); else its own CPU reschedules, and
 * runs it now if it ranks first there.
 */
static void tickle(const struct vcpu *v)
{
    ASSERT_LOCKED(&pcpu[v->processor].lock);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the queue insert before the idle_cpus read */
    resched_cpu(home_cpu(v)); /* v's own CPU is one it may use: enqueue() rehomed it */
}

/* v (lock held as pc) became runnable and is not loaded: queue it where it may run. */
static struct sched_pcpu *enqueue(struct vcpu *v, struct sched_pcpu *pc)
{
    ASSERT_LOCKED(&pc->lock);
    pc = rehome(v, pc);
    if (v->is_running) { /* picked meanwhile (it was queued already) */
        resched_cpu(v->processor);
        return pc;
    }
    runq_insert(pc, v);
    tickle(v);
    return pc;
}

/* ---- state changes from hypercalls, timers and domain control ---- */

void sched_add_vcpu(struct vcpu *v)
{
    v->affinity = CPUMASK_ALL;
    v->processor = v->vcpu_id % (nr_cpus_online ? nr_cpus_online : 1);
    credit_add_vcpu(v);
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    set_runstate(v, sched_runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    if (sched_runnable(v))
        pc = enqueue(v, pc);
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
}

void sched_remove_vcpu(struct vcpu *v)
{
    credit_remove_vcpu(v);
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    v->sched_removed = true;
    runq_remove(v);
    if (v->is_running)
        resched_cpu(v->processor);
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
    while (__atomic_load_n(&v->is_running, __ATOMIC_ACQUIRE)) /* let its CPU save it */
        cpu_relax();
}

void sched_vcpu_changed(struct vcpu *v)
{
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    if (v->is_running)
        resched_cpu(v->processor);
    else if (sched_runnable(v))
        pc = enqueue(v, pc);
    sched_request();
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
}

/* VCPUOP_up/down of a vCPU: its runstate follows at once (a vCPU that is not running would
 * otherwise keep its old state until it next runs). */
void sched_vcpu_set_online(struct vcpu *v, bool online)
{
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    v->online = online;
    if (online)
        v->blocked = false;
    if (!v->is_running)
        set_runstate(v, sched_runnable(v) ? LAM_RUNSTATE_runnable : LAM_RUNSTATE_offline);
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
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
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    v->affinity = cpumask;
    if (v->is_running) {
        if (!(cpumask & cpumask_of(v->processor)))
            resched_cpu(v->processor); /* it moves when its CPU saves it (release_vcpu) */
    } else if (v->on_runq || sched_runnable(v)) {
        pc = enqueue(v, pc); /* waiting: onto a CPU of the new mask, which looks at it */
    }
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
    return 0;
}

bool vcpu_event_deliverable(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    if (v->blocked) {
        v->blocked = false;
        /* A wake-up jumps the queue only while the vCPU has credit left, as Xen's credit1
         * boosts only an UNDER vCPU (csched_vcpu_wake): one that wakes constantly and is
         * over its share would otherwise preempt its neighbours at every wake-up and keep
         * them below theirs (timer-storm-2dom saw dom0 at 9-25% beside a timer storm on a
         * loaded host). */
        v->boosted = credit_of(v) > 0;
        v->poll_nr = 0;
        /* Under the lock, while the poll it armed it for is still the vCPU's latest (see
         * sched_arm_poll_timer): stopped after unlocking, it could remove the timeout of a
         * poll the woken vCPU has begun since on another CPU, which would then never time
         * out. */
        timer_stop(&v->poll_timer);
        set_runstate(v, LAM_RUNSTATE_runnable);
        if (v->is_running) /* held lazily by an idle CPU, or on its way out of one */
            resched_cpu(v->processor);
        else if (sched_runnable(v))
            pc = enqueue(v, pc);
    } else if (v->is_running && v->processor != smp_processor_id()) {
        /* Running elsewhere: interrupt it so that its exit path delivers the event now
         * rather than at its next trap or time slice (Xen's vcpu_kick). */
        smp_send_kick(v->processor);
    }
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
}

void sched_arm_poll_timer(struct vcpu *v, uint64_t deadline)
{
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    if (v->blocked) /* else a wake came first and there is nothing to time out */
        timer_set(&v->poll_timer, deadline);
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
}

/* Would v be woken at once? Checked after blocked is set, under the lock, so an
 * event sent on another CPU just before is not lost. */
static bool wake_condition(const struct vcpu *v)
{
    ASSERT_LOCKED(&pcpu[v->processor].lock);
    if (vcpu_event_deliverable(v))
        return true;
    for (unsigned int i = 0; i < v->poll_nr; i++)
        if (evtchn_port_pending(v->domain, v->poll_ports[i]))
            return true;
    return false;
}

void vcpu_block(struct vcpu *v)
{
    unsigned long flags = local_irq_save();
    struct sched_pcpu *pc = vcpu_lock(v);
    v->blocked = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (wake_condition(v)) {
        v->blocked = false;
        v->poll_nr = 0;
    } else {
        set_runstate(v, LAM_RUNSTATE_blocked);
        sched_request();
    }
    spin_unlock(&pc->lock);
    local_irq_restore(flags);
}

/* ---- picking ---- */

struct pick {
    struct vcpu *best;    /* the best candidate with credit or boost, NULL if none */
    struct vcpu *yielder; /* one that yielded, if nobody else wants the CPU */
};

/*
 * Under pc's lock: the best vCPU in this CPU's queue (prev, loaded here, is queued too when
 * it may go on). vCPUs that stopped being runnable while queued are dropped from it.
 */
static struct pick pick_local(struct sched_pcpu *pc, unsigned int me, struct vcpu *prev)
{
    struct pick p = {NULL, NULL};
    struct vcpu *v, *n;
    int64_t best_score = 0;
    /* CPUs idle right now besides this one: a vCPU that may run there should leave this
     * CPU to one that may not (a pinned vCPU), and move (release_vcpu kicks the idle CPU). */
    uint64_t idle_elsewhere = idle_mask() & ~cpumask_of(me);
    ASSERT_LOCKED(&pc->lock);
    list_for_each_entry_safe(v, n, &pc->runq, runq_elem)
    {
        if (!sched_runnable(v)) {
            runq_remove(v);
            continue;
        }
        if ((v->is_running && v != prev) || !may_run_on(v, me))
            continue;
        if (credit_over_cap(v)) {
            pc->capped_waiting = true;
            continue;
        }
        if (v->yielded) {
            v->yielded = false;
            p.yielder = v;
            continue;
        }
        int64_t score = credit_of(v);
        if (allowed_cpus(v) & idle_elsewhere)
            score -= IDLE_ELSEWHERE_PENALTY;
        if (v->boosted)
            score = INT64_MAX;
        if (!p.best || score > best_score) {
            p.best = v;
            best_score = score;
        }
    }
    return p;
}

/*
 * Under our lock (pc): take a vCPU that may run here from another CPU's queue. With
 * need_credit, only one that woke or still has credit (our best has none); else any. The
 * best of the first CPU that has one, looking from the next CPU round. Peers' locks are only
 * tried; *busy says one could not be looked at.
 */
static struct vcpu *steal(struct sched_pcpu *pc, unsigned int me, bool need_credit, bool *busy)
{
    ASSERT_LOCKED(&pc->lock);
    uint64_t others = cpu_online_mask & ~cpumask_of(me);
    for (unsigned int i = 1; i < NR_CPUS && others; i++) {
        unsigned int cpu = (me + i) % NR_CPUS;
        struct sched_pcpu *peer = &pcpu[cpu];
        if (!(others & cpumask_of(cpu)))
            continue;
        others &= ~cpumask_of(cpu);
        if (!runq_maybe_busy(peer))
            continue;
        if (!spin_trylock(&peer->lock)) {
            *busy = true;
            continue;
        }
        struct vcpu *best = NULL, *v;
        int64_t best_score = 0;
        list_for_each_entry(v, &peer->runq, runq_elem)
        {
            if (!sched_runnable(v) || v->is_running || !may_run_on(v, me) || credit_over_cap(v))
                continue;
            int64_t score = v->boosted ? INT64_MAX : credit_of(v);
            if (need_credit && score <= 0)
                continue;
            if (!best || score > best_score) {
                best = v;
                best_score = score;
            }
        }
        if (best)
            move_vcpu(best, pc);
        spin_unlock(&peer->lock);
        if (best)
            return best;
    }
    return NULL;
}

/*
 * Under our lock: what this CPU runs next, NULL to idle. Sets our idle_cpus bit before
 * looking at the other queues when ours has nothing, so that a vCPU queued elsewhere after
 * we looked gets us kicked. *retry: a peer's queue could not be looked at.
 */
static struct vcpu *pick_next(struct sched_pcpu *pc, unsigned int me, struct vcpu *prev,
                              bool *retry)
{
    ASSERT_LOCKED(&pc->lock);
    pc->capped_waiting = false;
    struct pick p = pick_local(pc, me, prev);
    if (p.best && (p.best->boosted || credit_of(p.best) > 0))
        return p.best;
    if (!p.best && !p.yielder)
        __atomic_or_fetch(&idle_cpus, cpumask_of(me), __ATOMIC_SEQ_CST);
    bool busy = false;
    struct vcpu *stolen = steal(pc, me, p.best != NULL, &busy);
    if (stolen)
        return stolen;
    if (p.best)
        return p.best;
    *retry = busy && !p.yielder;
    return p.yielder;
}

static void slice_expired(void *data)
{
    (void)data;
    sched_request();
}

/* After saving prev (lock not held): it may run elsewhere now; get it a CPU if it waits. */
static void release_vcpu(struct vcpu *prev)
{
    unsigned int me = smp_processor_id();
    __atomic_store_n(&prev->is_running, false, __ATOMIC_RELEASE);
    struct sched_pcpu *pc = vcpu_lock(prev);
    if (sched_runnable(prev) && !prev->is_running) {
        if (!prev->on_runq) {
            pc = enqueue(prev, pc); /* its affinity no longer has this CPU */
        } else {
            uint64_t idle = allowed_cpus(prev) & idle_mask() & ~cpumask_of(me);
            if (idle)
                resched_cpu(first_cpu(idle)); /* which steals it */
        }
    }
    spin_unlock(&pc->lock);
}

static void drop_dirty(struct domain *d)
{
    __atomic_and_fetch(&d->dirty_cpumask, ~cpumask_of(smp_processor_id()), __ATOMIC_SEQ_CST);
}

static void load_vcpu(struct vcpu *next)
{
    __atomic_or_fetch(&next->domain->dirty_cpumask, cpumask_of(smp_processor_id()),
                      __ATOMIC_SEQ_CST);
    arch_context_load(next); /* writes CR3: from here this CPU caches next's mappings */
}

/* Under our lock: next was picked; claim it for this CPU. */
static void claim(struct vcpu *next, unsigned int me)
{
    ASSERT_LOCKED(&pcpu[me].lock);
    runq_remove(next);
    __atomic_and_fetch(&idle_cpus, ~cpumask_of(me), __ATOMIC_SEQ_CST);
    next->boosted = false;
    next->is_running = true;
    if (next->runstate != LAM_RUNSTATE_running)
        set_runstate(next, LAM_RUNSTATE_running);
}

/* May prev stay loaded on this idle CPU (it blocked, and a wake-up will resume it here)? */
static bool keep_lazily(const struct vcpu *prev, unsigned int me)
{
    return prev->blocked && prev->online && prev->domain->state == DOMAIN_RUNNING &&
           may_run_on(prev, me);
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
    /* prev's periodic timer was stopped in this call (it went idle): resuming it re-arms. */
    bool prev_switched_out = false;

    for (;;) {
        uint64_t now = time_now_ns();
        credit_maybe_account(now);
        spin_lock(&pc->lock);
        __atomic_store_n(&pc->need_resched, false, __ATOMIC_SEQ_CST);
        if (prev && prev_ran)
            credit_charge(prev, now - pc->slice_start, pc->cap_reserved);
        pc->cap_reserved = 0;
        prev_ran = false;
        pc->slice_start = now;
        if (prev && sched_runnable(prev) && may_run_on(prev, me))
            runq_insert(pc, prev);
        bool retry = false;
        struct vcpu *next = pick_next(pc, me, prev, &retry);
        if (prev && prev != next && prev->runstate == LAM_RUNSTATE_running)
            set_runstate(prev, sched_runnable(prev) ? LAM_RUNSTATE_runnable
                               : prev->online       ? LAM_RUNSTATE_blocked
                                                    : LAM_RUNSTATE_offline);
        if (next)
            claim(next, me);
        else if (retry)
            __atomic_and_fetch(&idle_cpus, ~cpumask_of(me), __ATOMIC_SEQ_CST);
        spin_unlock(&pc->lock);

        if (next) {
            /* The periodic timer runs only while its vCPU is scheduled, as on Xen. */
            if (prev && next != prev && !prev_switched_out)
                vcpu_periodic_switch_out(prev);
            if (next != prev || prev_switched_out)
                vcpu_periodic_switch_in(next);
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
            timer_set(&pc->slice_timer,
                      credit_start_slice(next, pc->capped_waiting, now, &pc->cap_reserved));
            return;
        }
        if (retry) { /* a peer's queue was busy: look again rather than halt past a vCPU */
            cpu_relax();
            continue;
        }
        if (prev && !prev_switched_out) { /* idle from here: as a switch to Xen's idle vCPU */
            vcpu_periodic_switch_out(prev);
            prev_switched_out = true;
        }
        if (prev && !keep_lazily(prev, me)) {
            /* Nothing to run, and prev may not stay loaded here: save it, leave its tables. */
            arch_context_save(prev);
            ci->curr_vcpu = NULL;
            switch_cr3(sym_phys(boot_l4));
            drop_dirty(prev->domain);
            release_vcpu(prev);
            prev = NULL;
            continue; /* prev may have become runnable while we saved it */
        }
        if (pc->capped_waiting) /* wake up for the next accounting, when its budget refills */
            timer_set(&pc->slice_timer, credit_period_end(now));
        while (!__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE)) {
            /* Idle time clears freed memory (as Xen's idle loop scrubs), so that building a
             * domain need not. With interrupts on: the heap lock is never taken from
             * interrupt context, and a wake-up must not wait for the scrubbing (a window of
             * one instruction after STI is not enough under QEMU's TCG, which only takes
             * interrupts between translated blocks). need_resched is looked at again after
             * each chunk, before any halt. */
            if (opt_idle_scrub && frames_scrub_pending()) {
                local_irq_enable();
                frames_scrub_idle();
                local_irq_disable();
                continue;
            }
            hv_idle_once();
        }
        __atomic_and_fetch(&idle_cpus, ~cpumask_of(me), __ATOMIC_SEQ_CST);
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
    if (!__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE) && sched_runnable(prev))
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
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        spin_lock_init(&pcpu[cpu].lock, LOCK_CLASS_RUNQ);
        INIT_LIST_HEAD(&pcpu[cpu].runq);
    }
    credit_init();
    pcpu[0].slice_start = time_now_ns();
}

/* Debug key 'r': each CPU's queue, in order, with credits. */
void sched_dump(void)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        if (!(cpu_online_mask & cpumask_of(cpu)))
            continue;
        struct sched_pcpu *pc = &pcpu[cpu];
        unsigned long flags = spin_lock_irqsave(&pc->lock);
        struct cpu_info *ci = cpu_info_of[cpu];
        const struct vcpu *cur = ci ? ci->curr_vcpu : NULL;
        const char *idle = idle_mask() & cpumask_of(cpu) ? " idle" : "";
        if (cur)
            printk("CPU %u%s: d%uv%u (credit %ld us)", cpu, idle, cur->domain->domain_id,
                   cur->vcpu_id, (long)(credit_of(cur) / 1000));
        else
            printk("CPU %u%s: no vCPU loaded", cpu, idle);
        const struct vcpu *v;
        list_for_each_entry(v, &pc->runq, runq_elem)
        {
            printk("  queued d%uv%u: credit %ld us%s%s", v->domain->domain_id, v->vcpu_id,
                   (long)(credit_of(v) / 1000), v->boosted ? ", boosted" : "",
                   sched_runnable(v) ? "" : ", not runnable");
        }
        spin_unlock_irqrestore(&pc->lock, flags);
    }
}
