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
    struct xsc *xs;
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
};

int lb_xen_open(struct lb *lb);
void *lb_map_grants(struct lb *lb, unsigned domid, const uint32_t *refs, unsigned n,
                    uint64_t *index);
void lb_unmap_grants(struct lb *lb, void *mem, unsigned n, uint64_t index);
int lb_evtchn_bind(struct lb *lb, unsigned domid, uint32_t remote, uint32_t *local);
void lb_evtchn_unbind(struct lb *lb, uint32_t local);
void lb_evtchn_notify(struct lb *lb, uint32_t local);
void lb_evtchn_unmask(struct lb *lb, uint32_t local);

#endif
