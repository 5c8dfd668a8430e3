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

void log_printf(enum log_level lvl, const char *fmt, ...)
{
    char buf[64]; /* small on purpose: long messages exercise truncation */
    va_list ap;

    (void)lvl;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
}
