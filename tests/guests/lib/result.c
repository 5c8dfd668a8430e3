/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test status and the single result line. Status only escalates; the reason
 * kept is the first one given at the highest status reached.
 */
#include <lamina/sched.h>

#include "lam.h"

static enum lam_status status = LAM_SUCCESS;
static char reason[160];
static int reported;

static const char *const status_names[] = {"SUCCESS", "SKIP", "ERROR", "FAILURE"};

static void escalate(enum lam_status s, const char *fmt, va_list ap)
{
    char msg[160];
    lam_vsnprintf(msg, sizeof(msg), fmt, ap);
    lam_printf("%s: %s\n", status_names[s], msg);
    if (s > status) {
        status = s;
        memcpy(reason, msg, sizeof(reason));
    }
}

void lam_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    escalate(LAM_FAILURE, fmt, ap);
    va_end(ap);
}

void lam_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    escalate(LAM_ERROR, fmt, ap);
    va_end(ap);
}

void lam_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    escalate(LAM_SKIP, fmt, ap);
    va_end(ap);
}

enum lam_status lam_status(void)
{
    return status;
}

static void report(void)
{
    if (reported)
        return;
    reported = 1;
    if (status == LAM_SUCCESS)
        lam_printf("Test result: SUCCESS\n");
    else
        lam_printf("Test result: %s: %s\n", status_names[status], reason);
}

static __attribute__((noreturn)) void shutdown(unsigned int why)
{
    struct lam_sched_shutdown arg = {.reason = why};
    long rc = hypercall_sched_op(LAM_SCHEDOP_shutdown, &arg);
    lam_printf("PANIC: sched_op(shutdown, %u) returned %ld\n", why, rc);
    for (;;)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
}

void lam_exit(unsigned int shutdown_reason)
{
    report();
    shutdown(shutdown_reason);
}

void lam_panic(const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    lam_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lam_printf("PANIC: %s\n", msg);
    shutdown(LAM_SHUTDOWN_crash);
}
