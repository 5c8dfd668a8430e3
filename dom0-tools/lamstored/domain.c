/* SPDX-License-Identifier: GPL-2.0-only */
/* The table of domains the store knows: introduced ones and node owners. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "txn.h"
#include "util.h"

/* Two levels of 256 entries, filled on demand: most stores know few domains. */
#define DOMID_TABLE 0x10000u
#define DOM_CHUNK   256u

struct domain *domain_find(struct store *st, uint32_t domid)
{
    if (domid >= DOMID_TABLE || !st->doms[domid / DOM_CHUNK])
        return NULL;
    return st->doms[domid / DOM_CHUNK][domid % DOM_CHUNK];
}

struct domain *domain_get(struct store *st, uint32_t domid)
{
    if (domid >= DOMID_TABLE)
        return NULL;
    struct domain ***chunk = &st->doms[domid / DOM_CHUNK];
    if (!*chunk)
        *chunk = xcalloc(DOM_CHUNK, sizeof(**chunk));
    struct domain **slot = &(*chunk)[domid % DOM_CHUNK];
    if (!*slot) {
        struct domain *d = xcalloc(1, sizeof(*d));
        d->domid = domid;
        d->target = DOMID_NONE;
        d->last_quota = -1;
        *slot = d;
    }
    return *slot;
}

void domain_quota_hit(struct store *st, uint32_t domid, enum quota_kind k)
{
    struct domain *d = domain_get(st, domid);
    if (d)
        d->last_quota = (int)k;
    logmsg("dom%u: quota '%s' (limit %u) exceeded", domid, quota_names[k], st->q.v[k]);
}

int special_node(const char *path)
{
    if (strcmp(path, XS_SPECIAL_INTRODUCE) == 0)
        return SPECIAL_INTRODUCE;
    if (strcmp(path, XS_SPECIAL_RELEASE) == 0)
        return SPECIAL_RELEASE;
    return -1;
}

void special_set_perms(struct store *st, int which, const struct perm *p, uint32_t np)
{
    free(st->special_perms[which]);
    st->special_perms[which] = xmemdup(p, np * sizeof(*p));
    st->special_nperms[which] = np;
}

void store_init(struct store *st)
{
    memset(st, 0, sizeof(*st));
    tree_init(&st->tree);
    quota_defaults(&st->q);
    st->doms = xcalloc(DOMID_TABLE / DOM_CHUNK, sizeof(*st->doms));
    st->next_txid = 1;
    st->out_limit = 4u << 20;
    account_node(st, st->tree.root, +1);
    /* Like Xen: only dom0 sees domain events until it grants others read access. */
    struct perm dom0_only = {0, XS_PERM_NONE};
    special_set_perms(st, SPECIAL_INTRODUCE, &dom0_only, 1);
    special_set_perms(st, SPECIAL_RELEASE, &dom0_only, 1);
}

void store_free(struct store *st)
{
    while (st->conns)
        conn_free(st->conns);
    tree_free(&st->tree);
    for (uint32_t i = 0; i < DOMID_TABLE / DOM_CHUNK; i++) {
        for (uint32_t j = 0; st->doms[i] && j < DOM_CHUNK; j++)
            free(st->doms[i][j]);
        free(st->doms[i]);
    }
    free(st->doms);
    free(st->special_perms[0]);
    free(st->special_perms[1]);
}
