/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A domU's console and store rings, for the peer kernels a dom0 system test starts with
 * `lam create` (their pages and ports come from start_info): lines on the console ring,
 * which lamconsoled logs to /var/log/lamina/console/NAME.log, and requests on the store
 * ring as a Linux guest's xenbus makes them (Xen's io/console.h and io/xs_wire.h).
 */
#ifndef LAM_GUEST_PEER_IO_H
#define LAM_GUEST_PEER_IO_H

#include <stdbool.h>
#include <stdint.h>

/* The wire protocol's message types and layouts: dom0's own header
 * (dom0-tools/libxsclient/include/xsproto.h, Xen's io/xs_wire.h). */
#include "xsproto.h"

/* Finds both rings (after mm_init); panics when they are not mapped. */
void peer_io_init(void);
void peer_notify(uint32_t port);
/* One line (or part of one) on the console ring. */
void peer_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One request of any type in transaction tx, and its answer: NULL with the reply's payload
 * in peer_xs_answer(), else the error's name ("ENOENT"), "TIMEOUT", "BADID" or "BADLEN".
 * Watch events arriving meanwhile are counted (peer_xs_events) and skipped. */
const char *peer_xs_call(uint32_t type, uint32_t tx, const void *payload, uint32_t len);
const char *peer_xs_answer(void);
uint32_t peer_xs_events(void);
/* A request sent without waiting for its answer (which is then never read). */
bool peer_xs_send(uint32_t type, uint32_t tx, const void *payload, uint32_t len);
/* Raw bytes on the request ring, after dropping every unread reply. */
bool peer_xs_send_raw(const void *bytes, uint32_t n);
/* A read: the value (valid until the next call), or NULL when it failed. */
const char *peer_xs_read(const char *path);
/* A write: NULL when done, else the error's name ("EACCES", "TIMEOUT"). */
const char *peer_xs_write(const char *path, const char *value);
/* Polls path every 10 ms until it reads want, for at most ms; true when it did. */
bool peer_xs_wait(const char *path, const char *want, unsigned ms);

#endif
