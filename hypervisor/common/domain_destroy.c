/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain destruction, in Xen's two stages.
 *
 * domain_kill() (domctl destroydomain) makes the domain "dying": its vCPUs
 * leave the scheduler and their timers stop, its event channels close (the
 * other ends become unbound, as on Xen), the grant mappings it holds of other
 * domains are undone, its vCPUs let go of their page tables, GDTs and
 * vcpu_info pages, its pins go, and finally it gives up the allocation
 * reference on each of its frames. Most frames then have no reference left and
 * go straight back to the heap.
 *
 * Frames another domain still references (a grant mapping of them, a foreign
 * mapping by dom0) stay, owned by the dying domain, until that reference is
 * dropped: put_page() then calls domain_page_released(), which frees the frame.
 * The domain itself (its grant table, which unmaps still need, its shared
 * info, event and vCPU structures) lives on until it owns nothing any more;
 * domain_reap() then frees it and the domain id becomes free again. Reaping
 * happens on the way out to a guest, never inside the put_page() that
 * released the last frame, whose callers may still be looking at the domain.
 * Nor while another CPU holds a domain_get() reference to it (domain_ref.c):
 * the reaper then leaves it listed and the last domain_put() asks again.
 */
#include <hv/domain.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/event.h>
#include <hv/errcodes.h>
#include <hv/grant_table.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <hv/sched.h>
#include <hv/xmalloc.h>
#include <hv/timer.h>
#include <lamina/event_channel.h>

bool domain_reap_pending;
/* reap_lock: one reaper at a time (every CPU reaps on its way out to a guest), so only it
 * takes domains off domain_list[] and a domain is freed once. */
static spinlock_t reap_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_REAP);

static void mark_for_reaping(struct domain *d)
{
    __atomic_store_n(&d->reap_pending, true, __ATOMIC_RELEASE);
    __atomic_store_n(&domain_reap_pending, true, __ATOMIC_RELEASE);
}

/*
 * Two passes: until every vCPU is out of the scheduler, one still running on another CPU
 * may be in a hypercall acting on its siblings (VCPUOP_set_periodic_timer, VCPUOP_up of
 * vCPU 0 while vCPU 1 is being waited for), undoing what was already done to them.
 */
static void stop_vcpus(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            sched_remove_vcpu(d->vcpus[i]); /* returns once its CPU has saved it */
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        /* Killed, not just stopped: a periodic timer firing on another CPU right now
         * would re-arm itself on a vCPU that is freed with the domain. */
        vcpu_set_periodic_timer(v, 0);
        timer_kill(&v->singleshot_timer);
        timer_kill(&v->periodic_timer);
        timer_kill(&v->poll_timer);
        v->online = false;
        v->poll_nr = 0;
    }
}

/* How far domain_kill() got (d->kill_stage). */
enum { KILL_NONE, KILL_FRAMES, KILL_DONE };

/* Frames given up between two preemption checks: a check reads the TSC, slow under emulation. */
#define KILL_FRAMES_PER_CHECK 256

/*
 * Caller holds mm_lock. Frames whose last reference this was are freed on the way. Returns
 * false when it stopped for preemption (a big domain has millions of frames); called again,
 * it goes on: frames done are either gone from the list or have no PGC_allocated left.
 */
static bool drop_allocations(struct domain *d)
{
    ASSERT_LOCKED(&mm_lock);
    struct page_info *pg, *next;
    unsigned int n = 0;
    /* next cannot be freed by put_page(pg): it still holds its allocation reference. */
    list_for_each_entry_safe(pg, next, &d->page_list, list)
    {
        if (!(pg->count_info & PGC_allocated))
            continue;
        pg->count_info &= ~PGC_allocated;
        put_page(pg);
        if (++n % KILL_FRAMES_PER_CHECK == 0 && hypercall_preempt_check())
            return false;
    }
    struct page_info *si = mfn_to_page(d->shared_info_mfn);
    if (si->count_info & PGC_allocated) {
        si->count_info &= ~PGC_allocated;
        put_page(si);
    }
    gnttab_drop_frame_allocations(d);
    return true;
}

/* Stop everything that runs or points across domains; quick, not preemptible. */
static void kill_activity(struct domain *d)
{
    d->kill_before = d->tot_pages;
    stop_vcpus(d);
    evtchn_destroy(d);
    gnttab_release_mappings(d);
    mm_lock_global();
    d->kill_partial = arch_domain_relinquish(d);
    mm_unlock_global();
}

/* Leave the destroy (done or preempted) for the next caller. */
static void kill_leave(struct domain *d, uint8_t stage)
{
    spin_lock(&d->lock);
    __atomic_store_n(&d->kill_stage, stage, __ATOMIC_RELEASE); /* the reaper reads it unlocked */
    d->kill_running = false;
    spin_unlock(&d->lock);
}

