/* SPDX-License-Identifier: GPL-2.0-only */
/* The handle, the log and the default wait on the store's domain watches. */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN "domlife"

void life_init(struct life *l, struct hvctl *hv, struct xsc *xs, const struct life_ops *ops)
{
    memset(l, 0, sizeof(*l));
    l->hv = hv;
    l->xs = xs;
    if (ops)
        l->ops = *ops;
}

int life_watch_domains(struct life *l)
{
    if (l->watching)
        return 0;
    int rc = xsc_watch(l->xs, "@releaseDomain", TOKEN);
    if (!rc)
        rc = xsc_watch(l->xs, "@introduceDomain", TOKEN);
    if (!rc)
        l->watching = true;
    return rc;
}

int life_watch_releases(struct life *l)
{
    if (l->watching)
        return 0;
    int rc = xsc_watch(l->xs, "@releaseDomain", TOKEN);
    if (!rc)
        l->watching = true;
    return rc;
}

int life_wait_event(struct life *l, int timeout_ms)
{
    if (l->ops.wait)
        return l->ops.wait(l, timeout_ms);
    int rc = life_watch_domains(l);
    if (rc)
        return rc;
    char *path, *token;
    rc = xsc_read_watch(l->xs, timeout_ms, &path, &token);
    if (!rc) {
        free(path);
        free(token);
    }
    return rc;
}

uint64_t life_now_ms(struct life *l)
{
    if (l->ops.now_ms)
        return l->ops.now_ms(l);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void life_log(struct life *l, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (l->ops.log)
        l->ops.log(l, line);
    else
        fprintf(stderr, "%s\n", line);
}
