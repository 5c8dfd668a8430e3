/* lam unpause ID: undo one `lam pause` (virsh resume, xl unpause). */
#include "lam_hv.h"

int lam_pause_or_unpause(const struct lam_args *args, bool pause);

static int unpause_run(const struct lam_args *args)
{
    return lam_pause_or_unpause(args, false);
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
