/* SPDX-License-Identifier: GPL-2.0-only */
/* A growable string for the formatters: out-of-memory is sticky and reported once, at the
 * end, so the formatting code stays a straight line of appends. */
#include "domcfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void domcfg_sb_init(struct domcfg_strbuf *sb)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->oom = false;
}

static bool sb_reserve(struct domcfg_strbuf *sb, size_t extra)
{
    if (sb->oom)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 1024;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *data = realloc(sb->data, cap);
    if (!data) {
        sb->oom = true;
        return false;
    }
    sb->data = data;
    sb->cap = cap;
    return true;
}

void domcfg_sb_addn(struct domcfg_strbuf *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void domcfg_sb_add(struct domcfg_strbuf *sb, const char *s)
{
    domcfg_sb_addn(sb, s, strlen(s));
}

void domcfg_sb_printf(struct domcfg_strbuf *sb, const char *fmt, ...)
{
    char small[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->oom = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        domcfg_sb_addn(sb, small, (size_t)n);
        return;
    }
    if (!sb_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void domcfg_sb_escape(struct domcfg_strbuf *sb, const char *s, bool quote)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '\'':
            rep = quote ? "&apos;" : NULL;
            break;
        case '"':
            rep = quote ? "&quot;" : NULL;
            break;
        case '\n':
            rep = quote ? "&#10;" : NULL;
            break;
        case '\t':
            rep = quote ? "&#9;" : NULL;
            break;
        case '\r':
            rep = "&#13;";
            break;
        default:
            break;
        }
        if (!rep)
            continue;
        domcfg_sb_addn(sb, run, (size_t)(s - run));
        domcfg_sb_add(sb, rep);
        run = s + 1;
    }
    domcfg_sb_addn(sb, run, (size_t)(s - run));
}

char *domcfg_sb_finish(struct domcfg_strbuf *sb)
{
    if (sb->oom || !sb_reserve(sb, 0)) {
        free(sb->data);
        domcfg_sb_init(sb);
        return NULL;
    }
    char *s = sb->data;
    if (sb->len == 0)
        s[0] = '\0';
    domcfg_sb_init(sb);
    return s;
}
