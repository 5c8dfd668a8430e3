/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Restart persistence. A clean stop writes the whole store (nodes with
 * values and permissions, introduced domains, the watches and open
 * transaction ids of ring connections, their unprocessed input and unsent
 * output) to a file, atomically; the next start reads it back, so updating
 * the daemon loses nothing. Socket clients reconnect by themselves; open
 * transactions of ring clients answer EAGAIN at their end, which clients
 * already handle by retrying.
 */
#ifndef LAMSTORED_PERSIST_H
#define LAMSTORED_PERSIST_H

struct store;

int persist_save(struct store *st, const char *path);
/* A missing file is an empty store (first start), not an error. */
int persist_load(struct store *st, const char *path);

#endif
