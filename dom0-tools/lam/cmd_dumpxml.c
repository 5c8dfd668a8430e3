/* SPDX-License-Identifier: GPL-2.0-only */
/* lam dumpxml FILE|NAME: the normalised XML with every default filled in. */
#include "lam_domcfg.h"
#include "lam_life.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct lam_option dumpxml_options[] = {
    {"inactive", 0, NULL, "the definition, even when the domain is running", LAM_COMPLETE_NONE,
     NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* A path that exists is a file; anything else names a definition in the store. */
static struct domcfg_domain *load(const struct lam_args *args, struct domcfg_diags *diags)
{
    const char *what = args->argv[0];
    struct stat st;

    if (stat(what, &st) == 0)
        return domcfg_load_file(what, diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), diags);
    if (!store)
        return NULL;
    struct domcfg_domain *dom = domcfg_store_lookup(store, what, diags);
    domcfg_store_close(store);
    return dom;
}

/* The running domain's recorded XML with id='N' on <domain> (as virsh shows a live domain);
 * NULL when what names no running domain started by lam (or there is no hypervisor/store). */
static char *running_xml(const char *what)
{
    struct lam_life ll = {0};
    char *xml = NULL, *out = NULL;
    ll.hv = hvctl_open();
    ll.xs = ll.hv ? lam_store_try_open() : NULL;
    uint16_t domid;
    if (ll.xs) {
        life_init(&ll.l, ll.hv, ll.xs, NULL);
        if (life_find(&ll.l, what, &domid) == 0)
            life_running_config(&ll.l, domid, &xml);
    }
    const char *tag = xml ? strstr(xml, "<domain") : NULL;
    const char *end = tag ? strchr(tag, '>') : NULL;
    if (end) {
        const char *id = strstr(tag, " id=");
        if (id && id < end) {
            out = xml;
            xml = NULL;
        } else if (asprintf(&out, "%.*s id='%u'%s", (int)(end - xml), xml, domid, end) < 0) {
            out = NULL;
        }
    }
    free(xml);
    xsc_close(ll.xs);
    hvctl_close(ll.hv);
    return out;
}

static int dumpxml_run(const struct lam_args *args)
{
    struct stat st;
    char *live = NULL;
    if (!lam_flag(args, "inactive") && stat(args->argv[0], &st) != 0)
        live = running_xml(args->argv[0]);
    if (live) {
        fputs(live, stdout);
        free(live);
        return LAM_EXIT_OK;
    }

    struct domcfg_diags diags;
    int rc = LAM_EXIT_FAILURE;

    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = load(args, &diags);
    lam_print_diags(args, &diags);
    if (dom) {
        char *xml = domcfg_format_xml(dom);
        if (xml) {
            fputs(xml, stdout);
            rc = LAM_EXIT_OK;
        } else {
            rc = lam_fail(args, args->argv[0], "out of memory");
        }
        free(xml);
    }
    domcfg_domain_free(dom);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_dumpxml = {
    .name = "dumpxml",
    .summary = "print a domain's XML in normalised form with defaults filled in",
    .usage = "[--inactive] FILE|NAME",
    .details = "The argument is a file when one exists at that path, otherwise a running\n"
               "domain (name, UUID or id: its configuration as started, with its live id),\n"
               "otherwise the name or UUID of a defined domain (always with --inactive).",
    .options = dumpxml_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = dumpxml_run,
};
