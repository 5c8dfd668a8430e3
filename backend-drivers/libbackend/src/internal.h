/* SPDX-License-Identifier: GPL-2.0-only */
/* libbackend's private state: the loop, its devices, and the device files. */
#ifndef LAMINA_LAMBACK_INTERNAL_H
#define LAMINA_LAMBACK_INTERNAL_H

#include "lamback.h"

struct xsc;

struct lb_fd {
    int fd;
    void (*fn)(void *arg);
    void *arg;
};

#define LB_MAX_FDS 8

struct lb {
    const struct lb_backend_ops *ops;
    struct xsc *xs; /* NULL while lamstored is away (store.c reconnects) */
    char store_path[108];
    int retry_ms;
    int64_t next_retry; /* CLOCK_MONOTONIC ms of the next connection attempt */
    unsigned reconnects;
    int epfd, evtchn, gntdev;
    struct lb_dev *devs;
    volatile int stop;
    char base[64]; /* /local/domain/0/backend/TYPE */
    struct lb_fd fds[LB_MAX_FDS];
    unsigned nfds;
};

/* Per-device state the library keeps beside struct lb_dev's public fields. */
struct lb_dev_state {
    bool probed, broken, watching, removing;
    bool state_unwritten; /* be_state not in the store yet (it was away): written again */
};

/* epoll tags of the loop's own descriptors (others are struct lb_fd). */
#define LB_TAG_STORE  ((void *)1)
#define LB_TAG_EVTCHN ((void *)2)

/* The store connection (store.c). */
int64_t lb_now_ms(void);
int lb_store_open(struct lb *lb);
/* After a store call: true when err means the connection is gone (it is then dropped and
 * a reconnection scheduled; decisions based on that call must not be acted on). */
bool lb_store_failed(struct lb *lb, int err);
/* The connection is gone whatever err says (a watch event that could not be read). */
void lb_store_lost(struct lb *lb, int err);
/* epoll_wait's timeout: -1 while connected, else the time to the next attempt. */
int lb_store_wait_ms(const struct lb *lb);
/* When disconnected and due, one attempt; true when connected again, with every watch set
 * again (the caller then looks at every device). */
bool lb_store_retry(struct lb *lb);
/* One pass of the loop (lb_run repeats it): waits at most timeout_ms (-1: until an event or
 * the next reconnection attempt). -1 when epoll itself fails. */
int lb_run_once(struct lb *lb, int timeout_ms);

int lb_xen_open(struct lb *lb);
void *lb_map_grants(struct lb *lb, unsigned domid, const uint32_t *refs, unsigned n,
                    uint64_t *index);
void lb_unmap_grants(struct lb *lb, void *mem, unsigned n, uint64_t index);
int lb_evtchn_bind(struct lb *lb, unsigned domid, uint32_t remote, uint32_t *local);
void lb_evtchn_unbind(struct lb *lb, uint32_t local);
void lb_evtchn_notify(struct lb *lb, uint32_t local);
void lb_evtchn_unmask(struct lb *lb, uint32_t local);

#endif
