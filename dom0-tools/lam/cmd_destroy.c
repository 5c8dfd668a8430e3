/* SPDX-License-Identifier: GPL-2.0-only */
/* lam destroy ID: stop a running domain at once and free its resources (virsh destroy). */
#include "lam_hv.h"

static int destroy_run(const struct lam_args *args)
{
    return lam_run_domain_op(args, hvctl_domain_destroy, "cannot destroy", "destroyed");
}

const struct lam_command lam_cmd_destroy = {
    .name = "destroy",
    .summary = "stop a running domain at once and free its memory",
    .usage = "ID",
    .details = "The domain does not get to shut down cleanly. Its memory returns to the\n"
               "hypervisor as soon as no other domain maps it; until then `lam list` shows it\n"
               "as dying. Domain 0 cannot be destroyed.",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .handler = destroy_run,
};
