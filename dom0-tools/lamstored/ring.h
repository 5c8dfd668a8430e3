/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading requests from and writing replies to a store ring page, with no
 * device behind it: the same code runs on a dom0's mapped page and, in the
 * tests, on a plain page of memory with a simulated guest.
 *
 * Indices are free-running u32 counters; position = index & 1023. The
 * daemon consumes req[] (req_cons) and produces rsp[] (rsp_prod). A peer
 * whose indices are inconsistent (prod - cons > 1024) is broken or
 * hostile: its ring is not touched.
 */
#ifndef LAMSTORED_RING_H
#define LAMSTORED_RING_H

#include <stdint.h>

#include "xsproto.h"

/* Copies up to len request bytes out of the ring; returns bytes, or -1 on bad indices. */
int ring_take_requests(struct xs_ring_page *r, void *buf, uint32_t len);
/* Copies up to len reply bytes into the ring; returns bytes, or -1 on bad indices. */
int ring_put_replies(struct xs_ring_page *r, const void *buf, uint32_t len);

struct conn;
/*
 * Moves data between a ring and its connection: takes requests into
 * c->rbuf, processes them, writes queued output. A guest that set
 * connection = XS_RING_RECONNECT gets a reset ring and a clean connection
 * first. Returns 1 if the peer should be notified, 0 if not, -1 if the
 * ring is broken.
 */
int ring_pump(struct xs_ring_page *r, struct conn *c);

#endif
