/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What attach-disk and detach-disk share. Scope, as virsh's: --live changes the running
 * domain, --config its definition (the next start), --persistent both (the definition
 * must exist), --current (the default) the running domain if it runs, else the
 * definition. The running domain is looked up in the store alone (its name, id or UUID
 * under /local/domain), since a disk is nothing but store directories to the toolstack.
 */
#include "lam_daemon.h"
#include "lam_disk.h"
#include "lam_domcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsclient.h"

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool read_is(struct xsc *h, const char *path, const char *want)
{
    char *v = NULL;
    uint32_t len;
    bool is = xsc_read(h, XSC_NO_TX, path, &v, &len) == 0 && (!want || strcmp(v, want) == 0);
    free(v);
    return is;
}

/* A domU by id, name or UUID in the store (the highest id when names repeat during a
 * restart). ENOENT when none; another errno when the store failed. */
static int find_running(struct xsc *h, const char *what, uint16_t *domid)
{
    char p[64];
    if (all_digits(what)) {
        unsigned long id = strlen(what) <= 5 ? strtoul(what, NULL, 10) : 0;
        snprintf(p, sizeof(p), "/local/domain/%lu/name", id);
        if (id == 0 || id >= 0x7ff0 || !read_is(h, p, NULL))
            return ENOENT;
        *domid = (uint16_t)id;
        return 0;
    }
    char **ids;
    unsigned n;
    int err = xsc_directory(h, XSC_NO_TX, "/local/domain", &ids, &n);
    if (err)
        return err == ENOENT ? ENOENT : err;
    char vm[48];
    snprintf(vm, sizeof(vm), "/vm/%s", what);
    long best = -1;
    for (unsigned i = 0; i < n; i++) {
        if (!all_digits(ids[i]) || strlen(ids[i]) > 5)
            continue;
        long id = strtol(ids[i], NULL, 10);
        if (id == 0 || id <= best)
            continue;
        snprintf(p, sizeof(p), "/local/domain/%ld/name", id);
        bool match = read_is(h, p, what);
        if (!match && strlen(what) == 36) {
            snprintf(p, sizeof(p), "/local/domain/%ld/vm", id);
            match = read_is(h, p, vm);
        }
        if (match)
            best = id;
    }
    free(ids);
    if (best < 0)
        return ENOENT;
    *domid = (uint16_t)best;
    return 0;
}

int lam_disk_scope_check(const struct lam_args *args)
{
    if (lam_flag(args, "current") &&
        (lam_flag(args, "live") || lam_flag(args, "config") || lam_flag(args, "persistent")))
        return lam_usage_error(args->cmd, "--current cannot be combined with --live, --config "
                                          "or --persistent");
    return LAM_EXIT_OK;
}

int lam_disk_scope(const struct lam_args *args, const char *name, struct lam_disk_scope *s)
{
    memset(s, 0, sizeof(*s));
    bool live = lam_flag(args, "live"), config = lam_flag(args, "config");
    bool persistent = lam_flag(args, "persistent");
    if (lam_disk_scope_check(args))
        return LAM_EXIT_USAGE;
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    s->def = store ? domcfg_store_lookup(store, name, &diags) : NULL;
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    /* The store is asked only when the running domain matters (or may). */
    if (live || persistent || !config) {
        s->xs = lam_store_open(args, NULL);
        if (!s->xs) {
            lam_disk_scope_free(s);
            return LAM_EXIT_FAILURE;
        }
        int err = find_running(s->xs, name, &s->domid);
        if (err && err != ENOENT) {
            lam_disk_scope_free(s);
            return lam_store_fail(args, name, err);
        }
        s->running = !err;
    }
    if (persistent) {
        live = s->running;
        config = true;
    } else if (!live && !config) {
        live = s->running;
        config = !s->running;
    }
    const char *why = NULL;
    if (live && !s->running)
        why = "no running domain has this name, UUID or id (see `lam list`)";
    else if (config && !s->def && s->running)
        why = "it runs but is not defined, so it has no definition to change (use --live, or "
              "`lam define` it first)";
    else if (config && !s->def && s->xs)
        why = "no running or defined domain has this name (see `lam list --all`)";
    else if (config && !s->def)
        why = "no defined domain has this name (see `lam list --all`)";
    if (why) {
        lam_disk_scope_free(s);
        return lam_fail(args, name, "%s", why);
    }
    s->live = live;
    s->config = config;
    return LAM_EXIT_OK;
}

void lam_disk_scope_free(struct lam_disk_scope *s)
{
    domcfg_domain_free(s->def);
    xsc_close(s->xs);
    s->def = NULL;
    s->xs = NULL;
}

