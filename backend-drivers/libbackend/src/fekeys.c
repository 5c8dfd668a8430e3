/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frontend's ring keys (split-drivers.md 3.5): the guest writes them, so each one is
 * parsed strictly and checked against what we offered before anything is mapped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamback.h"

/* An optional number: *v keeps its default when the key is absent. */
static int read_num(lb_key_reader rd, void *ctx, const char *key, uint64_t max, bool optional,
                    uint64_t *v, char *why, size_t why_len)
{
    char *s = NULL;
    int err = rd(ctx, key, &s);
    if (err == ENOENT && optional)
        return 0;
    if (err) {
        snprintf(why, why_len, "reading %s: %s", key, strerror(err));
        return err;
    }
    bool ok = lb_parse_uint(s, max, v);
    if (!ok)
        snprintf(why, why_len, "%s: \"%.32s\" is not a number up to %llu", key, s,
                 (unsigned long long)max);
    free(s);
    return ok ? 0 : EINVAL;
}

static int read_queue(lb_key_reader rd, void *ctx, const char *dir, unsigned order,
                      struct lb_fe_queue *q, char *why, size_t why_len)
{
    char key[64];
    uint64_t v = 0;
    unsigned pages = 1u << order;
    for (unsigned i = 0; i < pages; i++) {
        if (order == 0)
            snprintf(key, sizeof(key), "%sring-ref", dir);
        else
            snprintf(key, sizeof(key), "%sring-ref%u", dir, i);
        int err = read_num(rd, ctx, key, UINT32_MAX, false, &v, why, why_len);
        if (err)
            return err;
        q->refs[i] = (uint32_t)v;
    }
    snprintf(key, sizeof(key), "%sevent-channel", dir);
    int err = read_num(rd, ctx, key, UINT32_MAX, false, &v, why, why_len);
    q->port = (uint32_t)v;
    return err;
}

int lb_fe_config_read(lb_key_reader rd, void *ctx, unsigned max_order, unsigned max_queues,
                      struct lb_fe_config *cfg, char *why, size_t why_len)
{
    memset(cfg, 0, sizeof(*cfg));
    if (max_order > LB_MAX_RING_ORDER)
        max_order = LB_MAX_RING_ORDER;
    if (max_queues > LB_MAX_QUEUES)
        max_queues = LB_MAX_QUEUES;
    uint64_t order = 0, nq = 1;
    int err = read_num(rd, ctx, "ring-page-order", max_order, true, &order, why, why_len);
    if (!err)
        err = read_num(rd, ctx, "multi-queue-num-queues", max_queues, true, &nq, why, why_len);
    if (err)
        return err;
    if (nq == 0) {
        snprintf(why, why_len, "multi-queue-num-queues is 0");
        return EINVAL;
    }
    char *proto = NULL;
    err = rd(ctx, "protocol", &proto);
    if (!err && strcmp(proto, "x86_64-abi") != 0) {
        snprintf(why, why_len, "protocol \"%.32s\": only x86_64-abi is served", proto);
        err = EPROTONOSUPPORT;
    } else if (err == ENOENT) {
        err = 0; /* absent means native */
    } else if (err) {
        snprintf(why, why_len, "reading protocol: %s", strerror(err));
    }
    free(proto);
    if (err)
        return err;
    cfg->ring_order = (unsigned)order;
    cfg->nr_queues = (unsigned)nq;
    for (unsigned i = 0; i < cfg->nr_queues; i++) {
        char dir[24] = "";
        if (cfg->nr_queues > 1)
            snprintf(dir, sizeof(dir), "queue-%u/", i);
        err = read_queue(rd, ctx, dir, cfg->ring_order, &cfg->q[i], why, why_len);
        if (err)
            return err;
    }
    return 0;
}
