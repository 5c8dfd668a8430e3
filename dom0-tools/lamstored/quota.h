/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-domain and per-connection limits. Defaults are at least as generous
 * as Xen 4.17's xenstored (nodes 1000, node size 2048, 5 perms, path 2048,
 * 128 watches, 10 transactions, 20 outstanding requests, 2.5 MiB), because
 * real workloads hit Xen's transaction and watch limits.
 *
 * Node, node-size, perms, path and memory quotas bind unprivileged domains
 * (as in Xen); watches, transactions and outstanding requests bind every
 * connection, since those cost the daemon memory whoever asks.
 */
#ifndef LAMSTORED_QUOTA_H
#define LAMSTORED_QUOTA_H

#include <stdint.h>

enum quota_kind {
    Q_NODES,       /* nodes owned by one domain            -> ENOSPC */
    Q_NODE_SIZE,   /* bytes of one node's value            -> ENOSPC */
    Q_PERMS,       /* entries in one node's permission list -> ENOSPC */
    Q_PATH,        /* path bytes below /local/domain/<id>/ -> EINVAL */
    Q_WATCHES,     /* watches of one connection            -> E2BIG */
    Q_TXNS,        /* open transactions of one connection  -> ENOSPC */
    Q_TXN_NODES,   /* nodes touched by one transaction     -> ENOSPC */
    Q_OUTSTANDING, /* replies queued but not yet read: the daemon stops reading */
    Q_MEMORY,      /* bytes of nodes and pending output of one domain -> ENOMEM */
    Q_COUNT
};

struct quota_set {
    uint32_t v[Q_COUNT];
};

extern const char *const quota_names[Q_COUNT];

void quota_defaults(struct quota_set *q);
/* Parses "name=value" (names as in quota_names); returns 0 or EINVAL. */
int quota_parse(struct quota_set *q, const char *arg);
/* The errno a request gets when it would exceed quota k. */
int quota_errno(enum quota_kind k);

#endif
