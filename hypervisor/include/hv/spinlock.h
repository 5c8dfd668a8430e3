/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ticket spinlock. Each locker takes the next ticket and waits until the
 * owner counter reaches it, so CPUs get the lock in arrival order (no
 * starvation under contention, unlike a test-and-set lock).
 *
 * No interrupt-saving variants here: those need the arch code's flags
 * handling and live there. Not recursive.
 */
#ifndef LAMINA_HV_SPINLOCK_H
#define LAMINA_HV_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct spinlock {
    uint32_t next;  /* next ticket to hand out */
    uint32_t owner; /* ticket currently allowed in */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED ((spinlock_t){.next = 0, .owner = 0})

static inline void spin_lock_init(spinlock_t *l)
{
    __atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->next, 0, __ATOMIC_RELEASE);
}

static inline void cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

static inline void spin_lock(spinlock_t *l)
{
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
    /* Only the holder writes owner, so a plain increment is enough. */
    uint32_t next_owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1;

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

    return __atomic_compare_exchange_n(&l->next, &expected, owner + 1, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

#endif
