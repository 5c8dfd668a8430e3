/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONTROL "<command>\0[<args>\0]": the daemon's own commands, for
 * privileged connections only.
 *   help                 list the commands
 *   dump [FILE]          every node with its value and permissions (reply, or into FILE)
 *   quota [DOMID]        the limits, or one domain's usage and the last quota it hit
 *   stats                request, conflict, node and connection counts
 *   check                recount nodes per owner against the quota accounting
 *   restrict DOMID       make this connection act as unprivileged domain DOMID
 *                        (irreversible; for tests and for deprivileged tools)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perms.h"
#include "request.h"
#include "txn.h"
#include "util.h"

struct text {
    char *buf;
    size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static int dump_node(struct node *n, void *arg)
{
    struct text *t = arg;
    char perms[XS_PAYLOAD_MAX], esc[8];
    uint32_t pl = perms_format(n->perms, n->nperms, perms, sizeof(perms));
    text_add(t, n->path, n->pathlen);
    text_add(t, " = \"", 4);
    for (uint32_t i = 0; i < n->vlen; i++) {
        unsigned char ch = (unsigned char)n->value[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
            text_add(t, (const char *)&ch, 1);
        } else {
            snprintf(esc, sizeof(esc), "\\x%02x", ch);
            text_add(t, esc, 4);
        }
    }
    text_add(t, "\" (", 3);
    for (uint32_t i = 0; i < pl; i++)
        text_add(t, perms[i] ? &perms[i] : " ", 1);
    if (pl)
        t->len--; /* trailing separator */
    text_add(t, ")\n", 2);
    return 0;
}

static int cmd_dump(struct request *rq)
{
    struct text t = {0};
    int err = 0;
    tree_walk(rq->c->st->tree.root, dump_node, &t);
    if (rq->argc >= 2) {
        FILE *f = fopen(rq->argv[1], "w");
        if (!f || fwrite(t.buf, 1, t.len, f) != t.len)
            err = EIO;
        if (f && fclose(f))
            err = EIO;
        if (!err)
            err = reply_ok(rq);
    } else {
        err = reply_bytes(rq, t.buf, (uint32_t)t.len + 1);
    }
    free(t.buf);
    return err;
}

static int cmd_quota(struct request *rq)
{
    struct store *st = rq->c->st;
    char line[160];
    uint32_t domid;
    if (rq->argc >= 2) {
        if (parse_u32(rq->argv[1], &domid) || domid >= DOMID_FIRST_RESERVED)
            return EINVAL;
        struct domain *d = domain_find(st, domid);
        snprintf(line, sizeof(line), "nodes=%u memory=%llu last-exceeded=%s", d ? d->nodes : 0,
                 d ? (unsigned long long)d->memory : 0ull,
                 d && d->last_quota >= 0 ? quota_names[d->last_quota] : "none");
        return reply_str(rq, line);
    }
    for (int k = 0; k < Q_COUNT; k++) {
        int n = snprintf(line, sizeof(line), "%s=%u\n", quota_names[k], st->q.v[k]);
        int err = reply_bytes(rq, line, (uint32_t)n);
        if (err)
            return err;
    }
    return reply_bytes(rq, "", 1);
}

static int cmd_stats(struct request *rq)
{
    struct store *st = rq->c->st;
    char line[200];
    unsigned conns = 0;
    for (struct conn *c = st->conns; c; c = c->next)
        conns++;
    snprintf(line, sizeof(line), "requests=%llu conflicts=%llu nodes=%u connections=%u",
             (unsigned long long)st->requests, (unsigned long long)st->conflicts, st->tree.count,
             conns);
    return reply_str(rq, line);
}

struct recount {
    uint32_t *nodes;
};

static int recount_node(struct node *n, void *arg)
{
    struct recount *r = arg;
    r->nodes[n->perms[0].domid & 0xffff]++;
    return 0;
}

static int cmd_check(struct request *rq)
{
    struct store *st = rq->c->st;
    struct recount r = {xcalloc(0x10000, sizeof(uint32_t))};
    int bad = 0;
    tree_walk(st->tree.root, recount_node, &r);
    for (uint32_t i = 0; i < 0x10000; i++) {
        struct domain *d = domain_find(st, i);
        if ((d ? d->nodes : 0) != r.nodes[i])
            bad = 1;
    }
    free(r.nodes);
    return bad ? EIO : reply_ok(rq);
}

static int cmd_restrict(struct request *rq)
{
    uint32_t domid;
    if (rq->argc < 2 || parse_u32(rq->argv[1], &domid) || domid == 0 ||
        domid >= DOMID_FIRST_RESERVED)
        return EINVAL;
    rq->c->domid = domid;
    rq->c->privileged = false;
    return reply_ok(rq);
}

int op_control(struct request *rq)
{
    static const struct {
        const char *name;
        int (*fn)(struct request *rq);
    } cmds[] = {
        {"dump", cmd_dump},   {"quota", cmd_quota},       {"stats", cmd_stats},
        {"check", cmd_check}, {"restrict", cmd_restrict},
    };
    if (rq->argc < 1)
        return EINVAL;
    if (strcmp(rq->argv[0], "help") == 0)
        return reply_str(rq, "help\ndump [FILE]\nquota [DOMID]\nstats\ncheck\nrestrict DOMID\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(rq->argv[0], cmds[i].name) == 0)
            return cmds[i].fn(rq);
    return EINVAL;
}
