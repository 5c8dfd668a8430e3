/* SPDX-License-Identifier: GPL-2.0-only */
/* lam destroy NAME|UUID|ID: stop a running domain at once and free its resources (xl destroy). */
#include "lam_hv.h"
#include "lam_life.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int destroy_run(const struct lam_args *args)
{
    const char *what = args->argv[0];
    uint16_t domid = 0;
    if (is_number(what) || strcmp(what, "Domain-0") == 0) {
        int rc = lam_parse_domid(args, what, &domid);
        if (rc != LAM_EXIT_OK)
            return rc;
    } else if (what[0] == '-') {
        return lam_usage_error(args->cmd, "'%s' is not a domain name, UUID or id", what);
    }
    struct lam_life ll = {0};
    ll.hv = lam_hv_open(args);
    if (!ll.hv)
        return LAM_EXIT_FAILURE;
    /* With a store, the toolstack's destroy (store nodes too); without one, only an id can be
     * named and only the hypervisor's part is done (boot-time domains, a store not started). */
    ll.xs = lam_store_try_open();
    int rc = LAM_EXIT_OK;
    if (!ll.xs && !is_number(what) && domid == 0 && strcmp(what, "Domain-0") != 0) {
        rc = lam_fail(args, what,
                      "names need the store to be looked up, and no store daemon answers "
                      "(start lamstored, or name the domain by its id)");
        goto out;
    }
    if (ll.xs) {
        life_init(&ll.l, ll.hv, ll.xs, NULL);
        rc = lam_life_domain(args, &ll, what, &domid);
        if (rc != LAM_EXIT_OK)
            goto out;
        int err = domid == 0 ? EINVAL : life_destroy(&ll.l, domid);
        if (err) {
            rc = lam_fail(args, "cannot destroy", "domain %u: %s", domid,
                          err == EINVAL ? hvctl_strerror(-EINVAL) : strerror(err));
            goto out;
        }
    } else {
        int hv = hvctl_domain_destroy(ll.hv, domid);
        if (hv) {
            rc = lam_fail_hv(args, "cannot destroy", domid, hv);
            goto out;
        }
    }
    printf("Domain %u destroyed\n", domid);
out:
    xsc_close(ll.xs);
    hvctl_close(ll.hv);
    return rc;
}

const struct lam_command lam_cmd_destroy = {
    .name = "destroy",
    .summary = "stop a running domain at once and free its memory",
    .usage = "NAME|UUID|ID",
    .details = "The domain does not get to shut down cleanly. Its store directories go with it;\n"
               "its memory returns to the hypervisor as soon as no other domain maps it; until\n"
               "then `lam list` shows it as dying. Domain 0 cannot be destroyed.",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = destroy_run,
};
