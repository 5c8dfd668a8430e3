/* SPDX-License-Identifier: GPL-2.0-only */
/* Allocation, hashing, number parsing and logging helpers (see util.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void *check(void *p)
{
    if (!p) {
        fputs("lamstored: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xmalloc(size_t n)
{
    return check(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void *xmemdup(const void *p, size_t n)
{
    void *d = xmalloc(n);
    if (n)
        memcpy(d, p, n);
    return d;
}

uint32_t hash_extend(uint32_t h, unsigned char byte)
{
    return (h ^ byte) * 16777619u;
}

uint32_t hash_bytes(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = hash_extend(h, b[i]);
    return h;
}

int parse_u32(const char *s, uint32_t *out)
{
    unsigned long long v = 0;
    if (!*s)
        return EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return EINVAL;
        v = v * 10 + (unsigned)(*s - '0');
        if (v > 0xffffffffull)
            return EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

void logmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lamstored: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
