/* lam define FILE: store a validated definition in the state directory. */
#include "lam.h"

static const struct lam_option define_options[] = {
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int define_run(const struct lam_args *args)
{
    return lam_fail(args, args->argv[0], "not implemented yet");
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
