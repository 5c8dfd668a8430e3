/* SPDX-License-Identifier: GPL-2.0-only */
/* lam list [--all]: running domains (from the hypervisor) and, with --all, the defined ones. */
#include "lam_domcfg.h"
#include "lam_hv.h"
#include "lam_life.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dombuild.h"
#include "lamina/memory_layout.h"

static const struct lam_option list_options[] = {
    {"all", 'a', NULL, "include defined domains that are not running", LAM_COMPLETE_NONE, NULL},
    {"name", 0, NULL, "print only names, one a line", LAM_COMPLETE_NONE, NULL},
    {"uuid", 0, NULL, "print only UUIDs, one a line", LAM_COMPLETE_NONE, NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* The hypervisor's domains; quietly none outside dom0 (a warning says why). */
static int running_domains(const struct lam_args *args, struct hvctl_dominfo **list, size_t *n)
{
    *list = NULL;
    *n = 0;
    struct hvctl *h = hvctl_open();
    if (!h) {
        fprintf(stderr,
                "lam: list: warning: running domains not shown: /dev/xen/privcmd: %s (not dom0?)\n",
                strerror(errno));
        return 0;
    }
    int rc = hvctl_domain_list(h, list, n);
    hvctl_close(h);
    if (rc)
        return lam_fail(args, "cannot list running domains", "%s", hvctl_strerror(rc));
    return 0;
}

/* Names and UUIDs of running domains, from the store (when a store daemon answers). */
struct running_ids {
    char name[LIFE_NAME_MAX + 1];
    char uuid[37];
};

/*
 * Every running domain's name and vm path in one pipelined exchange with the store: one
 * round trip whatever the number of domains (two reads per domain cost 2N). Domain 0 and
 * a domain without a name in the store get lam_running_name's.
 */
static void running_ids(struct xsc *xs, const struct hvctl_dominfo *d, size_t n,
                        struct running_ids *r)
{
    size_t m = 2 * (n ? n : 1);
    char(*paths)[48] = calloc(m, sizeof(*paths));
    const char **pp = calloc(m, sizeof(*pp));
    char **values = calloc(m, sizeof(*values));
    int *errs = calloc(m, sizeof(*errs));
    bool asked = false;
    if (xs && paths && pp && values && errs) {
        for (size_t i = 0; i < n; i++) {
            snprintf(paths[2 * i], sizeof(paths[0]), "/local/domain/%u/name", d[i].domid);
            snprintf(paths[2 * i + 1], sizeof(paths[0]), "/local/domain/%u/vm", d[i].domid);
            pp[2 * i] = paths[2 * i];
            pp[2 * i + 1] = paths[2 * i + 1];
        }
        asked = xsc_read_many(xs, XSC_NO_TX, pp, (unsigned int)(2 * n), values, errs) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = asked && d[i].domid ? values[2 * i] : NULL;
        const char *vm = asked ? values[2 * i + 1] : NULL;
        if (name)
            snprintf(r[i].name, sizeof(r[i].name), "%s", name);
        else
            lam_running_name(d[i].domid, r[i].name, sizeof(r[i].name));
        r[i].uuid[0] = '\0';
        if (vm && strncmp(vm, "/vm/", 4) == 0 && strlen(vm + 4) == 36)
            memcpy(r[i].uuid, vm + 4, 37);
    }
    for (size_t i = 0; asked && i < 2 * n; i++)
        free(values[i]);
    free(values);
    free(errs);
    free(pp);
    free(paths);
}

static bool is_running(const struct running_ids *ids, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i].name, name) == 0)
            return true;
    return false;
}

static void print_running(const struct lam_args *args, const struct hvctl_dominfo *d,
                          const struct running_ids *r)
{
    const char *name = r->name;
    if (lam_flag(args, "name")) {
        printf("%s\n", name);
        return;
    }
    if (lam_flag(args, "uuid")) {
        if (r->uuid[0])
            printf("%s\n", r->uuid);
        return;
    }
    printf(" %-4u %-32s %-9s %8lu %5u %9.1f\n", d->domid, name, hvctl_state_name(d),
           (unsigned long)(d->tot_pages * LAM_PAGE_SIZE >> 20), d->vcpus_online,
           (double)d->cpu_time_ns / 1e9);
}

static int list_run(const struct lam_args *args)
{
    struct domcfg_diags diags;
    struct domcfg_store_entry *entries = NULL;
    size_t count = 0;
    int rc = LAM_EXIT_FAILURE;
    bool all = lam_flag(args, "all");

    if (lam_flag(args, "name") && lam_flag(args, "uuid"))
        return lam_usage_error(args->cmd, "--name and --uuid exclude each other");
    struct hvctl_dominfo *running;
    size_t nr_running;
    dombuild_trace_begin(); /* LAM_TRACE: where the time goes */
    if (running_domains(args, &running, &nr_running))
        return LAM_EXIT_FAILURE;
    dombuild_trace("hypervisor");
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    if (store && domcfg_store_list(store, &entries, &count, &diags) == 0)
        rc = LAM_EXIT_OK;
    lam_print_diags(args, &diags);
    dombuild_trace("definitions");
    if (rc == LAM_EXIT_OK) {
        bool table = !lam_flag(args, "name") && !lam_flag(args, "uuid");
        if (table)
            printf(" %-4s %-32s %-9s %8s %5s %9s\n%s\n", "Id", "Name", "State", "Mem(MiB)", "VCPUs",
                   "Time(s)",
                   "------------------------------------------------------------------------");
        struct xsc *xs = nr_running ? lam_store_try_open() : NULL;
        dombuild_trace("store-open");
        struct running_ids *ids = calloc(nr_running ? nr_running : 1, sizeof(*ids));
        if (ids)
            running_ids(xs, running, nr_running, ids);
        xsc_close(xs);
        dombuild_trace("store-reads");
        for (size_t i = 0; ids && i < nr_running; i++)
            print_running(args, &running[i], &ids[i]);
        /* Definitions that are not running (by name) are shut off. */
        for (size_t i = 0; all && i < count; i++) {
            if (ids && is_running(ids, nr_running, entries[i].name))
                continue;
            if (lam_flag(args, "name"))
                printf("%s\n", entries[i].name);
            else if (lam_flag(args, "uuid"))
                printf("%s\n", entries[i].uuid);
            else
                printf(" %-4s %-32s %s\n", "-", entries[i].name, "shut off");
        }
        free(ids);
    }
    free(running);
    free(entries);
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    dombuild_trace_end("list");
    return rc;
}

const struct lam_command lam_cmd_list = {
    .name = "list",
    .summary = "list running domains (and defined ones with --all)",
    .usage = "[--all] [--name|--uuid] [--state-dir DIR]",
    .options = list_options,
    .min_args = 0,
    .max_args = 0,
    .handler = list_run,
};
