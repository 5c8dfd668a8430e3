/* The table of domains the store knows: introduced ones and node owners. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "txn.h"
#include "util.h"

#define DOMID_TABLE 0x10000u

struct domain *domain_find(struct store *st, uint32_t domid)
{
    return domid < DOMID_TABLE ? st->doms[domid] : NULL;
}

struct domain *domain_get(struct store *st, uint32_t domid)
{
    if (domid >= DOMID_TABLE)
        return NULL;
    if (!st->doms[domid]) {
        struct domain *d = xcalloc(1, sizeof(*d));
        d->domid = domid;
        d->target = DOMID_NONE;
        d->last_quota = -1;
        st->doms[domid] = d;
    }
    return st->doms[domid];
}

void domain_quota_hit(struct store *st, uint32_t domid, enum quota_kind k)
{
    struct domain *d = domain_get(st, domid);
    if (d)
        d->last_quota = (int)k;
    logmsg("dom%u: quota '%s' (limit %u) exceeded", domid, quota_names[k], st->q.v[k]);
}

void store_init(struct store *st)
{
    memset(st, 0, sizeof(*st));
    tree_init(&st->tree);
    quota_defaults(&st->q);
    st->doms = xcalloc(DOMID_TABLE, sizeof(*st->doms));
    st->next_txid = 1;
    st->out_limit = 4u << 20;
    account_node(st, st->tree.root, +1);
}

void store_free(struct store *st)
{
    while (st->conns)
        conn_free(st->conns);
    tree_free(&st->tree);
    for (uint32_t i = 0; i < DOMID_TABLE; i++)
        free(st->doms[i]);
    free(st->doms);
}