int domain_kill(struct domain *d)
{
    if (d == current_domain() || d->domain_id == 0)
        return -EINVAL;
    /* Under d->lock, as every state change: a pause or shutdown racing with this cannot
     * overwrite DYING (the reaper would never see the domain again), and one destroy works
     * on the domain at a time; another caller meanwhile is told to come back (-ERESTART
     * becomes a continuation, as a preempted destroy does: Xen serialises them the same way
     * with its domctl lock). */
    spin_lock(&d->lock);
    uint8_t stage = d->kill_stage;
    bool busy = d->kill_running;
    if (stage != KILL_DONE && !busy) {
        d->state = DOMAIN_DYING;
        d->kill_running = true;
    }
    spin_unlock(&d->lock);
    if (stage == KILL_DONE)
        return 0; /* already done; it goes once nothing references it */
    if (busy)
        return -ERESTART;
    if (stage == KILL_NONE) {
        /* Its shutdown is reported (and its frames audited) on its vCPU's way out of the
         * hypervisor, unless dom0 saw the shutdown and got here first: DYING now stops that
         * report, so it is made here (once: a vCPU past the check may be making it). */
        if (d->is_shut_down && !__atomic_exchange_n(&d->shutdown_reported, true, __ATOMIC_SEQ_CST))
            domain_shutdown_report(d);
        kill_activity(d);
    }
    mm_lock_global();
    bool done = drop_allocations(d);
    mm_unlock_global();
    if (!done) {
        preempt_stats.destroys_preempted++;
        kill_leave(d, KILL_FRAMES);
        return -ERESTART;
    }
    printk("d%u: destroyed; %lu of %lu frame(s) freed, %lu still referenced by other domains; "
           "%lu partial table(s) finished",
           d->domain_id, d->kill_before - d->tot_pages, d->kill_before, d->tot_pages,
           d->kill_partial);
    kill_leave(d, KILL_DONE);
    mark_for_reaping(d);
    if (domain_list[0] && domain_list[0] != d)
        send_global_virq(domain_list[0], LAM_VIRQ_DOM_EXC);
    return 0;
}

void domain_page_released(struct page_info *pg)
{
    struct domain *d = page_get_owner(pg);
    if (!(pg->count_info & PGC_xen_heap)) {
        spin_lock(&d->lock);
        list_del(&pg->list);
        d->tot_pages--;
        spin_unlock(&d->lock);
        pg->owner = NULL;
        pg->count_info &= ~PGC_count_mask;
        pg->type_info = 0;
        m2p_set(page_to_mfn(pg), M2P_INVALID);
        frames_free(page_to_mfn(pg), 0);
    }
    /* Hypervisor frames shared with the domain are freed with it. */
    if (d->state == DOMAIN_DYING)
        mark_for_reaping(d);
}

static bool owns_nothing(const struct domain *d)
{
    return d->tot_pages == 0 && page_count(mfn_to_page(d->shared_info_mfn)) == 0 &&
           gnttab_frames_unreferenced(d);
}

/* d is off the list and unreferenced: nobody can reach it any more. */
static void domain_free(struct domain *d)
{
    domid_t id = d->domain_id;
    domain_free_unlisted(d);
    printk("d%u: gone (all of its memory is back in the heap)", id);
    if (domain_list[0])
        send_global_virq(domain_list[0], LAM_VIRQ_DOM_EXC);
}

void domain_reap(void)
{
    if (!__atomic_load_n(&domain_reap_pending, __ATOMIC_ACQUIRE))
        return;
    spin_lock(&reap_lock);
    __atomic_store_n(&domain_reap_pending, false, __ATOMIC_RELEASE);
    for (unsigned int id = 1; id < MAX_DOMAINS; id++) {
        /* Only the reaper (holding reap_lock) takes domains off the list. */
        struct domain *d = __atomic_load_n(&domain_list[id], __ATOMIC_ACQUIRE);
        if (!d || __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) != DOMAIN_DYING ||
            !__atomic_exchange_n(&d->reap_pending, false, __ATOMIC_ACQ_REL))
            continue;
        /* A destroy preempted right after its last frame went leaves a domain that owns
         * nothing but whose destroydomain continuation is still to come back: freeing it now
         * would answer that continuation -ESRCH. domain_kill() marks it again when done. */
        if (__atomic_load_n(&d->kill_stage, __ATOMIC_ACQUIRE) != KILL_DONE)
            continue;
        /* Unlisted under mm_lock: whoever finds d on the list while holding mm_lock may use
         * it until releasing the lock (domain_ref.c). Once it owns nothing, nothing can give
         * it a frame again (new grants, frames and ports of a dying domain are refused).
         * Only tried: the exit path runs with interrupts off, and mm_lock's holder may be
         * waiting for this CPU to answer a TLB-flush IPI, so spinning here could deadlock
         * both. Busy: try again at the next exit. */
        if (!mm_trylock_global()) {
            mark_for_reaping(d);
            continue;
        }
        bool gone = owns_nothing(d) && domain_unlist_if_unused(d);
        mm_unlock_global();
        if (gone)
            domain_free(d);
    }
    spin_unlock(&reap_lock);
}
