/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The string functions of lib.h.
 *
 * memcpy, memmove and memset use the x86 string instructions: fast on every
 * CPU with ERMS, small, and - unlike a C loop - safe from the compiler
 * recognising the loop as a memcpy and calling us recursively. The
 * hypervisor runs with RFLAGS.DF clear; memmove's backward copy sets it
 * briefly and clears it again.
 */
#include <stdint.h>

#include <hv/lib.h>

/*
 * Bulk moves go 8 bytes at a time: under emulation (QEMU's TCG) every
 * iteration of a REP string instruction costs the same whatever its width, so
 * MOVSQ/STOSQ are up to eight times faster than the byte forms.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *ret = dst;
    size_t quads = n / 8, tail = n % 8;

    __asm__ __volatile__("rep movsq" : "+D"(dst), "+S"(src), "+c"(quads) : : "memory");
    __asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail) : : "memory");
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d <= s || d >= s + n) {
        size_t quads = n / 8, tail = n % 8;
        __asm__ __volatile__("rep movsq" : "+D"(d), "+S"(s), "+c"(quads) : : "memory");
        __asm__ __volatile__("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) : : "memory");
    } else if (n) {
        /* Overlap with dst above src: copy from the last byte down. */
        d += n - 1;
        s += n - 1;
        __asm__ __volatile__("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    size_t quads = n / 8, tail = n % 8;
    uint64_t pattern = (uint64_t)(unsigned char)c * 0x0101010101010101ull;

    __asm__ __volatile__("rep stosq" : "+D"(dst), "+c"(quads) : "a"(pattern) : "memory");
    __asm__ __volatile__("rep stosb" : "+D"(dst), "+c"(tail) : "a"(pattern) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;

    while (n < maxlen && s[n])
        n++;
    return n;
}

/* Comparisons are of unsigned chars, as the C standard requires. */
int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return (*x > *y) - (*x < *y);
        if (!*x)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    const char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char ch = (char)c;
    const char *last = NULL;

    for (;; s++) {
        if (*s == ch)
            last = s;
        if (!*s)
            return (char *)last;
    }
}
