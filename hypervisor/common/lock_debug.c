/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lock-order checker of the lock-debug image (make LOCK_DEBUG=1, image
 * build/lamina-lockdebug), as Xen's mm-locks.h does for its p2m and paging
 * locks: each lock class has a level, each CPU keeps the locks it holds, and
 * spinning on a lock whose level is not above every level this CPU holds
 * panics with both locks' names. Any total order of the levels makes an ABBA
 * deadlock impossible; this one is the order docs/architecture.md documents.
 *
 * Rules besides the levels:
 *  - A successful spin_trylock is always allowed (it cannot wait, so it
 *    cannot close a cycle): the reaper tries mm_lock under reap_lock, a CPU
 *    tries a second run-queue lock while holding its own. The lock still
 *    counts as held for what is taken after it.
 *  - spin_lock_nested() may take a second lock of the class taken last
 *    (two domains' event-channel locks, lower id first: the caller's rule).
 *  - Classes marked irqs_off may only be taken with interrupts off: they are
 *    taken from interrupt context too, where a CPU that held one with
 *    interrupts on would deadlock against itself.
 *  - An interrupt's locks nest inside whatever the interrupted code held.
 *    That is a real dependency (the interrupted CPU spins while holding its
 *    lock), which is why the locks taken with interrupts on (mm_lock,
 *    d->lock, the allocators, vmap) rank below every irqs_off class.
 *
 * The normal image links none of this: hv/spinlock.h makes the hooks empty.
 */
#include <hv/console.h>
#include <asm/cpu.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/spinlock.h>
#include <asm/irqflags.h>
#include <asm/x86.h>

static const struct lock_class_info {
    const char *name;
    unsigned int level; /* outer (taken first) lower */
    bool irqs_off;      /* only ever taken with interrupts off */
} classes[NR_LOCK_CLASSES] = {
    [LOCK_CLASS_NONE] = {"a lock without a class", 0, false},
    [LOCK_CLASS_REAP] = {"reap_lock", 1, true},
    /* createdomain: allocates (mm_lock, d->lock, the heap) and lists the domain inside it. */
    [LOCK_CLASS_DOMAIN_CREATE] = {"create_lock", 1, false},
    [LOCK_CLASS_MM] = {"mm_lock", 2, false},
    /* A domain's memory lock: the global one's level, so that neither is taken inside the
     * other, nor a second domain's inside one (pv/mm_lock.c: they exclude each other by a
     * count, not by order). */
    [LOCK_CLASS_MM_DOMAIN] = {"d->mm_local_lock", 2, false},
    [LOCK_CLASS_DOMAIN] = {"d->lock", 3, false},
    /* map/unmap_pirq: taken first in the hypercall; maps MSI-X tables (vmap_lock) and
     * takes irq_lock inside. */
    [LOCK_CLASS_PCIDEVS] = {"pcidevs_lock", 3, false},
    /* Taken with interrupts on, inside mm_lock and d->lock; xmalloc asks the heap for pages
     * under its lock. */
    [LOCK_CLASS_XMALLOC] = {"xmalloc lock", 4, false},
    [LOCK_CLASS_BUDDY] = {"buddy lock", 5, false},
    /* Leaves taken with interrupts on: one level, so none is taken inside another. */
    [LOCK_CLASS_VMAP] = {"vmap_lock", 6, false},
    [LOCK_CLASS_XZ] = {"xz workspace lock", 6, false},
    [LOCK_CLASS_GUEST_LINE] = {"guest_line_lock", 6, false}, /* prints: console_lock inside */
    /* Above every lock taken with interrupts on (a timer interrupt takes it), below what it
     * sends an event and sets the timer with. */
    [LOCK_CLASS_PERIODIC] = {"v->periodic_lock", 7, true},
    [LOCK_CLASS_EVTCHN] = {"d->evtchn_lock", 8, true},
    [LOCK_CLASS_CREDIT] = {"credit_lock", 9, true}, /* never under a run-queue lock */
    [LOCK_CLASS_RUNQ] = {"run-queue lock", 10, true},
    [LOCK_CLASS_TIMER] = {"timer lock", 11, true},
    [LOCK_CLASS_DOMAIN_LIST] = {"domain_list_lock", 12, true}, /* a leaf under evtchn, mm */
    [LOCK_CLASS_CONSOLE] = {"console_lock", 13, true},
    /* GSI and pirq state: under d->evtchn_lock (bind/close of a pirq port); the interrupt
     * handler drops it before it raises the event. The I/O APIC and the ports are leaves. */
    [LOCK_CLASS_IRQ] = {"irq_lock", 12, true},
    [LOCK_CLASS_IOAPIC] = {"ioapic_lock", 13, true},
    [LOCK_CLASS_PORTS] = {"port I/O lock", 13, true},
    [LOCK_CLASS_TEST] = {"test lock", 14, false},
};

#define MAX_HELD 16

