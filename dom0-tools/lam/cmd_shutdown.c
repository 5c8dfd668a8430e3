/* SPDX-License-Identifier: GPL-2.0-only */
/* lam shutdown NAME [--wait] [--timeout S]: ask a guest to power off (xl shutdown). */
#include "lam_stop.h"

static const struct lam_option shutdown_options[] = {
    LAM_STOP_OPTIONS,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int shutdown_run(const struct lam_args *args)
{
    return lam_stop_run(args, "poweroff");
}

const struct lam_command lam_cmd_shutdown = {
    .name = "shutdown",
    .summary = "ask a running domain to power off",
    .usage = "[--wait] [--timeout S] NAME|UUID|ID",
    .details = "Writes 'poweroff' to the guest's control/shutdown node; its kernel shuts down\n"
               "cleanly and the domain's <on_poweroff> action follows (destroy by default).\n"
               "With --wait, returns once the domain is gone (or kept, for 'preserve'). A\n"
               "guest that has not stopped when the timeout ends is left running with a\n"
               "message saying so: `lam destroy` is then the way to stop it.",
    .options = shutdown_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = shutdown_run,
};
