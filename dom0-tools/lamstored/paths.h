/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Path rules: absolute paths start with '/', relative ones are taken below
 * /local/domain/<domid>/ of the caller; only [A-Za-z0-9-/_@] are allowed,
 * no empty components and no trailing '/' (except the root). Special watch
 * paths start with '@'.
 */
#ifndef LAMSTORED_PATHS_H
#define LAMSTORED_PATHS_H

#include <stdbool.h>
#include <stdint.h>

#include "xsproto.h"

struct conn;

/* Room for any resolved path plus its NUL. */
#define PATH_BUF (XS_ABS_PATH_MAX + 1)

/*
 * Resolves a request path for connection c into out (absolute, NUL-ended).
 * Special "@" paths are accepted only when allow_special. Returns 0 or
 * EINVAL; *relative tells whether the input was relative.
 */
int path_resolve(const struct conn *c, const char *in, bool allow_special, char *out,
                 uint32_t *outlen, bool *relative);

/* True if child is parent itself or lies below it. */
bool path_is_below(const char *child, uint32_t clen, const char *parent, uint32_t plen);

/* Length of the parent's path ("/a/b" -> 2, "/a" -> 1). Not for the root. */
uint32_t path_parent_len(const char *p, uint32_t len);

/* Writes "/local/domain/<domid>" into buf (at least 32 bytes); returns its length. */
uint32_t path_domain_home(uint32_t domid, char *buf);

#endif
