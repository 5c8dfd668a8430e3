/* SPDX-License-Identifier: GPL-2.0-only */
/* lam define FILE: store a validated definition in the state directory. */
#include "lam_domcfg.h"

#include <stdio.h>
#include <stdlib.h>

static const struct lam_option define_options[] = {
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int define_run(const struct lam_args *args)
{
    struct domcfg_diags diags;
    int rc = LAM_EXIT_FAILURE;

    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = domcfg_load_file(args->argv[0], &diags);
    struct domcfg_store *store = dom ? domcfg_store_open(lam_state_dir(args), &diags) : NULL;
    if (store && domcfg_store_define(store, dom, &diags) == 0) {
        char uuid[37];
        domcfg_uuid_to_string(dom->uuid, uuid);
        printf("Domain '%s' defined from %s (uuid %s)\n", dom->name, args->argv[0], uuid);
        rc = LAM_EXIT_OK;
    }
    lam_print_diags(args, &diags);
    domcfg_store_close(store);
    domcfg_domain_free(dom);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_define = {
    .name = "define",
    .summary = "make a domain persistent from an XML file",
    .usage = "[--state-dir DIR] FILE",
    .options = define_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = define_run,
};
