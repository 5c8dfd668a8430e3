/* lam pause ID: stop scheduling a running domain's vCPUs (virsh suspend, xl pause). */
#include "lam_hv.h"

#include <stdio.h>

int lam_pause_or_unpause(const struct lam_args *args, bool pause)
{
    uint16_t id;
    int rc = lam_parse_domid(args, args->argv[0], &id);
    if (rc != LAM_EXIT_OK)
        return rc;
    struct hvctl *h = lam_hv_open(args);
    if (!h)
        return LAM_EXIT_FAILURE;
    int hv = pause ? hvctl_domain_pause(h, id) : hvctl_domain_unpause(h, id);
    hvctl_close(h);
    if (hv)
        return lam_fail_hv(args, pause ? "cannot pause" : "cannot unpause", id, hv);
    printf("Domain %u %s\n", id, pause ? "paused" : "unpaused");
    return LAM_EXIT_OK;
}

static int pause_run(const struct lam_args *args)
{
    return lam_pause_or_unpause(args, true);
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
