/* SPDX-License-Identifier: GPL-2.0-only */
/* lam sched-credit ID [--weight N] [--cap PCT]: show or set a domain's CPU share (xl sched-credit).
 */
#include "lam_hv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lamina/domctl.h"

static const struct lam_option sched_options[] = {
    {"weight", 'w', "N", "share relative to other domains, 1-65535 (default 256)",
     LAM_COMPLETE_NONE, NULL},
    {"cap", 'c', "PCT", "at most this percent of one CPU; 0 removes the cap", LAM_COMPLETE_NONE,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* A number in [lo, hi], or -1 with a usage error printed. */
static long parse_range(const struct lam_args *args, const char *opt, long lo, long hi)
{
    const char *s = lam_opt(args, opt);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        lam_usage_error(args->cmd, "--%s %s: expected a number from %ld to %ld", opt, s, lo, hi);
        return -1;
    }
    return v;
}

static int sched_credit_run(const struct lam_args *args)
{
    uint16_t id;
    int rc = lam_parse_domid(args, args->argv[0], &id);
    if (rc != LAM_EXIT_OK)
        return rc;
    long weight = 0, cap = -1;
    if (lam_opt(args, "weight") && (weight = parse_range(args, "weight", 1, 65535)) < 0)
        return LAM_EXIT_USAGE;
    if (lam_opt(args, "cap") &&
        (cap = parse_range(args, "cap", 0, LAM_CREDIT_CAP_UNCHANGED - 1)) < 0)
        return LAM_EXIT_USAGE;
    struct hvctl *h = lam_hv_open(args);
    if (!h)
        return LAM_EXIT_FAILURE;
    int hv = 0;
    if (weight || cap >= 0)
        hv = hvctl_sched_credit_set(h, id, (unsigned int)weight, (int)cap);
    unsigned int w = 0, c = 0;
    if (!hv)
        hv = hvctl_sched_credit_get(h, id, &w, &c);
    hvctl_close(h);
    if (hv)
        return lam_fail_hv(args, "credit scheduler parameters", id, hv);
    printf("%-6s %-8s %s\n%-6u %-8u %u\n", "Id", "Weight", "Cap", id, w, c);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_sched_credit = {
    .name = "sched-credit",
    .summary = "show or set a domain's CPU weight and cap",
    .usage = "[--weight N] [--cap PCT] ID",
    .details = "Without options, prints the current values. A domain with weight 512 gets\n"
               "twice the CPU time of one with 256 when both want more than they get; a cap\n"
               "limits a domain even when the CPU is otherwise idle.",
    .options = sched_options,
    .min_args = 1,
    .max_args = 1,
    .handler = sched_credit_run,
};
