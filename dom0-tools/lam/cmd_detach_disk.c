/* SPDX-License-Identifier: GPL-2.0-only */
/* lam detach-disk NAME TARGET: a disk taken out of a guest (virsh detach-disk). */
#include "lam_disk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dombuild.h"

/* How long the guest gets to let the disk go (libxl's device removal bound). */
#define DETACH_TIMEOUT_S 10

static const struct lam_option detach_options[] = {
    {"timeout", 0, "SECONDS", "how long the guest gets to release the disk (default 10)",
     LAM_COMPLETE_NONE, NULL},
    LAM_DISK_SCOPE_OPTIONS,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int detach_run(const struct lam_args *args)
{
    const char *name = args->argv[0], *target = args->argv[1];
    if (lam_disk_scope_check(args))
        return LAM_EXIT_USAGE;
    if (dombuild_disk_devid(target) < 0)
        return lam_usage_error(args->cmd, "%s: not a Xen disk name (xvda, xvdb, ...)", target);
    int timeout_s = DETACH_TIMEOUT_S;
    const char *t = lam_opt(args, "timeout");
    if (t) {
        char *end;
        long v = strtol(t, &end, 10);
        if (*t < '0' || *t > '9' || *end || v < 1 || v > 3600)
            return lam_usage_error(args->cmd, "--timeout %s: seconds, 1 to 3600", t);
        timeout_s = (int)v;
    }
    struct lam_disk_scope s;
    int rc = lam_disk_scope(args, name, &s);
    if (rc)
        return rc;
    if (s.config && s.def) {
        bool found = false;
        for (size_t i = 0; i < s.def->ndisks; i++)
            found |= s.def->disks[i].target && !strcmp(s.def->disks[i].target, target);
        if (!found) {
            lam_disk_scope_free(&s);
            return lam_fail(args, target, "the definition of %s has no disk there", name);
        }
    }
    if (s.live) {
        char why[256];
        int err = dombuild_disk_detach(s.xs, s.domid, target, timeout_s * 1000, why, sizeof(why));
        if (err) {
            lam_disk_scope_free(&s);
            return lam_fail(args, target, "%s", why);
        }
        lam_disk_record_remove(args, &s, target);
        printf("Disk %s detached from domain %s (id %u)\n", target, name, s.domid);
    }
    if (s.config) {
        rc = lam_disk_config_remove(args, &s, target);
        if (!rc)
            printf("Disk %s removed from the definition of %s\n", target, name);
    }
    lam_disk_scope_free(&s);
    return rc;
}

const struct lam_command lam_cmd_detach_disk = {
    .name = "detach-disk",
    .summary = "take a disk out of a domain (and/or its definition)",
    .usage = "[OPTIONS] NAME|UUID|ID TARGET",
    .details = "As libxl removes a vbd: the backend is asked to close (state 5, online 0),\n"
               "the guest's blkfront lets the disk go, lamblkback releases it (state 6),\n"
               "then the store directories are removed. A disk still in use in the guest\n"
               "(mounted) is not released: after --timeout seconds (default 10) the command\n"
               "fails and the request stands. Scope as attach-disk (--live, --config,\n"
               "--persistent, --current).",
    .options = detach_options,
    .min_args = 2,
    .max_args = 2,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = detach_run,
};
