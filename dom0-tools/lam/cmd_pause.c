/* SPDX-License-Identifier: GPL-2.0-only */
/* lam pause ID: stop scheduling a running domain's vCPUs (virsh suspend, xl pause). */
#include "lam_hv.h"

static int pause_run(const struct lam_args *args)
{
    return lam_run_domain_op(args, hvctl_domain_pause, "cannot pause", "paused");
}

const struct lam_command lam_cmd_pause = {
    .name = "pause",
    .summary = "stop running a domain's vCPUs until `lam unpause`",
    .usage = "ID",
    .details = "Pauses nest: a domain paused twice runs again after two unpauses.",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .handler = pause_run,
};
