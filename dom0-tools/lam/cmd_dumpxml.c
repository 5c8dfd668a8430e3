/* lam dumpxml FILE|NAME: the normalised XML with every default filled in. */
#include "lam.h"

static const struct lam_option dumpxml_options[] = {
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int dumpxml_run(const struct lam_args *args)
{
    return lam_fail(args, args->argv[0], "not implemented yet");
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
