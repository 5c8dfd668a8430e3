/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State file (see persist.h). Binary, little-endian host order (the file
 * never leaves the machine), written to FILE.tmp and renamed:
 *   "LAMSTOR1"
 *   'N' pathlen path vlen value nperms {domid bits}*   nodes, parents first
 *   'D' domid mfn(u64) port target introduced shutdown  domains
 *   'W' domid relative pathlen path toklen token       ring watches
 *   'T' domid txid                                      open ring transactions
 *   'I' domid len bytes                                 unprocessed ring input
 *   'O' domid reply len bytes                           unsent ring output
 *   'S' which nperms {domid bits}*                      special node permissions
 *   'E'
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "persist.h"
#include "store.h"
#include "txn.h"
#include "util.h"
#include "watch.h"

static const char magic[8] = {'L', 'A', 'M', 'S', 'T', 'O', 'R', '1'};

static void put32(FILE *f, uint32_t v)
{
    fwrite(&v, sizeof(v), 1, f);
}

static void putblob(FILE *f, const void *p, uint32_t n)
{
    put32(f, n);
    if (n)
        fwrite(p, 1, n, f);
}

static int save_node(struct node *n, void *arg)
{
    FILE *f = arg;
    fputc('N', f);
    putblob(f, n->path, n->pathlen);
    putblob(f, n->value, n->vlen);
    put32(f, n->nperms);
    fwrite(n->perms, sizeof(*n->perms), n->nperms, f);
    return 0;
}

static void save_conn(FILE *f, const struct conn *c)
{
    for (const struct watch *w = c->watches; w; w = w->next) {
        fputc('W', f);
        put32(f, c->domid);
        fputc(w->relative ? 1 : 0, f);
        putblob(f, w->path, (uint32_t)strlen(w->path));
        putblob(f, w->token, (uint32_t)strlen(w->token));
    }
    for (const struct txn *tx = c->txns; tx; tx = tx->next) {
        fputc('T', f);
        put32(f, c->domid);
        put32(f, tx->id);
    }
    if (c->rlen) {
        fputc('I', f);
        put32(f, c->domid);
        putblob(f, c->rbuf, c->rlen);
    }
    for (const struct outmsg *m = c->oh; m; m = m->next) {
        fputc('O', f);
        put32(f, c->domid);
        fputc(m->reply ? 1 : 0, f);
        putblob(f, m->data + m->off, m->len - m->off);
    }
}

