/* SPDX-License-Identifier: GPL-2.0-only */
/* Host implementations of panic() and log_printf(); see hv_stubs.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_stubs.h"
#include <hv/log.h>
#include <hv/panic.h>
#include <hv/spinlock.h>

jmp_buf *stub_panic_jmp;
char stub_panic_msg[256];
int stub_log_count[4];
char stub_log_last[256];

void panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(stub_panic_msg, sizeof(stub_panic_msg), fmt, ap);
    va_end(ap);
    if (stub_panic_jmp)
        longjmp(*stub_panic_jmp, 1);
    fprintf(stderr, "unexpected panic: %s\n", stub_panic_msg);
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
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(stub_log_last, sizeof(stub_log_last), fmt, ap);
    va_end(ap);
    if ((unsigned int)lvl < 4)
        stub_log_count[lvl]++;
    if (getenv("LAMINA_TEST_VERBOSE"))
        fprintf(stderr, "log[%d]: %s", (int)lvl, stub_log_last);
}

void stub_log_reset(void)
{
    memset(stub_log_count, 0, sizeof(stub_log_count));
    stub_log_last[0] = '\0';
}
