/* SPDX-License-Identifier: GPL-2.0-only */
/* Serving one domain's console ring (see consoled.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consoled.h"

struct cdom *dom_find(struct daemon *dm, uint16_t domid)
{
    for (struct cdom *d = dm->doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

struct cdom *dom_by_name(struct daemon *dm, const char *name)
{
    char *end;
    unsigned long id = strtoul(name, &end, 10);
    bool numeric = *name >= '0' && *name <= '9' && !*end && id < 0x7ff0;
    for (struct cdom *d = dm->doms; d; d = d->next)
        if (strcmp(d->name, name) == 0 || (numeric && d->domid == id))
            return d;
    return NULL;
}

/* The guest's indices made no sense: it is not served any more (its output so far is
 * kept); the domain stays listed so `lam console` can say why. */
static void mark_broken(struct daemon *dm, struct cdom *d, const char *ring,
                        const struct lcons_bad *bad)
{
    logmsg("d%u (%s): console ring indexes out of range (%s cons %u, prod %u): no longer "
           "served",
           d->domid, d->name, ring, bad->cons, bad->prod);
    d->broken = true;
    xen_detach(d);
    clients_domain_gone(dm, d); /* nothing more will come, nor go in */
}

static void output(struct daemon *dm, struct cdom *d, const char *buf, size_t n)
{
    lcons_buf_put_overwrite(&d->history, buf, n);
    if (d->log_ok) {
        int err = lcons_log_write(&d->log, buf, n);
        if (err) {
            logmsg("d%u (%s): writing %s: %s; its output is no longer logged", d->domid, d->name,
                   d->log.path, strerror(err));
            d->log_ok = false;
        }
    }
    clients_output(dm, d, buf, n);
}

void dom_pump(struct daemon *dm, struct cdom *d)
{
    if (!d->page || d->broken)
        return;
    char buf[LCONS_OUT_SIZE];
    struct lcons_bad bad;
    bool moved = false;
    for (size_t taken = 0; taken < OUTPUT_BUDGET;) {
        ssize_t n = lcons_take_output(d->page, buf, sizeof(buf), &bad);
        if (n < 0) {
            mark_broken(dm, d, "out", &bad);
            return;
        }
        if (n == 0)
            break;
        moved = true;
        taken += (size_t)n;
        output(dm, d, buf, (size_t)n);
    }
    bool was_full = lcons_buf_space(&d->input) == 0;
    while (d->input.len) {
        size_t len;
        const char *s = lcons_buf_peek(&d->input, &len);
        ssize_t put = lcons_put_input(d->page, s, len, &bad);
        if (put < 0) {
            mark_broken(dm, d, "in", &bad);
            return;
        }
        if (put == 0)
            break;
        lcons_buf_consume(&d->input, (size_t)put);
        moved = true;
    }
    if (moved)
        xen_notify(d);
    if (was_full && lcons_buf_space(&d->input))
        clients_input_room(dm, d);
}

void dom_event(struct daemon *dm, uint32_t local_port)
{
    for (struct cdom *d = dm->doms; d; d = d->next) {
        if (!d->page || d->local_port != local_port)
            continue;
        if (!lcons_rate_event(&d->rate, now_ms())) {
            d->masked = true; /* served again when the window ends */
            return;
        }
        dom_pump(dm, d);
        if (d->page)
            xen_unmask(local_port);
        return;
    }
}

uint64_t dom_release_masked(struct daemon *dm)
{
    uint64_t now = now_ms(), next = 0;
    for (struct cdom *d = dm->doms; d; d = d->next) {
        if (!d->masked)
            continue;
        uint64_t at = lcons_rate_resume_at(&d->rate);
        if (at > now) {
            next = next && next < at ? next : at;
            continue;
        }
        d->masked = false;
        dom_pump(dm, d);
        if (d->page)
            xen_unmask(d->local_port);
    }
    return next;
}

/* A decimal number the guest's directory holds, within max. */
static bool parse_number(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v > max)
        return false;
    *out = v;
    return true;
}

