/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Permissions as Xen's daemons apply them. A node's list starts with its
 * owner, whose letter is the access of every domain not listed: "n0 r5"
 * means owner dom0, no access for others, read access for dom5.
 * Privileged connections and the owner
 * (or a domain whose target is the owner) get everything; otherwise the
 * first entry naming the domain (or its target) decides, else entry 0.
 * A read-only connection never gets write access.
 */
#ifndef LAMSTORED_PERMS_H
#define LAMSTORED_PERMS_H

#include <stdint.h>

#include "tree.h"

struct conn;

/* XS_PERM_READ / WRITE / OWNER bits that c has on a node with these perms. */
unsigned perm_for(const struct conn *c, const struct perm *p, uint32_t n);

/* Parses one "r5"-style string; returns 0 or EINVAL. */
int perm_parse(const char *s, struct perm *out);

/* Writes "b0\0r5\0..." into buf; returns bytes, or 0 if cap is too small. */
uint32_t perms_format(const struct perm *p, uint32_t n, char *buf, uint32_t cap);

#endif
