/* SPDX-License-Identifier: GPL-2.0-only */
/* lam sysrq NAME KEY: send a magic SysRq key to a guest (xl sysrq). */
#include "lam_life.h"

#include <stdio.h>
#include <string.h>

static int sysrq_run(const struct lam_args *args)
{
    const char *key = args->argv[1];
    if (strlen(key) != 1 || key[0] <= ' ' || key[0] > '~')
        return lam_usage_error(args->cmd, "'%s' is not one SysRq key (a letter such as s, c, b)",
                               key);
    struct lam_life ll;
    if (lam_life_open(args, &ll) != LAM_EXIT_OK)
        return LAM_EXIT_FAILURE;
    uint16_t domid;
    int rc = lam_life_domain(args, &ll, args->argv[0], &domid);
    if (rc == LAM_EXIT_OK) {
        int err = life_sysrq(&ll.l, domid, key[0]);
        if (err)
            rc = lam_life_fail(args, args->argv[0], err);
        else
            printf("Domain %s (id %u): SysRq '%c' sent\n", args->argv[0], domid, key[0]);
    }
    lam_life_close(&ll);
    return rc;
}

const struct lam_command lam_cmd_sysrq = {
    .name = "sysrq",
    .summary = "send a magic SysRq key to a running guest",
    .usage = "NAME|UUID|ID KEY",
    .details = "Writes KEY to the guest's control/sysrq node; Linux runs it as if typed on a\n"
               "console (s: sync, u: remount read-only, c: crash, which ends in the domain's\n"
               "<on_crash> action, b: reboot at once). The guest must allow the key: Debian's\n"
               "default kernel.sysrq=438 refuses c (boot it with sysctl.kernel.sysrq=1).",
    .min_args = 2,
    .max_args = 2,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = sysrq_run,
};