int persist_save(struct store *st, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    fwrite(magic, 1, sizeof(magic), f);
    tree_walk(st->tree.root, save_node, f);
    for (uint32_t id = 0; id < DOMID_FIRST_RESERVED; id++) {
        struct domain *d = domain_find(st, id);
        if (!d || (!d->introduced && !d->conn && d->target == DOMID_NONE))
            continue;
        fputc('D', f);
        put32(f, d->domid);
        fwrite(&d->mfn, sizeof(d->mfn), 1, f);
        put32(f, d->port);
        put32(f, d->target);
        fputc(d->introduced ? 1 : 0, f);
        fputc(d->shutdown_reported ? 1 : 0, f);
    }
    for (uint32_t id = 0; id < DOMID_FIRST_RESERVED; id++) {
        struct domain *d = domain_find(st, id);
        if (d && d->conn)
            save_conn(f, d->conn);
    }
    for (uint32_t w = 0; w < 2; w++) {
        fputc('S', f);
        put32(f, w);
        put32(f, st->special_nperms[w]);
        fwrite(st->special_perms[w], sizeof(struct perm), st->special_nperms[w], f);
    }
    fputc('E', f);
    int bad = ferror(f);
    if (fflush(f) || fsync(fileno(f)))
        bad = 1;
    if (fclose(f) || bad || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

struct reader {
    FILE *f;
    bool bad;
};

static uint32_t get32(struct reader *r)
{
    uint32_t v = 0;
    if (fread(&v, sizeof(v), 1, r->f) != 1)
        r->bad = true;
    return v;
}

static int get8(struct reader *r)
{
    int ch = fgetc(r->f);
    if (ch == EOF)
        r->bad = true;
    return ch;
}

/* Reads a length-prefixed blob of at most max bytes, NUL-terminated (malloc'd). */
static char *getblob(struct reader *r, uint32_t max, uint32_t *len)
{
    uint32_t n = get32(r);
    if (r->bad || n > max) {
        r->bad = true;
        return NULL;
    }
    char *p = xmalloc(n + 1);
    if (n && fread(p, 1, n, r->f) != n)
        r->bad = true;
    p[n] = '\0';
    *len = n;
    return p;
}

static void load_node(struct store *st, struct reader *r)
{
    uint32_t plen, vlen, np;
    char *path = getblob(r, XS_ABS_PATH_MAX, &plen);
    char *val = getblob(r, 1u << 20, &vlen);
    np = get32(r);
    struct perm *p = NULL;
    if (!r->bad && np >= 1 && np <= 0x10000) {
        p = xmalloc(np * sizeof(*p));
        if (fread(p, sizeof(*p), np, r->f) != np)
            r->bad = true;
    } else {
        r->bad = true;
    }
    if (!r->bad) {
        struct node *n = tree_find(&st->tree, path, plen);
        if (n) { /* the root */
            account_node(st, n, -1);
            node_set_value(&st->tree, n, val, vlen);
            node_set_perms(&st->tree, n, p, np);
        } else {
            struct node *parent = tree_find(&st->tree, path, path_parent_len(path, plen));
            if (!parent || plen < 2)
                r->bad = true;
            else
                n = tree_add(&st->tree, parent, path, plen, val, vlen, p, np);
        }
        if (n)
            account_node(st, n, +1);
    }
    free(path);
    free(val);
    free(p);
}

static void load_domain(struct store *st, struct reader *r)
{
    uint32_t domid = get32(r);
    uint64_t mfn = 0;
    if (fread(&mfn, sizeof(mfn), 1, r->f) != 1)
        r->bad = true;
    uint32_t port = get32(r), target = get32(r);
    int introduced = get8(r), shut = get8(r);
    struct domain *d = r->bad ? NULL : domain_get(st, domid);
    if (!d) {
        r->bad = true;
        return;
    }
    d->mfn = mfn;
    d->port = port;
    d->target = target;
    d->shutdown_reported = shut == 1;
    if (introduced == 1) {
        if (domid && st->rings && st->rings->attach && st->rings->attach(st, d))
            logmsg("dom%u: ring could not be mapped again", domid);
        d->introduced = true;
    }
}

/* The ring connection a per-connection record belongs to, if it still exists. */
static struct conn *record_conn(struct store *st, struct reader *r)
{
    struct domain *d = domain_find(st, get32(r));
    return d ? d->conn : NULL;
}

int persist_load(struct store *st, const char *path)
{
    char m[sizeof(magic)];
    struct reader r = {fopen(path, "rb"), false};
    uint32_t len;
    if (!r.f)
        return errno == ENOENT ? 0 : -1;
    if (fread(m, 1, sizeof(m), r.f) != sizeof(m) || memcmp(m, magic, sizeof(m)) != 0)
        r.bad = true;
    while (!r.bad) {
        int kind = get8(&r);
        if (kind == 'E')
            break;
        if (kind == 'N') {
            load_node(st, &r);
        } else if (kind == 'D') {
            load_domain(st, &r);
        } else if (kind == 'W') {
            struct conn *c = record_conn(st, &r);
            int rel = get8(&r);
            uint32_t tl;
            char *wp = getblob(&r, XS_ABS_PATH_MAX, &len);
            char *tok = getblob(&r, XS_PAYLOAD_MAX, &tl);
            if (c && !r.bad)
                watch_add(c, wp, tok, rel == 1);
            free(wp);
            free(tok);
        } else if (kind == 'T') {
            struct conn *c = record_conn(st, &r);
            uint32_t id = get32(&r);
            if (c && !r.bad)
                txn_open(c, id)->failed = EAGAIN; /* its overlay is gone: retry */
        } else if (kind == 'I' || kind == 'O') {
            struct conn *c = record_conn(st, &r);
            int reply = kind == 'O' ? get8(&r) : 0;
            char *b = getblob(&r, CONN_RBUF, &len);
            if (c && !r.bad && kind == 'I' && len <= CONN_RBUF - c->rlen) {
                memcpy(c->rbuf + c->rlen, b, len);
                c->rlen += len;
            } else if (c && !r.bad && kind == 'O') {
                conn_queue_raw(c, b, len, reply == 1);
            }
            free(b);
        } else if (kind == 'S') {
            uint32_t w = get32(&r), np = get32(&r);
            if (r.bad || w > 1 || np < 1 || np > 0x10000) {
                r.bad = true;
                break;
            }
            struct perm *p = xmalloc(np * sizeof(*p));
            if (fread(p, sizeof(*p), np, r.f) != np)
                r.bad = true;
            else
                special_set_perms(st, (int)w, p, np);
            free(p);
        } else {
            r.bad = true;
        }
    }
    fclose(r.f);
    if (r.bad)
        logmsg("state file %s is damaged", path);
    return r.bad ? -1 : 0;
}
