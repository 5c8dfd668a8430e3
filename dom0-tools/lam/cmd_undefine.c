/* SPDX-License-Identifier: GPL-2.0-only */
/* lam undefine NAME|UUID: remove a definition from the state directory. */
#include "lam_domcfg.h"

#include <stdio.h>
#include <stdlib.h>

static const struct lam_option undefine_options[] = {
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int undefine_run(const struct lam_args *args)
{
    struct domcfg_diags diags;
    int rc = LAM_EXIT_FAILURE;

    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    if (store && domcfg_store_undefine(store, args->argv[0], &diags) == 0) {
        printf("Domain '%s' has been undefined\n", args->argv[0]);
        rc = LAM_EXIT_OK;
    }
    lam_print_diags(args, &diags);
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_undefine = {
    .name = "undefine",
    .summary = "remove a persistent domain definition",
    .usage = "[--state-dir DIR] NAME|UUID",
    .options = undefine_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = undefine_run,
};
