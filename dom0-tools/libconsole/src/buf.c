/* SPDX-License-Identifier: GPL-2.0-only */
/* A bounded byte queue (see lamcons.h): a ring over a buffer allocated once. */
#include <stdlib.h>
#include <string.h>

#include "lamcons.h"

int lcons_buf_init(struct lcons_buf *b, size_t cap)
{
    *b = (struct lcons_buf){.cap = cap};
    b->data = malloc(cap ? cap : 1);
    return b->data ? 0 : -1;
}

void lcons_buf_free(struct lcons_buf *b)
{
    free(b->data);
    *b = (struct lcons_buf){0};
}

/* Copies n bytes (n <= space) in at the tail. */
static void append(struct lcons_buf *b, const char *s, size_t n)
{
    size_t tail = (b->head + b->len) % b->cap;
    size_t first = b->cap - tail < n ? b->cap - tail : n;
    memcpy(b->data + tail, s, first);
    memcpy(b->data, s + first, n - first);
    b->len += n;
}

size_t lcons_buf_put(struct lcons_buf *b, const void *src, size_t n)
{
    size_t fit = n < lcons_buf_space(b) ? n : lcons_buf_space(b);
    if (fit)
        append(b, src, fit);
    b->dropped += n - fit;
    return fit;
}

void lcons_buf_put_overwrite(struct lcons_buf *b, const void *src, size_t n)
{
    const char *s = src;
    if (!b->cap)
        return;
    if (n >= b->cap) { /* only the newest cap bytes can stay */
        s += n - b->cap;
        n = b->cap;
        b->head = 0;
        b->len = 0;
    }
    if (n > lcons_buf_space(b))
        lcons_buf_consume(b, n - lcons_buf_space(b));
    append(b, s, n);
}

const char *lcons_buf_peek(const struct lcons_buf *b, size_t *len)
{
    size_t run = b->cap - b->head;
    *len = b->len < run ? b->len : run;
    return b->data + b->head;
}

void lcons_buf_consume(struct lcons_buf *b, size_t n)
{
    if (n > b->len)
        n = b->len;
    b->len -= n;
    b->head = b->len ? (b->head + n) % b->cap : 0;
}

void lcons_buf_copy(struct lcons_buf *to, const struct lcons_buf *from)
{
    size_t first = from->cap - from->head;
    if (first > from->len)
        first = from->len;
    lcons_buf_put(to, from->data + from->head, first);
    lcons_buf_put(to, from->data, from->len - first);
}

uint64_t lcons_buf_take_dropped(struct lcons_buf *b)
{
    uint64_t d = b->dropped;
    b->dropped = 0;
    return d;
}
