/* SPDX-License-Identifier: GPL-2.0-only */
/* Quota names, defaults and command-line parsing (see quota.h). */
#include <errno.h>
#include <string.h>

#include "quota.h"
#include "util.h"

const char *const quota_names[Q_COUNT] = {
    [Q_NODES] = "nodes",
    [Q_NODE_SIZE] = "node-size",
    [Q_PERMS] = "perms",
    [Q_PATH] = "path-length",
    [Q_WATCHES] = "watches",
    [Q_TXNS] = "transactions",
    [Q_TXN_NODES] = "transaction-nodes",
    [Q_OUTSTANDING] = "outstanding",
    [Q_MEMORY] = "memory",
};

void quota_defaults(struct quota_set *q)
{
    q->v[Q_NODES] = 8192;
    q->v[Q_NODE_SIZE] = 4096;
    q->v[Q_PERMS] = 32;
    q->v[Q_PATH] = 2048;
    q->v[Q_WATCHES] = 1024;
    q->v[Q_TXNS] = 64;
    q->v[Q_TXN_NODES] = 4096;
    q->v[Q_OUTSTANDING] = 64;
    q->v[Q_MEMORY] = 16u << 20;
}

int quota_parse(struct quota_set *q, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return EINVAL;
    for (int k = 0; k < Q_COUNT; k++) {
        if (strlen(quota_names[k]) == (size_t)(eq - arg) &&
            strncmp(quota_names[k], arg, (size_t)(eq - arg)) == 0) {
            uint32_t v;
            if (parse_u32(eq + 1, &v) || v == 0)
                return EINVAL;
            q->v[k] = v;
            return 0;
        }
    }
    return EINVAL;
}

int quota_errno(enum quota_kind k)
{
    switch (k) {
    case Q_PATH:
        return EINVAL;
    case Q_WATCHES:
        return E2BIG;
    case Q_MEMORY:
        return ENOMEM;
    default:
        return ENOSPC;
    }
}
