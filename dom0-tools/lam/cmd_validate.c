/* SPDX-License-Identifier: GPL-2.0-only */
/* lam validate FILE...: parse, fill defaults and check each file; report every problem. */
#include "lam_domcfg.h"

#include <stdio.h>
#include <stdlib.h>

static const struct lam_option validate_options[] = {
    {"quiet", 'q', NULL, "print nothing for valid files", LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int validate_run(const struct lam_args *args)
{
    int rc = LAM_EXIT_OK;

    for (int i = 0; i < args->argc; i++) {
        struct domcfg_diags diags;
        domcfg_diags_init(&diags);
        struct domcfg_domain *dom = domcfg_load_file(args->argv[i], &diags);
        lam_print_diags(args, &diags);
        if (dom && !lam_flag(args, "quiet"))
            printf("%s: valid\n", args->argv[i]);
        if (!dom)
            rc = LAM_EXIT_FAILURE;
        domcfg_domain_free(dom);
        domcfg_diags_free(&diags);
    }
    return rc;
}

const struct lam_command lam_cmd_validate = {
    .name = "validate",
    .summary = "check domain XML files against the schema and the semantic rules",
    .details = "Every problem is reported, one a line, as 'file:line: <element> what was\n"
               "expected'. Exit status 1 when any file is invalid.",
    .usage = "[--quiet] FILE...",
    .options = validate_options,
    .min_args = 1,
    .max_args = -1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = validate_run,
};
