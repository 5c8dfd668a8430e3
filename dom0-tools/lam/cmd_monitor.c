/* SPDX-License-Identifier: GPL-2.0-only */
/* lam monitor NAME: (re)attach the process that applies a domain's on_* actions. */
#include "lam_life.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

static const struct lam_option monitor_options[] = {
    {"foreground", 'f', NULL, "run in this process (the log lines also go to the terminal)",
     LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int monitor_run(const struct lam_args *args)
{
    struct lam_life ll;
    uint16_t domid;
    struct life_info i;
    int rc = lam_life_domain_info(args, &ll, &domid, &i);
    if (rc != LAM_EXIT_OK)
        return rc;
    lam_life_close(&ll);
    if (domid == 0)
        return lam_fail(args, args->argv[0], "Domain-0 is not monitored");
    if (i.monitor_pid && (kill(i.monitor_pid, 0) == 0 || errno == EPERM))
        return lam_fail(args, args->argv[0], "already monitored by pid %d", i.monitor_pid);
    if (lam_flag(args, "foreground"))
        return lam_monitor_serve(domid, -1);
    int pid;
    rc = lam_monitor_spawn(args, domid, &pid);
    if (rc == LAM_EXIT_OK)
        printf("Domain %s (id %u) monitored by pid %d\n", args->argv[0], domid, pid);
    return rc;
}

const struct lam_command lam_cmd_monitor = {
    .name = "monitor",
    .summary = "start the process that applies a running domain's on_* actions",
    .usage = "[--foreground] NAME|UUID|ID",
    .details = "`lam create` and `lam start` start one for every domain (as xl forks one per\n"
               "domain); this command attaches a new one when that process was killed. It\n"
               "waits on the store's @releaseDomain watch and, when the domain stops, applies\n"
               "<on_poweroff>, <on_reboot> or <on_crash>, logging each event with its reason\n"
               "to $LAMINA_LOG_DIR/lifecycle.log (default /var/log/lamina).",
    .options = monitor_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = monitor_run,
};
