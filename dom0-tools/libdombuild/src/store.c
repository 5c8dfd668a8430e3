/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store side of a domain's life: the nodes libxl writes for a PV domain N
 * (toolstack.md §2.2, console 0 as §2.3), the toolstack's own /lamina/domain/N, then
 * XS_INTRODUCE; and on the way down, all of them removed and XS_RELEASE.
 *
 * Permission lists: RO = [n0, rN] (dom0 owns, the guest reads), RW = [nN] (the guest
 * owns), NO = [n0]. Everything is written in one transaction, retried on EAGAIN, with the
 * requests pipelined (libxsclient's batches).
 */
#include "store.h"
#include "claim.h"
#include "image_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dombuild.h"
#include "xsclient.h"

#define TX_RETRIES 8

struct writer {
    struct xsc *h;
    uint32_t tx;
    unsigned int domid;
    int err;
    char ro_n[12], ro_r[12], rw[12];
};

static void put(struct writer *w, const char *path, const char *value)
{
    if (!w->err)
        w->err = xsc_write(w->h, w->tx, path, value, (uint32_t)strlen(value));
}

static void putf(struct writer *w, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void putf(struct writer *w, const char *path, const char *fmt, ...)
{
    char v[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    put(w, path, v);
}

/* The config as `dumpxml` of the running domain shows it: its root element carries the live
 * id (id='N'), as libvirt's does. */
static void put_config(struct writer *w, const char *path, const char *xml)
{
    const char *root = strstr(xml, "<domain");
    if (!root || (root[7] != ' ' && root[7] != '>')) {
        put(w, path, xml);
        return;
    }
    size_t len = strlen(xml);
    char *with_id = malloc(len + 32);
    if (!with_id) {
        w->err = ENOMEM;
        return;
    }
    size_t head = (size_t)(root - xml) + 7;
    int n = snprintf(with_id, len + 32, "%.*s id='%u'%s", (int)head, xml, w->domid, xml + head);
    (void)n;
    put(w, path, with_id);
    free(with_id);
}

enum perms { RO, RW, NO, FE };

static void perms(struct writer *w, const char *path, enum perms p)
{
    if (w->err)
        return;
    const char *ro[2] = {w->ro_n, w->ro_r};
    const char *rw[1] = {w->rw};
    const char *no[1] = {w->ro_n};
    const char *fe[2] = {w->rw, "r0"};
    switch (p) {
    case RO:
        w->err = xsc_set_perms(w->h, w->tx, path, ro, 2);
        break;
    case RW:
        w->err = xsc_set_perms(w->h, w->tx, path, rw, 1);
        break;
    case NO:
        w->err = xsc_set_perms(w->h, w->tx, path, no, 1);
        break;
    case FE: /* a frontend directory: the guest's, dom0 (its backend) reads */
        w->err = xsc_set_perms(w->h, w->tx, path, fe, 2);
        break;
    }
}

/* mkdir (or write a value) and give it a permission list. */
static void node(struct writer *w, const char *path, const char *value, enum perms p)
{
    if (!w->err)
        w->err = value ? xsc_write(w->h, w->tx, path, value, (uint32_t)strlen(value))
                       : xsc_mkdir(w->h, w->tx, path);
    perms(w, path, p);
}

/* A disk as libxl writes one (split-drivers.md 1.4): the frontend directory in the guest's
 * device/vbd, owned by the guest and readable by dom0; the backend directory dom0's,
 * readable by the guest. Both at state 1; lamblkback takes it from there. */
static void write_disk(struct writer *w, const struct dombuild_disk *d, long devid)
{
    char fe[96], be[96], p[256];
    unsigned int n = w->domid;
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%ld", n, devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%u/%ld", DOMBUILD_DISK_BACKEND, n, devid);
    const char *type = d->cdrom ? "cdrom" : "disk";
#define P(...) (snprintf(p, sizeof(p), __VA_ARGS__), p)
    node(w, fe, NULL, FE);
    put(w, P("%s/backend", fe), be);
    put(w, P("%s/backend-id", fe), "0");
    put(w, P("%s/state", fe), "1");
    putf(w, P("%s/virtual-device", fe), "%ld", devid);
    put(w, P("%s/device-type", fe), type);
    put(w, P("%s/trusted", fe), "1");
    put(w, P("%s/protocol", fe), "x86_64-abi");

    node(w, be, NULL, RO);
    put(w, P("%s/frontend", be), fe);
    putf(w, P("%s/frontend-id", be), "%u", n);
    put(w, P("%s/online", be), "1");
    put(w, P("%s/state", be), "1");
    char params[300];
    snprintf(params, sizeof(params), "%s:%s", d->format, d->path);
    put(w, P("%s/params", be), params);
    put(w, P("%s/type", be), "lamina");
    put(w, P("%s/dev", be), d->target);
    put(w, P("%s/mode", be), d->readonly || d->cdrom ? "r" : "w");
    put(w, P("%s/device-type", be), type);
    put(w, P("%s/removable", be), d->cdrom ? "1" : "0");
    put(w, P("%s/bootable", be), "1");
    put(w, P("%s/discard-enable", be), d->readonly || d->cdrom ? "0" : "1");
    put(w, P("%s/specification", be), "xen");
#undef P
}

int store_attach_disk(struct xsc *h, unsigned int domid, const struct dombuild_disk *d, long devid)
{
    struct writer w = {.h = h, .domid = domid};
    snprintf(w.ro_n, sizeof(w.ro_n), "n0");
    snprintf(w.ro_r, sizeof(w.ro_r), "r%u", domid);
    snprintf(w.rw, sizeof(w.rw), "n%u", domid);
    char base[48], vbd[64], fe[96], be[96];
    snprintf(base, sizeof(base), "/local/domain/%u", domid);
    snprintf(vbd, sizeof(vbd), "%s/device/vbd", base);
    snprintf(fe, sizeof(fe), "%s/%ld", vbd, devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%u/%ld", DOMBUILD_DISK_BACKEND, domid,
             devid);
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        int err = xsc_transaction_start(h, &w.tx);
        if (err)
            return -err;
        /* The domain must be there, and nothing at the target yet (in the same transaction,
         * so a concurrent attach of the same target conflicts). */
        char *v = NULL;
        uint32_t len;
        int have_dom = xsc_read(h, w.tx, base, &v, &len);
        free(v);
        v = NULL;
        int have_fe = xsc_read(h, w.tx, fe, &v, &len);
        free(v);
        v = NULL;
        int have_be = xsc_read(h, w.tx, be, &v, &len);
        free(v);
        v = NULL;
        int have_vbd = xsc_read(h, w.tx, vbd, &v, &len);
        free(v);
        w.err = have_dom ? have_dom : !have_fe || !have_be ? EEXIST : 0;
        if (!w.err) {
            if (have_vbd == ENOENT)
                node(&w, vbd, NULL, RO);
            write_disk(&w, d, devid);
        }
        if (w.err) {
            xsc_transaction_end(h, w.tx, false);
            return -w.err;
        }
        err = xsc_transaction_end(h, w.tx, true);
        if (err != EAGAIN)
            return -err;
    }
    return -EAGAIN;
}

static void write_all(struct writer *w, const struct store_domain *s)
{
    const struct dombuild_config *c = s->cfg;
    char base[64], vm[64], p[256];
    unsigned int n = w->domid;
    snprintf(base, sizeof(base), "/local/domain/%u", n);
    snprintf(vm, sizeof(vm), "/vm/%s", s->uuid);

#define P(...) (snprintf(p, sizeof(p), __VA_ARGS__), p)
    node(w, base, NULL, RO);
    node(w, vm, NULL, RO);
    node(w, P("/libxl/%u", n), NULL, NO);
    put(w, P("/libxl/%u/type", n), "pv");
    put(w, P("%s/vm", base), vm);
    put(w, P("%s/name", base), c->name);
    put(w, P("%s/name", vm), c->name);
    put(w, P("%s/uuid", vm), s->uuid);
    putf(w, P("%s/domid", base), "%u", n);
    node(w, P("%s/cpu", base), NULL, RO);
    node(w, P("%s/memory", base), NULL, RO);
    node(w, P("%s/device", base), NULL, RO);
    node(w, P("%s/device/suspend/event-channel", base), "", RW);
    node(w, P("%s/control", base), NULL, RO);
    static const char *const guest_control[] = {"shutdown", "feature-poweroff", "feature-reboot",
                                                "feature-suspend", "sysrq"};
    for (unsigned int i = 0; i < sizeof(guest_control) / sizeof(guest_control[0]); i++)
        node(w, P("%s/control/%s", base, guest_control[i]), "", RW);
    put(w, P("%s/control/platform-feature-multiprocessor-suspend", base), "1");
    put(w, P("%s/control/platform-feature-xs_reset_watches", base), "1");
    static const char *const guest_areas[] = {"data", "drivers", "feature", "attr", "error"};
    for (unsigned int i = 0; i < sizeof(guest_areas) / sizeof(guest_areas[0]); i++)
        node(w, P("%s/%s", base, guest_areas[i]), NULL, RW);

    putf(w, P("%s/memory/static-max", base), "%llu", (unsigned long long)c->max_kib);
    putf(w, P("%s/memory/target", base), "%llu", (unsigned long long)c->target_kib);
    put(w, P("%s/memory/videoram", base), "0");
    putf(w, P("%s/store/port", base), "%u", s->store_port);
    putf(w, P("%s/store/ring-ref", base), "%llu", (unsigned long long)s->store_mfn);
    for (unsigned int i = 0; i < c->max_vcpus; i++)
        put(w, P("%s/cpu/%u/availability", base, i), i < c->vcpus ? "online" : "offline");

    /* Console 0: read-only for the guest, the console daemon finds it here. */
    node(w, P("%s/console", base), NULL, RO);
    put(w, P("%s/console/backend", base), P("/local/domain/0/backend/console/%u/0", n));
    put(w, P("%s/console/backend-id", base), "0");
    put(w, P("%s/console/limit", base), "1048576");
    put(w, P("%s/console/type", base), "xenconsoled");
    put(w, P("%s/console/output", base), "pty");
    put(w, P("%s/console/tty", base), "");
    putf(w, P("%s/console/port", base), "%u", s->console_port);
    putf(w, P("%s/console/ring-ref", base), "%llu", (unsigned long long)s->console_mfn);
    char be[96];
    snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0", n);
    node(w, be, NULL, RO);
    putf(w, P("%s/frontend-id", be), "%u", n);
    put(w, P("%s/frontend", be), P("%s/console", base));
    put(w, P("%s/online", be), "1");
    put(w, P("%s/state", be), "1");
    put(w, P("%s/protocol", be), "vt100");

    if (c->ndisks)
        node(w, P("%s/device/vbd", base), NULL, RO);
    for (unsigned int i = 0; i < c->ndisks; i++)
        write_disk(w, &c->disks[i], dombuild_disk_devid(c->disks[i].target));

    put(w, P("%s/image/ostype", vm), "linux");
    put(w, P("%s/image/kernel", vm), c->kernel);
    put(w, P("%s/image/ramdisk", vm), c->initrd ? c->initrd : "");
    put(w, P("%s/image/cmdline", vm), c->cmdline ? c->cmdline : "");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    putf(w, P("%s/start_time", vm), "%lld.%02ld", (long long)now.tv_sec, now.tv_nsec / 10000000);

    /* The toolstack's own record: dom0 only. */
    node(w, P("/lamina/domain/%u", n), NULL, NO);
    if (c->config_xml)
        put_config(w, P("/lamina/domain/%u/config", n), c->config_xml);
    put(w, P("/lamina/domain/%u/on_poweroff", n), c->on_poweroff ? c->on_poweroff : "destroy");
    put(w, P("/lamina/domain/%u/on_reboot", n), c->on_reboot ? c->on_reboot : "restart");
    put(w, P("/lamina/domain/%u/on_crash", n), c->on_crash ? c->on_crash : "destroy");
#undef P
}

int store_write_domain(struct xsc *h, unsigned int domid, const struct store_domain *s)
{
    struct writer w = {.h = h, .domid = domid};
    snprintf(w.ro_n, sizeof(w.ro_n), "n0");
    snprintf(w.ro_r, sizeof(w.ro_r), "r%u", domid);
    snprintf(w.rw, sizeof(w.rw), "n%u", domid);
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        int err = xsc_transaction_start(h, &w.tx);
        if (err)
            return -err;
        w.err = 0;
        xsc_batch_begin(h); /* ~75 requests: one round trip per 32, not one each */
        write_all(&w, s);
        int batch_err = xsc_batch_end(h);
        if (!w.err)
            w.err = batch_err;
        if (w.err) {
            xsc_transaction_end(h, w.tx, false);
            return -w.err;
        }
        err = xsc_transaction_end(h, w.tx, true);
        if (err != EAGAIN)
            return -err;
    }
    return -EAGAIN;
}

