/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory locks: one global, one per domain (asm/pv/mm.h says what each
 * covers and how an operation picks one).
 *
 * Why two. With one lock for the whole machine, a domain whose vCPUs retype
 * frames (each retype validates a table, under TCG tens of microseconds, and
 * may flush other CPUs) made every other domain's memory hypercalls wait
 * behind it: dom0's mmu_update ran 100x slower while a domU fought over one
 * of its own frames (test mm-contend-2dom). Most operations touch only the
 * frames of one domain, so those take that domain's lock; what touches the
 * frames of several (grants, foreign mappings, destruction, reservations, the
 * audit) takes the global one, which excludes every domain lock.
 *
 * The exclusion, without a lock order between the two kinds: a domain-lock
 * holder counts itself in `local_holders` and then looks at `global_pending`;
 * a global holder sets `global_pending` and then waits for `local_holders` to
 * reach 0. Both sides write before they read (sequentially consistent), so at
 * least one of them sees the other: the local side backs off (drops its lock
 * and runs under the global one instead), the global side waits. Nobody
 * holding either kind waits for the other kind, so no cycle can form; a
 * domain-lock holder never takes a second domain lock or the global one, nor
 * a global holder a domain's (the lock-debug image checks that: both classes
 * have one level). A global holder waits for the domain-lock holders with
 * interrupts on, so one of them that flushes (an IPI) is answered.
 */
#include <asm/pv/mm.h>
#include <hv/continuation.h>
#include <hv/errcodes.h>
#include <asm/smp.h>

spinlock_t mm_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_MM);

static unsigned int local_holders; /* CPUs holding (or about to hold) a domain's mm lock */
static bool global_pending;        /* a CPU holds, or is about to hold, the global one */

static void wait_locals_gone(void)
{
    while (__atomic_load_n(&local_holders, __ATOMIC_SEQ_CST))
        cpu_relax(); /* interrupts on: a local holder's flush IPI is answered meanwhile */
}

void mm_lock_global(void)
{
    spin_lock(&mm_lock);
    __atomic_store_n(&global_pending, true, __ATOMIC_SEQ_CST);
    wait_locals_gone();
}

bool mm_trylock_global(void)
{
    if (!spin_trylock(&mm_lock))
        return false;
    __atomic_store_n(&global_pending, true, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&local_holders, __ATOMIC_SEQ_CST))
        return true;
    __atomic_store_n(&global_pending, false, __ATOMIC_SEQ_CST);
    spin_unlock(&mm_lock);
    return false;
}

void mm_unlock_global(void)
{
    ASSERT_LOCKED(&mm_lock);
    __atomic_store_n(&global_pending, false, __ATOMIC_SEQ_CST);
    spin_unlock(&mm_lock);
}

/* d's lock, unless a global holder is there or on its way (then false, nothing held). */
static bool lock_domain(struct domain *d)
{
    spin_lock(&d->mm_local_lock);
    __atomic_add_fetch(&local_holders, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&global_pending, __ATOMIC_SEQ_CST))
        return true;
    __atomic_sub_fetch(&local_holders, 1, __ATOMIC_SEQ_CST);
    spin_unlock(&d->mm_local_lock);
    return false;
}

static void unlock_domain(struct domain *d)
{
    ASSERT_LOCKED(&d->mm_local_lock);
    __atomic_sub_fetch(&local_holders, 1, __ATOMIC_SEQ_CST);
    spin_unlock(&d->mm_local_lock);
}

bool mm_locked_global(void)
{
    return spin_is_locked_by_me(&mm_lock);
}

void mm_hold_begin(struct mm_hold *h)
{
    /* Behind a global holder, queue for the global lock instead of waiting for the
     * global ones to stop: global operations in a row (a grant-copying backend) would
     * otherwise keep this one out for good; the global lock's tickets are fair. */
    if (h->d && !lock_domain(h->d)) {
        h->d = NULL;
    } else if (h->d && h->tears_down && h->d->foreign_refs) {
        unlock_domain(h->d); /* its tables map others' frames: tearing down reaches them */
        h->d = NULL;
    }
    if (!h->d)
        mm_lock_global();
    /* Each retry finds the frames flushed unless someone mapped and unmapped them again
     * meanwhile; after a few tries flush under the lock, as before, so that it ends. */
    retype_flush_begin(h->d ? &h->d->retype_flush : &global_retype_flush,
                       h->attempt++ < MM_DEFER_ATTEMPTS);
}

bool mm_hold_again(struct mm_hold *h, long rc)
{
    struct mm_retype_flush *rf = h->d ? &h->d->retype_flush : &global_retype_flush;
    if (rc == -EMMGLOBAL || (rc && rf->cpus)) {
        (void)mm_hold_end(h, rc); /* sends the flush, or makes the hold global */
        mm_hold_begin(h);
        return true;
    }
    /* Done: the next operation under this hold starts with its own attempts. */
    retype_flush_begin(rf, true);
    h->attempt = 1;
    return false;
}

bool mm_hold_end(struct mm_hold *h, long rc)
{
    cpumask_t cpus = retype_flush_end(h->d ? &h->d->retype_flush : &global_retype_flush);
    if (h->d)
        unlock_domain(h->d);
    else
        mm_unlock_global();
    if (rc == -EMMGLOBAL) {
        BUG_ON(!h->d); /* only a domain's lock is too small */
        h->d = NULL;
        return true;
    }
    if (!cpus || !rc)
        return false; /* nothing put off, or it took another way: no retype to flush for */
    preempt_stats.retype_flushes_deferred++;
    flush_tlb_mask(cpus);
    return true;
}
