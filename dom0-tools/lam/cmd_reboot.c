/* SPDX-License-Identifier: GPL-2.0-only */
/* lam reboot NAME [--wait] [--timeout S]: ask a guest to reboot (xl reboot). */
#include "lam_stop.h"

static const struct lam_option reboot_options[] = {
    LAM_STOP_OPTIONS,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int reboot_run(const struct lam_args *args)
{
    return lam_stop_run(args, "reboot");
}

const struct lam_command lam_cmd_reboot = {
    .name = "reboot",
    .summary = "ask a running domain to reboot",
    .usage = "[--wait] [--timeout S] NAME|UUID|ID",
    .details = "Writes 'reboot' to the guest's control/shutdown node. When the guest has shut\n"
               "down, its <on_reboot> action follows: 'restart' (the default) destroys it and\n"
               "starts the same configuration again as a new domain with a new id. With\n"
               "--wait, returns once the new domain is there and prints both ids.",
    .options = reboot_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = reboot_run,
};
