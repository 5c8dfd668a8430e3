/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * panic() and log_printf() for the fuzz harnesses. A panic is a finding,
 * so it aborts; log messages go through our own formatter, which fuzzes
 * fmt_vsnprintf with whatever the parsers print.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <hv/lib.h>
#include <hv/log.h>
#include <hv/panic.h>
#include <hv/spinlock.h>

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "panic: %s\n", buf);
    abort();
}

/* Host threads stand in for CPUs (spinlock holder_cpu): each gets a number the first time. */
unsigned int spin_this_cpu(void)
{
    static unsigned int threads;
    static _Thread_local unsigned int id; /* 1 + the number, 0 = not given yet */

    if (!id)
        id = __atomic_add_fetch(&threads, 1, __ATOMIC_RELAXED);
    return id - 1;
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
    char buf[64]; /* small on purpose: long messages exercise truncation */
    va_list ap;

    (void)lvl;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
}
