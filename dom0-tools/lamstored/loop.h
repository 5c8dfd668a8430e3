/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's event loop: epoll over sockets, event channels and signals. */
#ifndef LAMSTORED_LOOP_H
#define LAMSTORED_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct store;

struct handler {
    int fd;
    void (*fn)(struct handler *h, uint32_t events);
};

int loop_init(void);
int loop_add(struct handler *h, uint32_t events);
int loop_mod(struct handler *h, uint32_t events);
void loop_del(struct handler *h);
/* Runs until loop_stop(); flushes woken connections after each batch. */
void loop_run(struct store *st);
void loop_stop(void);
/* Flushes every woken connection (also used at shutdown). */
void loop_flush(struct store *st);

#endif
