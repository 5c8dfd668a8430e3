/* SPDX-License-Identifier: GPL-2.0-only */
/* lam destroy NAME|ID: stop a running domain at once and free its resources (virsh destroy). */
#include "lam_hv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dombuild.h"

static const struct lam_option destroy_options[] = {
    {"socket", 0, "PATH",
     "the store daemon's socket (default $XENSTORED_PATH or "
     "/run/xenstored/socket)",
     LAM_COMPLETE_FILE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int destroy_run(const struct lam_args *args)
{
    const char *who = args->argv[0];
    uint16_t id;
    bool number = (*who >= '0' && *who <= '9') || (*who == '-' && who[1] >= '0' && who[1] <= '9');
    if (number) {
        int rc = lam_parse_domid(args, who, &id);
        if (rc != LAM_EXIT_OK)
            return rc;
    } else if (strcmp(who, "Domain-0") == 0) {
        id = 0;
    } else {
        int rc = dombuild_find_by_name(who, lam_opt(args, "socket"), &id);
        if (rc == -ENOTCONN)
            return lam_fail(args, "cannot destroy",
                            "'%s': the store daemon is not reachable to look the name up "
                            "(give the id from `lam list`)",
                            who);
        if (rc)
            return lam_fail(args, "cannot destroy", "no running domain is named '%s'", who);
    }
    struct hvctl *h = lam_hv_open(args); /* the usual message when there is no hypervisor */
    if (!h)
        return LAM_EXIT_FAILURE;
    hvctl_close(h);
    char why[DOMBUILD_WHY_MAX];
    if (dombuild_destroy(id, lam_opt(args, "socket"), why, sizeof(why)))
        return lam_fail(args, "cannot destroy", "%s", why);
    printf("Domain %u destroyed\n", id);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_destroy = {
    .name = "destroy",
    .summary = "stop a running domain at once and free its memory",
    .usage = "[--socket PATH] NAME|ID",
    .details = "The domain does not get to shut down cleanly. Its store nodes are removed\n"
               "(/local/domain/ID, /vm/UUID, /lamina/domain/ID) and the store daemon releases\n"
               "it. Its memory returns to the hypervisor as soon as no other domain maps it;\n"
               "until then `lam list` shows it as dying. Domain 0 cannot be destroyed.",
    .options = destroy_options,
    .min_args = 1,
    .max_args = 1,
    .handler = destroy_run,
};