/* The locks one CPU holds (or spins on), in the order it took them. Changed only by that
 * CPU, with interrupts off, since an interrupt's locks push onto the same stack. */
static struct held_locks {
    unsigned int n;
    const spinlock_t *lock[MAX_HELD];
} held[NR_CPUS];

/* Off once a violation is reported: the panic that follows takes console_lock. */
static bool checking = true;
/* For the report at shutdown (racy counts: a rough measure of what was exercised). */
static unsigned long acquisitions;
static unsigned int deepest;

static const struct lock_class_info *class_of(const spinlock_t *l)
{
    return &classes[l->lock_class < NR_LOCK_CLASSES ? l->lock_class : LOCK_CLASS_NONE];
}

static _Noreturn void violation(const struct held_locks *h, const spinlock_t *l,
                                const spinlock_t *against, const char *why)
{
    __atomic_store_n(&checking, false, __ATOMIC_SEQ_CST);
    log_printf(LOG_ERR, "lock-debug: CPU %u holds %u lock(s), outermost first:", spin_this_cpu(),
               h->n);
    for (unsigned int i = 0; i < h->n; i++)
        log_printf(LOG_ERR, "lock-debug:   %s (%p, level %u)", class_of(h->lock[i])->name,
                   (const void *)h->lock[i], class_of(h->lock[i])->level);
    if (against)
        panic("lock order: taking %s (level %u) while holding %s (level %u): %s", class_of(l)->name,
              class_of(l)->level, class_of(against)->name, class_of(against)->level, why);
    panic("lock order: %s (%p): %s", class_of(l)->name, (const void *)l, why);
}

/* The lock this CPU holds at the highest level (the last taken among equals), or NULL. */
static const spinlock_t *innermost(const struct held_locks *h)
{
    const spinlock_t *top = NULL;

    for (unsigned int i = 0; i < h->n; i++)
        if (!top || class_of(h->lock[i])->level >= class_of(top)->level)
            top = h->lock[i];
    return top;
}

static void check(const struct held_locks *h, const spinlock_t *l, enum lock_how how,
                  unsigned long flags)
{
    const struct lock_class_info *c = class_of(l);

    if (l->lock_class == LOCK_CLASS_NONE || l->lock_class >= NR_LOCK_CLASSES)
        violation(h, l, NULL, "no lock class (initialise it with its class)");
    if (c->irqs_off && (flags & X86_EFLAGS_IF))
        violation(h, l, NULL, "taken with interrupts on, but also taken from interrupts");
    if (h->n == MAX_HELD)
        violation(h, l, NULL, "too many locks held at once");
    if (how == LOCK_TRY)
        return;
    for (unsigned int i = 0; i < h->n; i++)
        if (h->lock[i] == l)
            violation(h, l, l, "this CPU already holds it");
    const spinlock_t *top = innermost(h);
    if (!top)
        return;
    const struct lock_class_info *t = class_of(top);
    if (c->level > t->level)
        return;
    if (how == LOCK_NESTED && top->lock_class == l->lock_class)
        return;
    violation(h, l, top, c->level == t->level ? "same level" : "lower level");
}

void lock_debug_acquire(const spinlock_t *l, enum lock_how how)
{
    if (!__atomic_load_n(&checking, __ATOMIC_RELAXED))
        return;
    unsigned long flags = local_irq_save();
    unsigned int cpu = spin_this_cpu();
    if (cpu < NR_CPUS) { /* not on an NMI/#MC/#DF stack, which has no cpu_info */
        struct held_locks *h = &held[cpu];
        check(h, l, how, flags);
        h->lock[h->n++] = l;
        acquisitions++;
        if (h->n > deepest)
            deepest = h->n;
    }
    local_irq_restore(flags);
}

void lock_debug_release(const spinlock_t *l)
{
    if (!__atomic_load_n(&checking, __ATOMIC_RELAXED))
        return;
    unsigned long flags = local_irq_save();
    unsigned int cpu = spin_this_cpu();
    if (cpu < NR_CPUS) {
        struct held_locks *h = &held[cpu];
        unsigned int i = h->n;
        while (i > 0 && h->lock[i - 1] != l)
            i--;
        if (i == 0)
            violation(h, l, NULL, "released by a CPU that does not hold it");
        for (; i < h->n; i++) /* not always the last taken: rehome() drops its first lock */
            h->lock[i - 1] = h->lock[i];
        h->n--;
    }
    local_irq_restore(flags);
}

void lock_debug_init(void)
{
    printk("lock-debug: checking the lock order on every spin_lock (common/lock_debug.c)");
}

void lock_debug_restart(void)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        held[cpu].n = 0;
    __atomic_store_n(&checking, true, __ATOMIC_SEQ_CST);
}

void lock_debug_report(void)
{
    printk("lock-debug: %lu lock acquisitions checked, up to %u held at once, no violation",
           __atomic_load_n(&acquisitions, __ATOMIC_RELAXED), deepest);
}
