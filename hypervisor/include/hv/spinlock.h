/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ticket spinlock. Each locker takes the next ticket and waits until the
 * owner counter reaches it, so CPUs get the lock in arrival order (no
 * starvation under contention, unlike a test-and-set lock).
 *
 * A lock also knows which CPU holds it (holder_cpu), so that code documented
 * as "caller holds X" can check it: ASSERT_LOCKED(&X). Recording it costs one
 * call to spin_this_cpu() and one 16-bit store when taking the lock and one
 * store when releasing it; the lock grew from 8 to 12 bytes (holder and
 * class). Each lock is initialised with its class (hv/lock_order.h), which
 * only the lock-debug image (LOCK_DEBUG, common/lock_debug.c) looks at.
 *
 * No interrupt-saving variants here: those need the arch code's flags
 * handling and live there (hv/irqlock.h). Not recursive.
 */
#ifndef LAMINA_HV_SPINLOCK_H
#define LAMINA_HV_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/lock_order.h>
#include <hv/panic.h>

typedef struct spinlock {
    uint32_t next;       /* next ticket to hand out */
    uint32_t owner;      /* ticket currently allowed in */
    uint16_t holder_cpu; /* 1 + the CPU holding it, 0 when free (only the holder writes it) */
    uint16_t lock_class; /* enum lock_class: its place in the lock order */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED(cls) ((spinlock_t){.next = 0, .owner = 0, .lock_class = (cls)})

/*
 * The number of the CPU running the caller: smp_processor_id() in the
 * hypervisor (arch/x86/cpu.c), a per-thread number in host tests. Out of line
 * so that this header, which host tests include, need not know the machine.
 */
unsigned int spin_this_cpu(void);

/*
 * The lock-debug image checks every acquisition against the lock order;
 * the normal image compiles these to nothing. This is the only place the
 * two builds differ in source: the checker itself is common/lock_debug.c,
 * linked only into the lock-debug image.
 */
enum lock_how {
    LOCK_SPIN,   /* spin_lock: must respect the order */
    LOCK_TRY,    /* a successful spin_trylock: cannot deadlock, so any order */
    LOCK_NESTED, /* spin_lock_nested: a second lock of the class held last */
};
#ifdef LOCK_DEBUG
void lock_debug_acquire(const spinlock_t *l, enum lock_how how);
void lock_debug_release(const spinlock_t *l);
void lock_debug_init(void);    /* says at boot that the checker is on */
void lock_debug_report(void);  /* what it checked, at the hardware domain's shutdown */
void lock_debug_restart(void); /* host tests: forget a reported violation, check again */
#else
static inline void lock_debug_acquire(const spinlock_t *l, enum lock_how how)
{
    (void)l;
    (void)how;
}
static inline void lock_debug_release(const spinlock_t *l)
{
    (void)l;
}
static inline void lock_debug_init(void) {}
static inline void lock_debug_report(void) {}
#endif

static inline void spin_lock_init(spinlock_t *l, enum lock_class cls)
{
    __atomic_store_n(&l->holder_cpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->lock_class, (uint16_t)cls, __ATOMIC_RELAXED);
    __atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->next, 0, __ATOMIC_RELEASE);
}

static inline void cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

static inline void spin_set_holder(spinlock_t *l)
{
    __atomic_store_n(&l->holder_cpu, (uint16_t)(spin_this_cpu() + 1), __ATOMIC_RELAXED);
}

static inline void spin_lock_how(spinlock_t *l, enum lock_how how)
{
    lock_debug_acquire(l, how);
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        cpu_relax();
    spin_set_holder(l);
}

static inline void spin_lock(spinlock_t *l)
{
    spin_lock_how(l, LOCK_SPIN);
}

/* Take a second lock of the class this CPU took last, in an order the caller
 * guarantees (two domains' event-channel locks: lower domain id first). */
static inline void spin_lock_nested(spinlock_t *l)
{
    spin_lock_how(l, LOCK_NESTED);
}

static inline void spin_unlock(spinlock_t *l)
{
    /* Only the holder writes owner, so a plain increment is enough. */
    uint32_t next_owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1;

    lock_debug_release(l);
    __atomic_store_n(&l->holder_cpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->owner, next_owner, __ATOMIC_RELEASE);
}

/*
 * Take the lock only if nobody holds or waits for it: claim ticket `owner`
 * by moving next from owner to owner + 1. Since owner never passes next, a
 * successful exchange means the lock was free at that instant.
 */
static inline bool spin_trylock(spinlock_t *l)
{
    uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
    uint32_t expected = owner;

    if (!__atomic_compare_exchange_n(&l->next, &expected, owner + 1, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        return false;
    spin_set_holder(l);
    lock_debug_acquire(l, LOCK_TRY);
    return true;
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

/*
 * Does this CPU hold l? Exact without further ordering: only the holder sets
 * holder_cpu to its own number and clears it before releasing, so another
 * CPU's writes can never make it read as ours.
 */
static inline bool spin_is_locked_by_me(const spinlock_t *l)
{
    return __atomic_load_n(&l->holder_cpu, __ATOMIC_RELAXED) == spin_this_cpu() + 1;
}

/* What a "caller holds l" comment used to say, checked (in every build). */
#define ASSERT_LOCKED(l) ASSERT(spin_is_locked_by_me(l))

#endif