void store_remove_domain(struct xsc *h, unsigned int domid)
{
    char p[96], *vm = NULL;
    uint32_t len;
    snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
    if (xsc_read(h, XSC_NO_TX, p, &vm, &len) == 0 && !strncmp(vm, "/vm/", 4) &&
        !strchr(vm + 4, '/') && vm[4])
        xsc_rm(h, XSC_NO_TX, vm);
    free(vm);
    /* The disks' backend directories first: lamblkback sees them go and lets go of the
     * rings (writing nothing more there); then the frontends. */
    snprintf(p, sizeof(p), "/local/domain/0/backend/%s/%u", DOMBUILD_DISK_BACKEND, domid);
    xsc_rm(h, XSC_NO_TX, p);
    snprintf(p, sizeof(p), "/local/domain/%u", domid);
    xsc_rm(h, XSC_NO_TX, p);
    snprintf(p, sizeof(p), "/libxl/%u", domid);
    xsc_rm(h, XSC_NO_TX, p);
    snprintf(p, sizeof(p), "/lamina/domain/%u", domid);
    xsc_rm(h, XSC_NO_TX, p);
    snprintf(p, sizeof(p), "/local/domain/0/backend/console/%u", domid);
    xsc_rm(h, XSC_NO_TX, p);
    /* The parents the toolstack created (/vm, /libxl, /lamina/domain, the backends'), once
     * no domain is left under them: libxl leaves them, but then a store with no domUs looks
     * as it did before the first. Each in a transaction, so a domain created meanwhile
     * keeps its node. */
    static const char *const parents[] = {"/local/domain/0/backend/console",
                                          "/local/domain/0/backend/" DOMBUILD_DISK_BACKEND,
                                          "/local/domain/0/backend",
                                          "/vm",
                                          "/libxl",
                                          "/lamina/domain",
                                          "/lamina"};
    for (unsigned int i = 0; i < sizeof(parents) / sizeof(parents[0]); i++)
        claim_remove_if_empty(h, parents[i]);
}