static int find_target(const struct domcfg_domain *dom, const char *target)
{
    for (size_t i = 0; i < dom->ndisks; i++)
        if (dom->disks[i].target && strcmp(dom->disks[i].target, target) == 0)
            return (int)i;
    return -1;
}

/* A copy of d appended to dom's disks (the strings duplicated). */
static int add_disk(struct domcfg_domain *dom, const struct domcfg_disk *d)
{
    struct domcfg_disk *n = realloc(dom->disks, (dom->ndisks + 1) * sizeof(*n));
    if (!n)
        return ENOMEM;
    dom->disks = n;
    struct domcfg_disk *c = &n[dom->ndisks];
    *c = (struct domcfg_disk){.type = d->type,
                              .device = d->device,
                              .driver = d->driver,
                              .format = d->format,
                              .readonly = d->readonly,
                              .shareable = d->shareable,
                              .source = d->source ? strdup(d->source) : NULL,
                              .target = strdup(d->target)};
    dom->ndisks++;
    return (d->source && !c->source) || !c->target ? ENOMEM : 0;
}

static void remove_disk(struct domcfg_domain *dom, int i)
{
    struct domcfg_disk *d = &dom->disks[i];
    free(d->source);
    free(d->target);
    free(d->backend);
    /* Its extras (elements kept for the round trip to XML) go with it. */
    for (size_t k = 0; k < d->extras.count; k++)
        free(d->extras.xml[k]);
    free(d->extras.xml);
    memmove(d, d + 1, (dom->ndisks - (size_t)i - 1) * sizeof(*d));
    dom->ndisks--;
}

static int save(const struct lam_args *args, const struct domcfg_domain *dom)
{
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    int rc =
        store && domcfg_validate(dom, &diags) == 0 && domcfg_store_define(store, dom, &diags) == 0
            ? LAM_EXIT_OK
            : LAM_EXIT_FAILURE;
    if (rc)
        lam_print_diags(args, &diags);
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    return rc;
}

int lam_disk_config_add(const struct lam_args *args, struct lam_disk_scope *s,
                        const struct domcfg_disk *d)
{
    if (find_target(s->def, d->target) >= 0)
        return lam_fail(args, d->target, "in use: the definition of %s already has a disk there",
                        s->def->name);
    if (add_disk(s->def, d))
        return lam_fail(args, d->target, "%s", strerror(ENOMEM));
    return save(args, s->def);
}

int lam_disk_config_remove(const struct lam_args *args, struct lam_disk_scope *s,
                           const char *target)
{
    int i = find_target(s->def, target);
    if (i < 0)
        return lam_fail(args, target, "the definition of %s has no disk there", s->def->name);
    remove_disk(s->def, i);
    return save(args, s->def);
}

/* The running domain's recorded XML, parsed; NULL (and a warning) when it cannot be. */
static struct domcfg_domain *record_load(const struct lam_args *args, struct lam_disk_scope *s,
                                         char *path, size_t len)
{
    snprintf(path, len, "/lamina/domain/%u/config", s->domid);
    char *xml = NULL;
    uint32_t n;
    if (xsc_read(s->xs, XSC_NO_TX, path, &xml, &n))
        return NULL; /* not started by lam: nothing recorded */
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = domcfg_parse_xml(xml, n, path, &diags);
    if (!dom)
        fprintf(stderr, "lam: %s: warning: %s cannot be read back; it still shows the old disks\n",
                args->cmd->name, path);
    domcfg_diags_free(&diags);
    free(xml);
    return dom;
}

static void record_save(const struct lam_args *args, struct lam_disk_scope *s, const char *path,
                        const struct domcfg_domain *dom)
{
    char *xml = domcfg_format_xml(dom);
    if (!xml || xsc_write(s->xs, XSC_NO_TX, path, xml, (uint32_t)strlen(xml)))
        fprintf(stderr, "lam: %s: warning: %s not updated\n", args->cmd->name, path);
    free(xml);
}

void lam_disk_record_add(const struct lam_args *args, struct lam_disk_scope *s,
                         const struct domcfg_disk *d)
{
    char path[64];
    struct domcfg_domain *dom = record_load(args, s, path, sizeof(path));
    if (dom && find_target(dom, d->target) < 0 && !add_disk(dom, d))
        record_save(args, s, path, dom);
    domcfg_domain_free(dom);
}

void lam_disk_record_remove(const struct lam_args *args, struct lam_disk_scope *s,
                            const char *target)
{
    char path[64];
    struct domcfg_domain *dom = record_load(args, s, path, sizeof(path));
    int i = dom ? find_target(dom, target) : -1;
    if (i >= 0) {
        remove_disk(dom, i);
        record_save(args, s, path, dom);
    }
    domcfg_domain_free(dom);
}
