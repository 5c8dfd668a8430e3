/* SPDX-License-Identifier: GPL-2.0-only */
/* lam dumpxml FILE|NAME: the normalised XML with every default filled in. */
#include "lam_domcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const struct lam_option dumpxml_options[] = {
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

static int dumpxml_run(const struct lam_args *args)
{
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
    .usage = "FILE|NAME",
    .details = "The argument is a file when one exists at that path, otherwise the name or UUID\n"
               "of a defined domain.",
    .options = dumpxml_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = dumpxml_run,
};
