/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding domains, as xenconsoled does: the hypervisor's domain list is the truth about
 * which domains exist; the store says where their consoles are. @introduceDomain and
 * @releaseDomain (and each waiting domain's console directory) trigger a rescan, and so
 * does a periodic tick, which also reconnects to lamstored after it restarted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "consoled.h"
#include "hvctl.h"
#include "xsclient.h"
#include "xsproto.h"

#define STORE_TIMEOUT_MS 2000

static struct tag store_tag = {TAG_STORE, NULL};

static void store_drop(struct daemon *dm, int err)
{
    logmsg("store: %s; reconnecting", strerror(err));
    epoll_ctl(dm->epfd, EPOLL_CTL_DEL, xsc_fd(dm->store), NULL);
    xsc_close(dm->store);
    dm->store = NULL;
    for (struct cdom *d = dm->doms; d; d = d->next)
        d->watching = false;
}

void store_connect(struct daemon *dm)
{
    static bool said;
    if (dm->store)
        return;
    struct xsc *h = xsc_open_timeout(dm->store_path, STORE_TIMEOUT_MS);
    if (!h) {
        if (!said)
            logmsg("store: %s: %s; retrying every few seconds (is lamstored running?)",
                   dm->store_path, strerror(errno));
        said = true;
        return;
    }
    int err = xsc_watch(h, XS_SPECIAL_INTRODUCE, "domlist");
    if (!err)
        err = xsc_watch(h, XS_SPECIAL_RELEASE, "domlist");
    if (err) {
        logmsg("store: watching @introduceDomain/@releaseDomain: %s", strerror(err));
        xsc_close(h);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &store_tag};
    epoll_ctl(dm->epfd, EPOLL_CTL_ADD, xsc_fd(h), &ev);
    dm->store = h;
    said = false;
    logmsg("store: connected to %s, watching @introduceDomain and @releaseDomain", dm->store_path);
}

int store_read(struct daemon *dm, uint16_t domid, const char *key, char *buf, unsigned len)
{
    if (!dm->store)
        return ENOTCONN;
    char path[96], *v = NULL;
    uint32_t vlen = 0;
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
    int err = xsc_read(dm->store, XSC_NO_TX, path, &v, &vlen);
    if (err == ETIMEDOUT || err == ECONNRESET || err == EPIPE || err == EPROTO) {
        store_drop(dm, err);
        return err;
    }
    if (err)
        return err;
    /* A value with a NUL in it, or too long, is cut there: it is then checked as text. */
    snprintf(buf, len, "%s", v);
    free(v);
    return 0;
}

void store_watch_console(struct daemon *dm, struct cdom *d, bool on)
{
    if (!dm->store || d->watching == on)
        return;
    char path[64], token[32];
    snprintf(path, sizeof(path), "/local/domain/%u/console", d->domid);
    snprintf(token, sizeof(token), "console/%u", d->domid);
    int err = on ? xsc_watch(dm->store, path, token) : xsc_unwatch(dm->store, path, token);
    if (err == ETIMEDOUT || err == ECONNRESET || err == EPIPE || err == EPROTO)
        store_drop(dm, err);
    else
        d->watching = on && !err;
}

int store_fd(const struct daemon *dm)
{
    return dm->store ? xsc_fd(dm->store) : -1;
}

/* Events queued by the library while it waited for a reply count too: the main loop calls
 * this on every pass, not only when the socket is readable. Registering a watch fires it
 * once, so a rescan may bring one more event, never an endless stream. */
void store_events(struct daemon *dm)
{
    bool rescan = false;
    while (dm->store) {
        char *path, *token;
        int err = xsc_read_watch(dm->store, 0, &path, &token);
        if (err == ETIMEDOUT)
            break;
        if (err) {
            store_drop(dm, err);
            break;
        }
        rescan = true;
        free(path);
        free(token);
    }
    if (rescan)
        scan_domains(dm);
}

static struct cdom *dom_new(struct daemon *dm, uint16_t domid)
{
    struct cdom *d = calloc(1, sizeof(*d));
    if (!d || lcons_buf_init(&d->history, HISTORY_BYTES) ||
        lcons_buf_init(&d->input, INPUT_BYTES)) {
        if (d) {
            lcons_buf_free(&d->history);
            free(d);
        }
        logmsg("d%u: out of memory", domid);
        return NULL;
    }
    d->domid = domid;
    d->log.fd = -1;
    snprintf(d->name, sizeof(d->name), "d%u", domid);
    d->next = dm->doms;
    dm->doms = d;
    return d;
}

void scan_domains(struct daemon *dm)
{
    struct hvctl_dominfo *list;
    size_t n;
    int rc = hvctl_domain_list(dm->hv, &list, &n);
    if (rc) {
        logmsg("listing domains: %s", hvctl_strerror(rc));
        return;
    }
    for (struct cdom *d = dm->doms; d; d = d->next)
        d->seen = false;
    for (size_t i = 0; i < n; i++) {
        if (list[i].domid == 0 || list[i].dying)
            continue;
        struct cdom *d = dom_find(dm, list[i].domid);
        if (!d)
            d = dom_new(dm, list[i].domid);
        if (!d)
            continue;
        d->seen = true;
        dom_setup(dm, d);
    }
    free(list);
    for (struct cdom *d = dm->doms, *next; d; d = next) {
        next = d->next;
        if (!d->seen)
            dom_remove(dm, d);
    }
}
