/* SPDX-License-Identifier: GPL-2.0-only */
/* lam help [COMMAND] */
#include "lam.h"

static int help_run(const struct lam_args *args)
{
    if (args->argc == 0) {
        lam_print_overview(stdout);
        return LAM_EXIT_OK;
    }
    const struct lam_command *cmd = lam_command_find(args->argv[0]);
    if (!cmd)
        return lam_usage_error(args->cmd, "unknown command '%s'", args->argv[0]);
    lam_print_command_help(cmd, stdout);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_help = {
    .name = "help",
    .summary = "list the commands, or describe one",
    .usage = "[COMMAND]",
    .min_args = 0,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_COMMAND,
    .handler = help_run,
};
