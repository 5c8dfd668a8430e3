/* lam convert: between domain XML and Xen's xl.cfg format. */
#include "lam.h"

static const struct lam_option convert_options[] = {
    {"from", 'f', "FORMAT", "format of FILE", LAM_COMPLETE_WORDS, "xml xl"},
    {"to", 't', "FORMAT", "format to write", LAM_COMPLETE_WORDS, "xml xl"},
    {"output", 'o', "FILE", "write here instead of standard output", LAM_COMPLETE_FILE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int convert_run(const struct lam_args *args)
{
    return lam_fail(args, args->argv[0], "not implemented yet");
}

const struct lam_command lam_cmd_convert = {
    .name = "convert",
    .summary = "convert between domain XML and xl.cfg",
    .usage = "--from xl|xml | --to xl|xml [--output FILE] FILE",
    .details = "'--from xl' reads an xl.cfg file and writes domain XML; '--to xl' reads domain\n"
               "XML and writes xl.cfg. Settings the target format cannot express are reported\n"
               "as warnings on standard error.",
    .options = convert_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = convert_run,
};
