/* SPDX-License-Identifier: GPL-2.0-only */
/* The console service's small rules: the event rate limit and usable names (lamcons.h). */
#include <string.h>

#include "lamcons.h"

bool lcons_rate_event(struct lcons_rate *r, uint64_t now_ms)
{
    if (now_ms < r->window_start || now_ms - r->window_start >= LCONS_RATE_WINDOW_MS) {
        r->window_start = now_ms;
        r->events = 0;
    }
    r->events++;
    return r->events <= LCONS_RATE_EVENTS;
}

uint64_t lcons_rate_resume_at(const struct lcons_rate *r)
{
    return r->window_start + LCONS_RATE_WINDOW_MS;
}

bool lcons_name_ok(const char *name)
{
    size_t n = strnlen(name, LCONS_NAME_MAX + 1);
    if (n == 0 || n > LCONS_NAME_MAX || name[0] == '.' || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '+' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}
