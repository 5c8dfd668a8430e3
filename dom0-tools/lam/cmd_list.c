/* lam list [--all]: domains, running ones and (with --all) the defined ones. */
#include "lam.h"

static const struct lam_option list_options[] = {
    {"all", 'a', NULL, "include defined domains that are not running", LAM_COMPLETE_NONE, NULL},
    {"name", 0, NULL, "print only names, one a line", LAM_COMPLETE_NONE, NULL},
    {"uuid", 0, NULL, "print only UUIDs, one a line", LAM_COMPLETE_NONE, NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int list_run(const struct lam_args *args)
{
    return lam_fail(args, "listing domains", "not implemented yet");
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
