/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers shared by the daemon's files. Allocation failures abort:
 * the per-domain memory quota keeps guests from driving the daemon out of
 * memory, and a half-applied change is worse than a restart from state.
 */
#ifndef LAMSTORED_UTIL_H
#define LAMSTORED_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

/* FNV-1a over len bytes: the hash of every path table. It extends byte by byte:
 * hash_bytes(p, n + 1) == hash_extend(hash_bytes(p, n), p[n]). */
uint32_t hash_bytes(const void *p, size_t len);
uint32_t hash_extend(uint32_t h, unsigned char byte);

/* Parses a decimal unsigned number that fills the whole string. */
int parse_u32(const char *s, uint32_t *out);

/* Log a line to stderr with the daemon's prefix (printf-like). */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
