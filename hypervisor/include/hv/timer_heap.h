/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Binary min-heap of timers ordered by expiry time.
 *
 * The caller owns all storage: the heap is an array of timer pointers given
 * to timer_heap_init(), and each timer remembers its slot (heap_index) so
 * that removal is O(log n) without searching. Nothing here allocates or
 * locks; the owner (typically one heap per CPU) serialises access and runs
 * the expired timers' functions itself, outside whatever lock it holds.
 * Timers with equal expiry come out in no particular order.
 */
#ifndef LAMINA_HV_TIMER_HEAP_H
#define LAMINA_HV_TIMER_HEAP_H

#include <stdbool.h>
#include <stdint.h>

struct timer {
    uint64_t expires;
    void (*fn)(void *data);
    void *data;
    unsigned int heap_index; /* TIMER_NOT_QUEUED when not in a heap */
    unsigned int cpu;        /* whose heap holds it while queued (hypervisor timers) */
};

#define TIMER_NOT_QUEUED (~0U)

struct timer_heap {
    struct timer **slots;
    unsigned int nr;
    unsigned int capacity;
};

static inline void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
    t->expires = 0;
    t->fn = fn;
    t->data = data;
    t->heap_index = TIMER_NOT_QUEUED;
    t->cpu = 0;
}

static inline bool timer_is_queued(const struct timer *t)
{
    return t->heap_index != TIMER_NOT_QUEUED;
}

void timer_heap_init(struct timer_heap *h, struct timer **storage, unsigned int capacity);
/* 0, -ENOSPC when full, -EEXIST when t is already queued. */
int timer_heap_add(struct timer_heap *h, struct timer *t);
/* false when t was not queued in h. */
bool timer_heap_remove(struct timer_heap *h, struct timer *t);
/* Earliest timer, or NULL when empty. */
struct timer *timer_heap_peek(const struct timer_heap *h);
/* Remove and return one timer with expires <= now, or NULL if none. */
struct timer *timer_heap_pop_expired(struct timer_heap *h, uint64_t now);

#endif
