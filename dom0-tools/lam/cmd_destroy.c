/* lam destroy ID: stop a running domain at once and free its resources (virsh destroy). */
#include "lam_hv.h"

#include <stdio.h>

static int destroy_run(const struct lam_args *args)
{
    uint16_t id;
    int rc = lam_parse_domid(args, args->argv[0], &id);
    if (rc != LAM_EXIT_OK)
        return rc;
    struct hvctl *h = lam_hv_open(args);
    if (!h)
        return LAM_EXIT_FAILURE;
    int hv = hvctl_domain_destroy(h, id);
    hvctl_close(h);
    if (hv)
        return lam_fail_hv(args, "cannot destroy", id, hv);
    printf("Domain %u destroyed\n", id);
    return LAM_EXIT_OK;
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
