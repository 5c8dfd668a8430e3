/* SPDX-License-Identifier: GPL-2.0-only */
/* Watch registration and event delivery (see watch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "perms.h"
#include "store.h"
#include "util.h"
#include "watch.h"

int watch_add(struct conn *c, const char *path, const char *token, bool relative)
{
    for (struct watch *w = c->watches; w; w = w->next)
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return EEXIST;
    if (c->nwatches >= c->st->q.v[Q_WATCHES]) {
        domain_quota_hit(c->st, c->domid, Q_WATCHES);
        return quota_errno(Q_WATCHES);
    }
    struct watch *w = xcalloc(1, sizeof(*w));
    w->path = xstrndup(path, strlen(path));
    w->token = xstrndup(token, strlen(token));
    w->relative = relative;
    w->next = c->watches;
    c->watches = w;
    c->nwatches++;
    return 0;
}

static void watch_free(struct watch *w)
{
    free(w->path);
    free(w->token);
    free(w);
}

int watch_remove(struct conn *c, const char *path, const char *token)
{
    for (struct watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct watch *w = *pp;
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->next;
            watch_free(w);
            c->nwatches--;
            return 0;
        }
    }
    return ENOENT;
}

void watch_remove_all(struct conn *c)
{
    while (c->watches) {
        struct watch *w = c->watches;
        c->watches = w->next;
        watch_free(w);
    }
    c->nwatches = 0;
}

void watch_send(struct conn *c, const struct watch *w, const char *path, uint32_t len)
{
    char buf[XS_PAYLOAD_MAX];
    uint32_t tlen = (uint32_t)strlen(w->token);
    if (w->relative && path[0] == '/') {
        char home[32];
        uint32_t hl = path_domain_home(c->domid, home);
        if (len > hl + 1 && memcmp(path, home, hl) == 0 && path[hl] == '/') {
            path += hl + 1;
            len -= hl + 1;
        }
    }
    if (len + tlen + 2 > sizeof(buf))
        return;
    memcpy(buf, path, len);
    buf[len] = '\0';
    memcpy(buf + len + 1, w->token, tlen + 1);
    conn_queue(c, XS_WATCH_EVENT, 0, 0, buf, len + tlen + 2, false);
}

void watch_fire(struct store *st, const char *path, uint32_t len, bool recursive,
                const struct perm *perms, uint32_t nperms)
{
    for (struct conn *c = st->conns; c; c = c->next) {
        if (!c->watches || c->dead)
            continue;
        /* Applications may rely on events only for nodes they can read. */
        if (!(perm_for(c, perms, nperms) & XS_PERM_READ))
            continue;
        for (struct watch *w = c->watches; w; w = w->next) {
            uint32_t wl = (uint32_t)strlen(w->path);
            if (w->path[0] == '@')
                continue;
            if (path_is_below(path, len, w->path, wl))
                watch_send(c, w, path, len);
            else if (recursive && path_is_below(w->path, wl, path, len))
                watch_send(c, w, w->path, wl);
        }
    }
}

void watch_fire_special(struct store *st, const char *name)
{
    int which = special_node(name);
    for (struct conn *c = st->conns; c; c = c->next) {
        if (c->dead || which < 0 ||
            !(perm_for(c, st->special_perms[which], st->special_nperms[which]) & XS_PERM_READ))
            continue;
        for (struct watch *w = c->watches; w; w = w->next)
            if (strcmp(w->path, name) == 0)
                watch_send(c, w, name, (uint32_t)strlen(name));
    }
}
