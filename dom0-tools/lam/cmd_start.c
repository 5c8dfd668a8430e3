/* SPDX-License-Identifier: GPL-2.0-only */
/* lam start NAME | --autostart: start defined domains (virsh start). */
#include "lam_autostart.h"
#include "lam_domcfg.h"
#include "lam_life.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct lam_option start_options[] = {
    {"autostart", 0, NULL, "start every domain marked with `lam autostart` that is not running",
     LAM_COMPLETE_NONE, NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* Build one definition and attach its monitor. */
static int start_one(const struct lam_args *args, struct lam_life *ll,
                     const struct domcfg_domain *dom)
{
    uint16_t domid;
    if (life_find(&ll->l, dom->name, &domid) == 0)
        return lam_fail(args, dom->name, "already running (id %u)", domid);
    char *xml = domcfg_format_xml(dom);
    if (!xml)
        return lam_fail(args, dom->name, "out of memory");
    int err = lam_builder(&ll->l, xml, &domid);
    free(xml);
    if (err)
        return lam_fail(args, dom->name, "cannot start it: %s", strerror(err));
    int pid;
    int rc = lam_monitor_spawn(args, domid, &pid);
    printf("Domain '%s' started (id %u)\n", dom->name, domid);
    return rc;
}

static int start_named(const struct lam_args *args, struct lam_life *ll, struct domcfg_store *store,
                       const char *name, struct domcfg_diags *diags)
{
    struct domcfg_domain *dom = domcfg_store_lookup(store, name, diags);
    lam_print_diags(args, diags);
    int rc = dom ? start_one(args, ll, dom) : LAM_EXIT_FAILURE;
    domcfg_domain_free(dom);
    return rc;
}

static int start_marked(const struct lam_args *args, struct lam_life *ll,
                        struct domcfg_store *store, struct domcfg_diags *diags)
{
    struct domcfg_store_entry *entries = NULL;
    size_t count = 0;
    if (domcfg_store_list(store, &entries, &count, diags)) {
        lam_print_diags(args, diags);
        return LAM_EXIT_FAILURE;
    }
    int rc = LAM_EXIT_OK;
    for (size_t i = 0; i < count; i++) {
        uint16_t domid;
        if (!lam_autostart_get(args, entries[i].name) ||
            life_find(&ll->l, entries[i].name, &domid) == 0)
            continue;
        struct domcfg_diags one;
        domcfg_diags_init(&one);
        if (start_named(args, ll, store, entries[i].name, &one) != LAM_EXIT_OK)
            rc = LAM_EXIT_FAILURE;
        domcfg_diags_free(&one);
    }
    free(entries);
    return rc;
}

static int start_run(const struct lam_args *args)
{
    bool marked = lam_flag(args, "autostart");
    if (marked == (args->argc == 1))
        return lam_usage_error(args->cmd, "name one domain, or give --autostart");
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    if (!store) {
        int rc = lam_fail_diags(args, &diags);
        domcfg_diags_free(&diags);
        return rc;
    }
    struct lam_life ll;
    int rc = lam_life_open(args, &ll);
    if (rc == LAM_EXIT_OK) {
        rc = marked ? start_marked(args, &ll, store, &diags)
                    : start_named(args, &ll, store, args->argv[0], &diags);
        lam_life_close(&ll);
    }
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_start = {
    .name = "start",
    .summary = "start a defined domain (or every autostart one)",
    .usage = "[--state-dir DIR] NAME|UUID | --autostart",
    .details = "Builds the domain from its definition (`lam define`), as `lam create` does for a\n"
               "file, and attaches the monitor that applies its on_* actions. dom0's start-up\n"
               "runs `lam start --autostart`.",
    .options = start_options,
    .min_args = 0,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = start_run,
};
