/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal vsnprintf: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a field
 * width, and the length modifiers l, ll, z. Enough for test diagnostics.
 */
#include "lam.h"

struct out {
    char *buf;
    size_t size, len;
};

static void emit(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void emit_padded(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            emit(o, pad);
    for (size_t i = 0; i < n; i++)
        emit(o, s[i]);
    if (left)
        while (fill-- > 0)
            emit(o, ' ');
}

static void emit_number(struct out *o, uint64_t v, int neg, unsigned base, int upper, int width,
                        int left, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg && pad == '0') {
        emit(o, '-');
        width = width > 0 ? width - 1 : 0;
    } else if (neg) {
        tmp[n++] = '-';
    }
    char rev[24];
    for (int i = 0; i < n; i++)
        rev[i] = tmp[n - 1 - i];
    emit_padded(o, rev, (size_t)n, width, left, pad);
}

int lam_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(&o, *fmt);
            continue;
        }
        fmt++;
        int left = 0, width = 0, lng = 0;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_number(&o, mag, v < 0, 10, 0, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            emit_number(&o, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, pad);
            break;
        }
        case 'p':
            emit(&o, '0');
            emit(&o, 'x');
            emit_number(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0, 16, 0, '0');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            emit_padded(&o, s, strlen(s), width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        case '\0':
            fmt--; /* stray '%' at the end */
            break;
        default:
            emit(&o, '%');
            emit(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int lam_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
