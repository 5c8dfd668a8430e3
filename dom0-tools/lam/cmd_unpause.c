/* SPDX-License-Identifier: GPL-2.0-only */
/* lam unpause ID: undo one `lam pause` (virsh resume, xl unpause). */
#include "lam_hv.h"

static int unpause_run(const struct lam_args *args)
{
    return lam_run_domain_op(args, hvctl_domain_unpause, "cannot unpause", "unpaused");
}

const struct lam_command lam_cmd_unpause = {
    .name = "unpause",
    .summary = "let a paused domain run again",
    .usage = "ID",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .handler = unpause_run,
};
