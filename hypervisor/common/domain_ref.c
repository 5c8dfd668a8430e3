/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domain list and the lifetime of a domain looked up by id.
 *
 * A hypercall that names another domain by id (grant map/copy/unmap, an
 * interdomain event channel, domctl, a foreign mmu_update, memory_op for
 * another domain) may run on one CPU while another CPU reaps that domain
 * (domain_reap, on its way out to a guest) and frees its struct domain, grant
 * table and event channels. domain_get() therefore hands out a counted
 * reference: it is taken under domain_list_lock only while the domain is on
 * the list, and the reaper takes a domain off the list, under the same lock,
 * only when no reference is held (domain_unlist_if_unused). A reaper that
 * finds one held leaves the domain listed; the domain_put() that drops the
 * last reference of a dying domain marks it for reaping again, so the next
 * exit to a guest on any CPU retries.
 *
 * Why a count rather than an RCU-like grace period (every CPU passing through
 * its exit path after the domain left the list): a CPU idling in the
 * scheduler, or running a debug key from the timer interrupt, passes through
 * no exit path, so a grace period would need hooks in the scheduler's idle
 * loop and would hold every reap hostage to the slowest CPU; the count is
 * local to the code that uses the domain, and a forgotten put shows as a
 * domain that stays "dying" (visible to getdomaininfo) instead of a
 * use-after-free.
 *
 * Not counted: the current domain (it cannot be reaped while one of its vCPUs
 * runs: domain_kill() stops them first), dom0 (never destroyed), and readers
 * holding mm_lock (the reaper unlists a domain while holding mm_lock, so a
 * domain seen on the list under mm_lock stays valid until mm_lock is
 * released; the frame audit relies on that).
 *
 * domain_list_lock is a leaf taken with interrupts off (the debug keys look
 * domains up from the timer interrupt).
 */
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/irqlock.h>
#include <hv/panic.h>

struct domain *domain_list[MAX_DOMAINS];
/* domain_list_lock: the entries of domain_list[] (adding and unlisting) and every
 * domain's refcnt. */
static spinlock_t domain_list_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_DOMAIN_LIST);

int domain_list_add(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    int rc = -EEXIST;
    if (!domain_list[d->domain_id]) {
        d->refcnt = 0;
        __atomic_store_n(&domain_list[d->domain_id], d, __ATOMIC_RELEASE);
        rc = 0;
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return rc;
}

struct domain *domain_get(unsigned int id)
{
    if (id >= MAX_DOMAINS)
        return NULL;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    struct domain *d = domain_list[id];
    if (d)
        d->refcnt++;
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return d;
}

void domain_put(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    bool underflow = d->refcnt == 0;
    /* Still under the lock: the reaper cannot free d before the mark is made. */
    if (!underflow && --d->refcnt == 0 &&
        __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING) {
        __atomic_store_n(&d->reap_pending, true, __ATOMIC_RELEASE);
        __atomic_store_n(&domain_reap_pending, true, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    if (underflow)
        panic("domain_put: d%u has no reference to drop", d->domain_id);
}

bool domain_unlist_if_unused(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    bool unused = d->refcnt == 0 && domain_list[d->domain_id] == d;
    if (unused)
        __atomic_store_n(&domain_list[d->domain_id], NULL, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return unused;
}

unsigned int domain_refs(const struct domain *d)
{
    return __atomic_load_n(&d->refcnt, __ATOMIC_RELAXED);
}
