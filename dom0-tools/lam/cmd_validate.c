/* lam validate FILE...: parse, fill defaults and check each file; report every problem. */
#include "lam.h"

static const struct lam_option validate_options[] = {
    {"quiet", 'q', NULL, "print nothing for valid files", LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int validate_run(const struct lam_args *args)
{
    return lam_fail(args, args->argv[0], "not implemented yet");
}

const struct lam_command lam_cmd_validate = {
    .name = "validate",
    .summary = "check domain XML files against the schema and the semantic rules",
    .usage = "[--quiet] FILE...",
    .options = validate_options,
    .min_args = 1,
    .max_args = -1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = validate_run,
};
