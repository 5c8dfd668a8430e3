/* SPDX-License-Identifier: GPL-2.0-only */
/* READ, WRITE, MKDIR, RM, DIRECTORY(_PART), GET_PERMS, SET_PERMS. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "perms.h"
#include "request.h"
#include "util.h"

/* Resolves argument i as a node path (no special paths). */
static int arg_path(struct request *rq, int i, char *out, uint32_t *len)
{
    bool rel;
    if (i >= rq->argc)
        return EINVAL;
    return path_resolve(rq->c, rq->argv[i], false, out, len, &rel);
}

/* Looks a node up and checks that the caller has `need` on it. */
static int get_node(struct request *rq, const char *path, uint32_t len, unsigned checks,
                    unsigned need, struct view *v)
{
    int err = txn_view(rq->c->st, rq->tx, path, len, checks, v);
    if (err)
        return err;
    if (!v->exists)
        return missing_node_errno(rq, path, len);
    if ((perm_for(rq->c, v->perms, v->nperms) & need) != need)
        return EACCES;
    return 0;
}

int op_read(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    struct view v = {0};
    int err = arg_path(rq, 0, path, &len);
    if (!err)
        err = get_node(rq, path, len, TXC_GEN, XS_PERM_READ, &v);
    if (!err)
        err = reply_bytes(rq, v.value, v.vlen);
    return err;
}

/*
 * Creates path and any missing ancestors in rq->tx. The caller needs write
 * access to the nearest existing ancestor; new nodes inherit its
 * permissions, and an unprivileged creator becomes their owner.
 */
static int create_path(struct request *rq, const char *path, uint32_t len, const void *val,
                       uint32_t vlen)
{
    struct store *st = rq->c->st;
    uint32_t ends[XS_ABS_PATH_MAX / 2 + 2];
    uint32_t n = 0, plen = len;
    struct view v = {0};
    int err;

    for (;;) {
        ends[n++] = plen;
        plen = path_parent_len(path, plen);
        err = txn_view(st, rq->tx, path, plen, 0, &v);
        if (err)
            return err;
        if (v.exists)
            break;
    }
    if (!(perm_for(rq->c, v.perms, v.nperms) & XS_PERM_WRITE))
        return EACCES;
    uint32_t np = v.nperms;
    struct perm *perms = xmemdup(v.perms, np * sizeof(*perms));
    if (!rq->c->privileged)
        perms[0].domid = rq->c->domid;
    while (n-- > 0 && !err) {
        bool last = n == 0;
        err = txn_put(st, rq->tx, path, ends[n], last ? val : "", last ? vlen : 0, perms, np);
    }
    free(perms);
    return err;
}

int op_write(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    struct view v = {0};
    bool rel;
    size_t plen = strnlen(rq->payload, rq->len);
    int err;

    if (plen >= rq->len)
        return EINVAL; /* no NUL after the path */
    const char *val = rq->payload + plen + 1;
    uint32_t vlen = rq->len - (uint32_t)plen - 1;
    err = path_resolve(rq->c, rq->payload, false, path, &len, &rel);
    if (err)
        return err;
    if (!rq->c->privileged && vlen > rq->c->st->q.v[Q_NODE_SIZE]) {
        domain_quota_hit(rq->c->st, rq->c->domid, Q_NODE_SIZE);
        return quota_errno(Q_NODE_SIZE);
    }
    err = txn_view(rq->c->st, rq->tx, path, len, TXC_GEN, &v);
    if (err)
        return err;
    if (v.exists) {
        if (!(perm_for(rq->c, v.perms, v.nperms) & XS_PERM_WRITE))
            return EACCES;
        err = txn_put(rq->c->st, rq->tx, path, len, val, vlen, v.perms, v.nperms);
    } else {
        err = create_path(rq, path, len, val, vlen);
    }
    return err ? err : reply_ok(rq);
}

int op_mkdir(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    struct view v = {0};
    int err = arg_path(rq, 0, path, &len);
    if (err)
        return err;
    err = txn_view(rq->c->st, rq->tx, path, len, TXC_GEN, &v);
    if (err)
        return err;
    if (v.exists)
        err = (perm_for(rq->c, v.perms, v.nperms) & XS_PERM_WRITE) ? 0 : EACCES;
    else
        err = create_path(rq, path, len, "", 0);
    return err ? err : reply_ok(rq);
}

int op_rm(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    struct view v = {0};
    int err = arg_path(rq, 0, path, &len);
    if (err)
        return err;
    err = txn_view(rq->c->st, rq->tx, path, len, TXC_GEN, &v);
    if (err)
        return err;
    if (!v.exists) {
        /* Not an error when the parent exists. */
        err = missing_node_errno(rq, path, len);
        if (err == ENOENT && len > 1) {
            struct view pv = {0};
            if (!txn_view(rq->c->st, rq->tx, path, path_parent_len(path, len), 0, &pv) && pv.exists)
                return reply_ok(rq);
        }
        return err;
    }
    if (len == 1)
        return EINVAL; /* the root stays */
    if (!(perm_for(rq->c, v.perms, v.nperms) & XS_PERM_WRITE))
        return EACCES;
    err = txn_wipe(rq->c->st, rq->tx, path, len);
    return err ? err : reply_ok(rq);
}

