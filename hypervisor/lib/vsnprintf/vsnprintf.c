/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded printf formatter (fmt_vsnprintf, fmt_snprintf).
 *
 * The output goes through a small cursor that counts every character the
 * full result would have but stores only those that fit, so the C99 return
 * value and the never-overflow guarantee both fall out of one place.
 * No floating point (the hypervisor runs without SSE).
 */
#include <hv/lib.h>

/* <limits.h> is unusable under -nostdinc with GCC (it include_nexts). */
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)

struct out {
    char *buf;
    size_t size; /* capacity including the final NUL */
    size_t len;  /* characters produced so far, stored or not */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left;     /* '-' */
    bool zero;     /* '0' */
    bool plus;     /* '+' */
    bool space;    /* ' ' */
    bool alt;      /* '#' */
    int width;     /* -1: none */
    int precision; /* -1: none */
    int length;    /* LEN_* below */
};

enum { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

/* Digits of v in base 8, 10 or 16, least significant first. */
static int to_digits(char *tmp, uint64_t v, unsigned int base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    return n;
}

/*
 * Lay out one integer: [padding][sign or 0x][zero padding][digits][padding].
 * C rules: precision is a minimum digit count and disables the '0' flag;
 * a zero value with precision 0 prints no digits.
 */
static void out_integer(struct out *o, const struct spec *sp, uint64_t mag, bool negative,
                        unsigned int base, bool upper, const char *prefix)
{
    char tmp[24];
    int ndigits = to_digits(tmp, mag, base, upper);
    int plen = prefix ? (int)strlen(prefix) : 0;
    char sign = negative ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    int zeros = 0;

    if (sp->precision == 0 && mag == 0)
        ndigits = 0;
    if (sp->precision > ndigits)
        zeros = sp->precision - ndigits;

    int body = (sign ? 1 : 0) + plen + zeros + ndigits;

    if (sp->width > body && sp->zero && !sp->left && sp->precision < 0) {
        zeros += sp->width - body;
        body = sp->width;
    }
    if (!sp->left)
        out_repeat(o, ' ', sp->width - body);
    if (sign)
        out_char(o, sign);
    for (const char *q = prefix; q && *q; q++)
        out_char(o, *q);
    out_repeat(o, '0', zeros);
    while (ndigits > 0)
        out_char(o, tmp[--ndigits]);
    if (sp->left)
        out_repeat(o, ' ', sp->width - body);
}

static void out_string(struct out *o, const struct spec *sp, const char *s)
{
    size_t n;

    if (!s)
        s = "(null)";
    n = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);

    int pad = sp->width > 0 && (size_t)sp->width > n ? sp->width - (int)n : 0;

    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (size_t i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

/* Flags, width, precision and length; returns the conversion character. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){.width = -1, .precision = -1, .length = LEN_INT};

    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == ' ')
            sp->space = true;
        else if (*f == '#')
            sp->alt = true;
        else
            break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) { /* a negative * width means left-justify */
            sp->left = true;
            sp->width = sp->width == INT_MIN ? INT_MAX : -sp->width;
        }
        f++;
    } else {
        for (sp->width = 0; *f >= '0' && *f <= '9'; f++)
            sp->width = sp->width > (INT_MAX - 9) / 10 ? INT_MAX : sp->width * 10 + (*f - '0');
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            if (sp->precision < 0) /* negative means "no precision" */
                sp->precision = -1;
            f++;
        } else {
            for (sp->precision = 0; *f >= '0' && *f <= '9'; f++)
                sp->precision =
                    sp->precision > (INT_MAX - 9) / 10 ? INT_MAX : sp->precision * 10 + (*f - '0');
        }
    }
    switch (*f) {
    case 'h':
        sp->length = f[1] == 'h' ? LEN_HH : LEN_H;
        f += f[1] == 'h' ? 2 : 1;
        break;
    case 'l':
        sp->length = f[1] == 'l' ? LEN_LL : LEN_L;
        f += f[1] == 'l' ? 2 : 1;
        break;
    case 'z':
        sp->length = LEN_Z;
        f++;
        break;
    case 'j':
        sp->length = LEN_J;
        f++;
        break;
    case 't':
        sp->length = LEN_T;
        f++;
        break;
    default:
        break;
    }
    return f;
}

static int64_t fetch_signed(int length, va_list *ap)
{
    switch (length) {
    case LEN_HH:
        return (signed char)va_arg(*ap, int);
    case LEN_H:
        return (short)va_arg(*ap, int);
    case LEN_L:
        return va_arg(*ap, long);
    case LEN_LL:
        return va_arg(*ap, long long);
    case LEN_Z: /* the signed type matching size_t */
    case LEN_T:
        return va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t fetch_unsigned(int length, va_list *ap)
{
    switch (length) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z:
    case LEN_T:
        return va_arg(*ap, size_t);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static void out_conversion(struct out *o, char conv, struct spec *sp, va_list *ap)
{
    switch (conv) {
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(sp->length, ap);
        uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

        out_integer(o, sp, mag, v < 0, 10, false, NULL);
        break;
    }
    case 'u':
        sp->plus = sp->space = false;
        out_integer(o, sp, fetch_unsigned(sp->length, ap), false, 10, false, NULL);
        break;
    case 'x':
    case 'X': {
        uint64_t v = fetch_unsigned(sp->length, ap);
        const char *prefix = sp->alt && v ? (conv == 'x' ? "0x" : "0X") : NULL;

        sp->plus = sp->space = false;
        out_integer(o, sp, v, false, 16, conv == 'X', prefix);
        break;
    }
    case 'p': {
        /* Like glibc: 0x-prefixed lower-case hex, "(nil)" for NULL. */
        uintptr_t v = (uintptr_t)va_arg(*ap, void *);

        if (!v) {
            sp->precision = -1;
            out_string(o, sp, "(nil)");
        } else {
            out_integer(o, sp, v, false, 16, false, "0x");
        }
        break;
    }
    case 's':
        out_string(o, sp, va_arg(*ap, const char *));
        break;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        int pad = sp->width > 1 ? sp->width - 1 : 0;

        if (!sp->left)
            out_repeat(o, ' ', pad);
        out_char(o, c);
        if (sp->left)
            out_repeat(o, ' ', pad);
        break;
    }
    default:
        break;
    }
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .size = size, .len = 0};
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }

        const char *start = fmt;
        struct spec sp;

        fmt = parse_spec(fmt + 1, &sp, &args);
        switch (*fmt) {
        case '%':
            out_char(&o, '%');
            break;
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'p':
        case 's':
        case 'c':
            out_conversion(&o, *fmt, &sp, &args);
            break;
        default:
            /* Unknown or truncated conversion: print it as written. */
            while (start < fmt)
                out_char(&o, *start++);
            if (!*fmt)
                continue;
            out_char(&o, *fmt);
            break;
        }
        fmt++;
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
