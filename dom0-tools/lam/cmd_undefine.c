/* lam undefine NAME|UUID: remove a definition from the state directory. */
#include "lam.h"

static const struct lam_option undefine_options[] = {
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int undefine_run(const struct lam_args *args)
{
    return lam_fail(args, args->argv[0], "not implemented yet");
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
