/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Timer min-heap: slot 0 holds the earliest timer, slot i's children are
 * 2i+1 and 2i+2 and never expire earlier than it. Every move of a timer
 * updates its heap_index, which is what makes removal by pointer O(log n).
 */
#include <hv/timer_heap.h>
#include <hv/errcodes.h>
#include <hv/lib.h>

static void slot_set(struct timer_heap *h, unsigned int i, struct timer *t)
{
    h->slots[i] = t;
    t->heap_index = i;
}

static void sift_up(struct timer_heap *h, unsigned int i)
{
    struct timer *t = h->slots[i];

    while (i > 0) {
        unsigned int parent = (i - 1) / 2;

        if (h->slots[parent]->expires <= t->expires)
            break;
        slot_set(h, i, h->slots[parent]);
        i = parent;
    }
    slot_set(h, i, t);
}

static void sift_down(struct timer_heap *h, unsigned int i)
{
    struct timer *t = h->slots[i];

    for (;;) {
        unsigned int child = 2 * i + 1;

        if (child >= h->nr)
            break;
        if (child + 1 < h->nr && h->slots[child + 1]->expires < h->slots[child]->expires)
            child++;
        if (t->expires <= h->slots[child]->expires)
            break;
        slot_set(h, i, h->slots[child]);
        i = child;
    }
    slot_set(h, i, t);
}

void timer_heap_init(struct timer_heap *h, struct timer **storage, unsigned int capacity)
{
    h->slots = storage;
    h->nr = 0;
    /* TIMER_NOT_QUEUED must never be a valid slot. */
    h->capacity = capacity < TIMER_NOT_QUEUED ? capacity : TIMER_NOT_QUEUED - 1;
}

int timer_heap_add(struct timer_heap *h, struct timer *t)
{
    if (timer_is_queued(t))
        return -EEXIST;
    if (h->nr == h->capacity)
        return -ENOSPC;
    slot_set(h, h->nr, t);
    h->nr++;
    sift_up(h, h->nr - 1);
    return 0;
}

bool timer_heap_remove(struct timer_heap *h, struct timer *t)
{
    unsigned int i = t->heap_index;

    if (i >= h->nr || h->slots[i] != t)
        return false;
    t->heap_index = TIMER_NOT_QUEUED;
    h->nr--;
    if (i == h->nr)
        return true;
    /* Move the last timer into the hole; it may belong above or below. */
    slot_set(h, i, h->slots[h->nr]);
    if (i > 0 && h->slots[(i - 1) / 2]->expires > h->slots[i]->expires)
        sift_up(h, i);
    else
        sift_down(h, i);
    return true;
}

struct timer *timer_heap_peek(const struct timer_heap *h)
{
    return h->nr ? h->slots[0] : NULL;
}

struct timer *timer_heap_pop_expired(struct timer_heap *h, uint64_t now)
{
    struct timer *t = timer_heap_peek(h);

    if (!t || t->expires > now)
        return NULL;
    timer_heap_remove(h, t);
    return t;
}
