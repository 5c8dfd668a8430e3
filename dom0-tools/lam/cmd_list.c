/* lam list [--all]: domains, running ones and (with --all) the defined ones. */
#include "lam_domcfg.h"

#include <stdio.h>
#include <stdlib.h>

static const struct lam_option list_options[] = {
    {"all", 'a', NULL, "include defined domains that are not running", LAM_COMPLETE_NONE, NULL},
    {"name", 0, NULL, "print only names, one a line", LAM_COMPLETE_NONE, NULL},
    {"uuid", 0, NULL, "print only UUIDs, one a line", LAM_COMPLETE_NONE, NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* Running domains come with the toolstack; until then only definitions are known, and every
 * one of them is shut off. */
static int list_run(const struct lam_args *args)
{
    struct domcfg_diags diags;
    struct domcfg_store_entry *entries = NULL;
    size_t count = 0;
    int rc = LAM_EXIT_FAILURE;
    bool all = lam_flag(args, "all");

    if (lam_flag(args, "name") && lam_flag(args, "uuid"))
        return lam_usage_error(args->cmd, "--name and --uuid exclude each other");
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    if (store && domcfg_store_list(store, &entries, &count, &diags) == 0)
        rc = LAM_EXIT_OK;
    lam_print_diags(args, &diags);
    if (rc == LAM_EXIT_OK) {
        bool table = !lam_flag(args, "name") && !lam_flag(args, "uuid");
        if (table)
            printf(" %-4s %-32s %s\n%s\n", "Id", "Name", "State",
                   "-----------------------------------------------");
        for (size_t i = 0; all && i < count; i++) {
            if (lam_flag(args, "name"))
                printf("%s\n", entries[i].name);
            else if (lam_flag(args, "uuid"))
                printf("%s\n", entries[i].uuid);
            else
                printf(" %-4s %-32s %s\n", "-", entries[i].name, "shut off");
        }
    }
    free(entries);
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_list = {
    .name = "list",
    .summary = "list domains",
    .usage = "[--all] [--name|--uuid] [--state-dir DIR]",
    .options = list_options,
    .min_args = 0,
    .max_args = 0,
    .handler = list_run,
};
