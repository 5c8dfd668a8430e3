/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The builder's phase clock: with LAM_TRACE=FILE in the environment, every traced
 * operation (a `lam create`, a `lam list`) appends one line to FILE,
 *   TRACE <label> <phase> <ms> <phase> <ms> ... total <ms>
 * the time spent in each phase, in the order they ended. Without LAM_TRACE nothing is
 * written and a mark costs one clock read. perf does not run in a PV dom0 under QEMU's
 * emulation, so the toolstack benchmark reads these lines instead (docs/benchmarks.md).
 */
#include "dombuild.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACE_LINE 2048

static struct {
    bool active;
    double t0, last;
    char line[TRACE_LINE];
    size_t len;
} trace;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

bool dombuild_trace_begin(void)
{
    if (trace.active)
        return false;
    trace.active = true;
    trace.t0 = trace.last = now_ms();
    trace.len = 0;
    return true;
}

void dombuild_trace(const char *phase)
{
    if (!trace.active)
        return;
    double now = now_ms();
    if (trace.len < sizeof(trace.line)) {
        int n = snprintf(trace.line + trace.len, sizeof(trace.line) - trace.len, " %s %.2f", phase,
                         now - trace.last);
        if (n > 0)
            trace.len += (size_t)n;
    }
    trace.last = now;
}

void dombuild_trace_end(const char *label)
{
    if (!trace.active)
        return;
    trace.active = false;
    const char *file = getenv("LAM_TRACE");
    if (!file || !*file)
        return;
    if (trace.len > sizeof(trace.line) - 1)
        trace.len = sizeof(trace.line) - 1;
    char out[TRACE_LINE + 256];
    int n = snprintf(out, sizeof(out), "TRACE %s%.*s total %.2f\n", label, (int)trace.len,
                     trace.line, now_ms() - trace.t0);
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || n <= 0)
        return;
    size_t len = (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1;
    if (write(fd, out, len) != (ssize_t)len) {
        /* a trace is best effort: the operation it describes has succeeded or failed already */
    }
    close(fd);
}