int store_domains(struct xsc *h, struct store_entry **out, size_t *count)
{
    char **names;
    unsigned int n;
    *out = NULL;
    *count = 0;
    int err = xsc_directory(h, XSC_NO_TX, "/local/domain", &names, &n);
    if (err == ENOENT)
        return 0;
    if (err)
        return -err;
    /* Each domain's name and vm, all asked for at once: one round trip to the daemon, not
     * two per domain (a create checks every running domain). */
    struct store_entry *e = calloc(n ? n : 1, sizeof(*e));
    char(*paths)[40] = calloc(2 * (size_t)(n ? n : 1), sizeof(*paths));
    const char **pp = calloc(2 * (size_t)(n ? n : 1), sizeof(*pp));
    char **values = calloc(2 * (size_t)(n ? n : 1), sizeof(*values));
    int *errs = calloc(2 * (size_t)(n ? n : 1), sizeof(*errs));
    err = e && paths && pp && values && errs ? 0 : ENOMEM;
    size_t k = 0;
    for (unsigned int i = 0; !err && i < n; i++) {
        char *end;
        unsigned long id = strtoul(names[i], &end, 10);
        if (*end || id == 0 || id >= 0x7ff0)
            continue;
        e[k].domid = (uint16_t)id;
        snprintf(paths[2 * k], sizeof(paths[0]), "/local/domain/%lu/name", id);
        snprintf(paths[2 * k + 1], sizeof(paths[0]), "/local/domain/%lu/vm", id);
        pp[2 * k] = paths[2 * k];
        pp[2 * k + 1] = paths[2 * k + 1];
        k++;
    }
    free(names);
    if (!err && k)
        err = xsc_read_many(h, XSC_NO_TX, pp, (unsigned int)(2 * k), values, errs);
    for (size_t i = 0; !err && i < k; i++) {
        const char *name = values[2 * i], *vm = values[2 * i + 1];
        if (name)
            snprintf(e[i].name, sizeof(e[i].name), "%s", name);
        if (vm && !strncmp(vm, "/vm/", 4))
            snprintf(e[i].uuid, sizeof(e[i].uuid), "%s", vm + 4);
    }
    for (size_t i = 0; values && i < 2 * k; i++)
        free(values[i]);
    free(values);
    free(errs);
    free(pp);
    free(paths);
    if (err) {
        free(e);
        return -err;
    }
    *out = e;
    *count = k;
    return 0;
}

struct xsc *store_open(const char *path, char *why, size_t whylen)
{
    const char *p = path ? path : getenv("XENSTORED_PATH");
    if (!p)
        p = XSC_DEFAULT_SOCKET;
    /* A socket only: the kernel's xenbus device would wait forever without a daemon. */
    struct xsc *h = xsc_open_socket(p);
    if (!h)
        dombuild_why(why, whylen,
                     "cannot reach the store daemon at %s: %s (start it with "
                     "`lamstored --state /var/lib/lamina/store.state &`)",
                     p, strerror(errno));
    return h;
}
