/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside libdombuild: claiming a name and UUID while a domain is built (claim.c). */
#ifndef LAMINA_DOMBUILD_CLAIM_H
#define LAMINA_DOMBUILD_CLAIM_H

#include <stddef.h>

struct xsc;

#define CLAIM_PATH_MAX 256

/* Claim /lamina/name/NAME and /lamina/uuid/UUID for this process, atomically. 0; -EEXIST
 * (with why) when a live builder holds either; -errno on a store error. */
int claim_take(struct xsc *h, const char *name, const char *uuid, char *why, size_t whylen);
/* Drop this process's claims (and the parents they leave empty). */
void claim_release(struct xsc *h, const char *name, const char *uuid);
/* Remove path if it has no children, in a transaction (retried on conflict), so that a node
 * created under it meanwhile is kept. Also used for the parents a destroyed domain leaves
 * empty (store.c). Errors are ignored: an empty directory left behind is harmless. */
void claim_remove_if_empty(struct xsc *h, const char *path);

#endif
