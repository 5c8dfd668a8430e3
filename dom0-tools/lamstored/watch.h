/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watches: a connection registers (path, token); every committed change at
 * or below path sends it WATCH_EVENT "changed-path\0token\0". Removing a
 * subtree also fires the watches set inside it, with their own path.
 * Special paths (@introduceDomain, @releaseDomain) fire on domain events,
 * for connections that may read the special node (privileged ones, and
 * domains dom0 granted access with SET_PERMS).
 */
#ifndef LAMSTORED_WATCH_H
#define LAMSTORED_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "tree.h"

struct store;
struct conn;

int watch_add(struct conn *c, const char *path, const char *token, bool relative);
int watch_remove(struct conn *c, const char *path, const char *token);
void watch_remove_all(struct conn *c);

/* A node at path changed (recursive: it and its subtree were removed). */
void watch_fire(struct store *st, const char *path, uint32_t len, bool recursive,
                const struct perm *perms, uint32_t nperms);
/* Fires a special watch ("@introduceDomain", "@releaseDomain"). */
void watch_fire_special(struct store *st, const char *name);

/* Queues one event for watch w on c (path absolute). */
void watch_send(struct conn *c, const struct watch *w, const char *path, uint32_t len);

#endif
