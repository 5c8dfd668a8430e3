/* SPDX-License-Identifier: GPL-2.0-only */
/* lam mem-max NAME SIZE: a running domain's memory ceiling (xl mem-max). */
#include "lam_life.h"

#include <inttypes.h>
#include <stdio.h>

static int mem_max_run(const struct lam_args *args)
{
    uint64_t kib;
    if (lam_parse_size_kib(args, args->argv[1], &kib) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    uint16_t domid;
    struct life_info i;
    int rc = lam_life_change(args, life_mem_max, kib, &domid, &i);
    if (rc == LAM_LIFE_OUT_OF_RANGE)
        return lam_fail(args, args->argv[0],
                        "%" PRIu64 " KiB is below its memory target of %" PRIu64
                        " KiB (lower that first with `lam mem-set`)",
                        kib, i.target_kib);
    if (rc == LAM_EXIT_OK)
        printf("Domain %s (id %u): maximum memory %" PRIu64 " KiB\n", args->argv[0], domid, kib);
    return rc;
}

const struct lam_command lam_cmd_mem_max = {
    .name = "mem-max",
    .summary = "set a running domain's maximum memory",
    .usage = "NAME|UUID|ID SIZE",
    .details = "Sets the hypervisor's limit (max_mem, plus 1 MiB as xl does) and\n"
               "memory/static-max. It cannot go below the balloon target.",
    .min_args = 2,
    .max_args = 2,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = mem_max_run,
};