/* Says what is wrong with the domain's nodes, once per different problem, and watches
 * its console directory so a correction is seen. */
static void complain(struct daemon *dm, struct cdom *d, const char *fmt, const char *value)
{
    char what[sizeof(d->complaint)];
    snprintf(what, sizeof(what), fmt, value);
    if (strcmp(what, d->complaint) != 0)
        logmsg("d%u: %s; its console is not served until that changes", d->domid, what);
    snprintf(d->complaint, sizeof(d->complaint), "%s", what);
    store_watch_console(dm, d, true);
}

static void open_log(struct daemon *dm, struct cdom *d)
{
    int err = lcons_log_open(&d->log, dm->log_dir, d->file, dm->log_cap);
    d->log_ok = !err;
    if (err)
        logmsg("d%u (%s): cannot open its log in %s: %s", d->domid, d->name, dm->log_dir,
               strerror(err));
}

void dom_setup(struct daemon *dm, struct cdom *d)
{
    char ref[64], port[64], type[64], name[256];
    uint64_t mfn, p;
    if (d->page || d->broken)
        return;
    int e1 = store_read(dm, d->domid, "console/ring-ref", ref, sizeof(ref));
    int e2 = store_read(dm, d->domid, "console/port", port, sizeof(port));
    if (e1 || e2) {
        store_watch_console(dm, d, true); /* the toolstack may still be writing them */
        return;
    }
    if (!store_read(dm, d->domid, "console/type", type, sizeof(type)) &&
        strcmp(type, "xenconsoled") != 0) {
        complain(dm, d, "console/type is '%.60s', not 'xenconsoled'", type);
        return;
    }
    if (!parse_number(ref, UINT64_MAX >> 12, &mfn)) {
        complain(dm, d, "console/ring-ref '%.60s' is not a frame number", ref);
        return;
    }
    if (!parse_number(port, 0xfffff, &p) || p == 0) {
        complain(dm, d, "console/port '%.60s' is not an event channel port", port);
        return;
    }
    d->port = (uint32_t)p;
    if (store_read(dm, d->domid, "name", name, sizeof(name)) == 0 && name[0] &&
        strlen(name) <= LCONS_NAME_MAX && lcons_name_ok(name)) {
        snprintf(d->name, sizeof(d->name), "%s", name);
    } else {
        snprintf(d->name, sizeof(d->name), "d%u", d->domid);
        if (!store_read(dm, d->domid, "name", name, sizeof(name)))
            logmsg("d%u: its name is not usable as a file name; called %s", d->domid, d->name);
    }
    snprintf(d->file, sizeof(d->file), "%s", d->name);
    const char *why = "";
    int err = xen_attach(d, &why);
    if (err) {
        char what[sizeof(d->complaint)];
        snprintf(what, sizeof(what), "%s (port %u): %s", why, d->port, strerror(err));
        complain(dm, d, "%s", what);
        return;
    }
    d->complaint[0] = '\0';
    store_watch_console(dm, d, false);
    open_log(dm, d);
    __atomic_store_n(&d->page->connection, LCONS_CONNECTED, __ATOMIC_RELEASE);
    logmsg("d%u (%s): console served (port %u as local port %u, log %s)", d->domid, d->name,
           d->port, d->local_port, d->log_ok ? d->log.path : "none");
    dom_pump(dm, d); /* what the guest wrote before we came */
    xen_notify(d);
}

void dom_remove(struct daemon *dm, struct cdom *d)
{
    dom_pump(dm, d); /* its last words */
    clients_domain_gone(dm, d);
    store_watch_console(dm, d, false);
    xen_detach(d);
    lcons_log_close(&d->log);
    lcons_buf_free(&d->history);
    lcons_buf_free(&d->input);
    if (d->log_ok || d->broken)
        logmsg("d%u (%s): gone", d->domid, d->name);
    for (struct cdom **pp = &dm->doms; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    free(d);
}