/* Children of a readable node as "a\0b\0" (malloc'd). */
static int list_children(struct request *rq, const char *path, uint32_t len, char **names,
                         uint32_t *nlen)
{
    struct view v = {0};
    int err = get_node(rq, path, len, TXC_CGEN, XS_PERM_READ, &v);
    if (err)
        return err;
    return txn_children(rq->c->st, rq->tx, path, len, names, nlen);
}

int op_directory(struct request *rq)
{
    char path[PATH_BUF], *names = NULL;
    uint32_t len, nlen = 0;
    int err = arg_path(rq, 0, path, &len);
    if (!err)
        err = list_children(rq, path, len, &names, &nlen);
    if (!err)
        err = reply_bytes(rq, names, nlen);
    free(names);
    return err;
}

/*
 * DIRECTORY_PART "path\0offset\0" -> "gen\0" + whole names from offset; an
 * extra NUL marks the end of the list. gen changes whenever the list does
 * (a hash of its bytes), so a client can restart a listing that moved.
 */
int op_directory_part(struct request *rq)
{
    char path[PATH_BUF], *names = NULL, gen[32];
    uint32_t len, nlen = 0, off;
    int err = arg_path(rq, 0, path, &len);
    if (!err && (rq->argc < 2 || parse_u32(rq->argv[1], &off)))
        err = EINVAL;
    if (!err)
        err = list_children(rq, path, len, &names, &nlen);
    if (err)
        return err;
    uint64_t h = ((uint64_t)hash_bytes(names, nlen) << 32) | nlen;
    snprintf(gen, sizeof(gen), "%" PRIu64, h);
    err = reply_str(rq, gen);
    uint32_t room = (uint32_t)sizeof(rq->reply) - rq->rlen - 1;
    uint32_t end = off;
    if (off > nlen)
        off = end = nlen;
    while (end < nlen) {
        uint32_t next = end + (uint32_t)strlen(names + end) + 1;
        if (next - off > room)
            break;
        end = next;
    }
    if (!err)
        err = reply_bytes(rq, names + off, end - off);
    if (!err && end == nlen)
        err = reply_bytes(rq, "", 1);
    free(names);
    return err;
}

/* GET_PERMS/SET_PERMS on "@introduceDomain"/"@releaseDomain": -1 if not special. */
static int special_arg(struct request *rq)
{
    return rq->argc >= 1 ? special_node(rq->argv[0]) : -1;
}

int op_get_perms(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len;
    struct view v = {0};
    struct store *st = rq->c->st;
    int which = special_arg(rq);
    if (which >= 0) {
        if (!(perm_for(rq->c, st->special_perms[which], st->special_nperms[which]) & XS_PERM_READ))
            return EACCES;
        rq->rlen = perms_format(st->special_perms[which], st->special_nperms[which], rq->reply,
                                sizeof(rq->reply));
        return rq->rlen ? 0 : E2BIG;
    }
    int err = arg_path(rq, 0, path, &len);
    if (!err)
        err = get_node(rq, path, len, TXC_GEN, XS_PERM_READ, &v);
    if (err)
        return err;
    rq->rlen = perms_format(v.perms, v.nperms, rq->reply, sizeof(rq->reply));
    return rq->rlen ? 0 : E2BIG;
}

int op_set_perms(struct request *rq)
{
    char path[PATH_BUF];
    uint32_t len, np;
    struct view v = {0};
    struct perm perms[REQ_MAX_ARGS];
    int which = special_arg(rq);
    int err = which >= 0 ? 0 : arg_path(rq, 0, path, &len);
    if (err)
        return err;
    np = (uint32_t)rq->argc - 1;
    if (np == 0)
        return EINVAL;
    if (!rq->c->privileged && np > rq->c->st->q.v[Q_PERMS]) {
        domain_quota_hit(rq->c->st, rq->c->domid, Q_PERMS);
        return quota_errno(Q_PERMS);
    }
    if (np >= REQ_MAX_ARGS - 1)
        return E2BIG;
    for (uint32_t i = 0; i < np; i++)
        if (perm_parse(rq->argv[i + 1], &perms[i]))
            return EINVAL;
    if (which >= 0) {
        /* Who hears about domains is dom0's decision. */
        if (!rq->c->privileged || rq->c->readonly)
            return EACCES;
        special_set_perms(rq->c->st, which, perms, np);
        return reply_ok(rq);
    }
    err = get_node(rq, path, len, TXC_GEN, XS_PERM_WRITE | XS_PERM_OWNER, &v);
    if (err)
        return err;
    /* Only privileged callers may give a node away. Xen 4.17 answers a guest's owner
     * change with EPERM (the caller may write the node; it may not hand it over). */
    if (!rq->c->privileged && perms[0].domid != v.perms[0].domid)
        return EPERM;
    err = txn_put(rq->c->st, rq->tx, path, len, v.value, v.vlen, perms, np);
    return err ? err : reply_ok(rq);
}
