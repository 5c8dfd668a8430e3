/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intrusive circular doubly-linked list: embed a struct list_head in the
 * object and recover the object with list_entry(). An empty list is a head
 * pointing at itself. Deleted entries are poisoned with NULL so that a
 * second list_del() faults instead of corrupting a neighbour.
 */
#ifndef LAMINA_HV_LIST_H
#define LAMINA_HV_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                                       \
    {                                                                                              \
        &(name), &(name)                                                                           \
    }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *h)
{
    h->next = h;
    h->prev = h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
                                       struct list_head *next)
{
    next->prev = n;
    n->next = next;
    n->prev = prev;
    prev->next = n;
}

/* Insert after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head)
{
    list_insert_between(n, head, head->next);
}

/* Insert before head (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
    list_insert_between(n, head->prev, head);
}

static inline void list_del(struct list_head *entry)
{
    entry->next->prev = entry->prev;
    entry->prev->next = entry->next;
    entry->next = NULL;
    entry->prev = NULL;
}

static inline bool list_empty(const struct list_head *head)
{
    return head->next == head;
}

#define list_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_entry(pos, head, member)                                                     \
    for ((pos) = list_first_entry(head, __typeof__(*(pos)), member); &(pos)->member != (head);     \
         (pos) = list_next_entry(pos, member))

/* Safe against removal of pos: n holds the next entry. */
#define list_for_each_entry_safe(pos, n, head, member)                                             \
    for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),                               \
        (n) = list_next_entry(pos, member);                                                        \
         &(pos)->member != (head); (pos) = (n), (n) = list_next_entry(n, member))

#endif
