/* SPDX-License-Identifier: GPL-2.0-only */
/* lam console NAME: a domain's console through lamconsoled (lam_console.h). */
#include "lam.h"

#include <stdlib.h>

#include "lam_console.h"

static const struct lam_option console_options[] = {
    {"timeout", 't', "S", "stop after S seconds (default: until the domain is gone)",
     LAM_COMPLETE_NONE, NULL},
    {"socket", 0, "PATH", "lamconsoled's attach socket (default /run/lamina/console.sock)",
     LAM_COMPLETE_FILE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int console_run(const struct lam_args *args)
{
    struct lam_console_opts o = {.socket = lam_opt(args, "socket")};
    const char *t = lam_opt(args, "timeout");
    if (t) {
        char *end;
        long v = strtol(t, &end, 10);
        if (*t < '0' || *t > '9' || *end || v <= 0 || v > 86400)
            return lam_usage_error(args->cmd, "--timeout %s: expected seconds from 1 to 86400", t);
        o.timeout_s = (unsigned)v;
    }
    return lam_console_attach(args, args->argv[0], &o);
}

const struct lam_command lam_cmd_console = {
    .name = "console",
    .summary = "attach to a running domain's console",
    .usage = "[--timeout S] NAME|ID",
    .details = "Connects through the console daemon (lamconsoled). On a terminal the session\n"
               "is raw and both ways; Ctrl-] detaches (the domain keeps running). When stdin\n"
               "is not a terminal, the console is copied to stdout (stdin, if any, is typed\n"
               "into it) until the domain is gone or --timeout S passes; both end with exit\n"
               "status 0. The domain's recent output (up to 16 KiB) is shown first. Every\n"
               "domain's output is also kept in /var/log/lamina/console/NAME.log.",
    .options = console_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_NONE,
    .arg_words = NULL,
    .handler = console_run,
};
