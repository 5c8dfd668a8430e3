/* SPDX-License-Identifier: GPL-2.0-only */
/* Waiting for a guest's answer: the store's domain watches, then the hypervisor's view. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lamina/types.h"

/* Milliseconds left until deadline (-1: none), at least 0. */
static int remaining(struct life *l, int64_t deadline)
{
    if (deadline < 0)
        return -1;
    uint64_t now = life_now_ms(l);
    return now >= (uint64_t)deadline ? 0 : (int)((uint64_t)deadline - now);
}

static int64_t deadline_of(struct life *l, int timeout_ms)
{
    return timeout_ms < 0 ? -1 : (int64_t)(life_now_ms(l) + (uint64_t)timeout_ms);
}

/* A shut-down domain stays when its action keeps it or nobody is watching it. Decided from
 * what the store said when the wait began: once a monitor starts tearing the domain down,
 * its records go before the domain does. */
static bool stays_down(const struct life_info *before, unsigned int reason)
{
    enum life_action act;
    if (!life_action_for(&before->actions, reason, &act))
        return false; /* suspended: a save in progress, not an end */
    return act == LIFE_PRESERVE || act == LIFE_RENAME_RESTART || before->monitor_pid == 0;
}

int life_wait_down(struct life *l, uint16_t domid, int timeout_ms, enum life_down *st,
                   unsigned int *reason)
{
    int64_t deadline = deadline_of(l, timeout_ms);
    struct life_info before;
    int rc = life_get_info(l, domid, &before);
    if (rc == ENOENT) {
        *st = LIFE_GONE;
        return 0;
    }
    if (rc)
        return rc;
    for (;;) {
        rc = life_state(l, domid, st, reason);
        if (rc)
            return rc;
        if (*st == LIFE_GONE || (*st == LIFE_SHUTDOWN && stays_down(&before, *reason)))
            return 0;
        int left = remaining(l, deadline);
        if (left == 0)
            return ETIMEDOUT;
        rc = life_wait_event(l, left);
        if (rc && rc != ETIMEDOUT)
            return rc;
    }
}

/* A live domain with this UUID other than old_id; ENOENT when there is none (yet). */
static int find_successor(struct life *l, const char *uuid, uint16_t old_id, uint16_t *domid)
{
    uint16_t id;
    int rc = life_find(l, uuid, &id);
    if (rc)
        return rc;
    if (id == old_id)
        return ENOENT;
    *domid = id;
    return 0;
}

int life_wait_successor(struct life *l, const char *uuid, uint16_t old_id, int timeout_ms,
                        uint16_t *domid)
{
    int64_t deadline = deadline_of(l, timeout_ms);
    for (;;) {
        int rc = find_successor(l, uuid, old_id, domid);
        if (rc != ENOENT)
            return rc;
        int left = remaining(l, deadline);
        if (left == 0)
            return ETIMEDOUT;
        rc = life_wait_event(l, left);
        if (rc && rc != ETIMEDOUT)
            return rc;
    }
}
