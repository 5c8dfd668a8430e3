/* SPDX-License-Identifier: GPL-2.0-only */
/* lam mem-set NAME SIZE: the guest's balloon target (xl mem-set). */
#include "lam_life.h"

#include <inttypes.h>
#include <stdio.h>

static int mem_set_run(const struct lam_args *args)
{
    uint64_t kib;
    if (lam_parse_size_kib(args, args->argv[1], &kib) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    uint16_t domid;
    struct life_info i;
    int rc = lam_life_change(args, life_mem_set, kib, &domid, &i);
    if (rc == LAM_LIFE_OUT_OF_RANGE)
        return lam_fail(args, args->argv[0],
                        "%" PRIu64 " KiB is outside 1 MiB..%" PRIu64
                        " KiB (its maximum: raise it with `lam mem-max`)",
                        kib, i.static_max_kib);
    if (rc == LAM_EXIT_OK)
        printf("Domain %s (id %u): memory target %" PRIu64 " KiB\n", args->argv[0], domid, kib);
    return rc;
}

const struct lam_command lam_cmd_mem_set = {
    .name = "mem-set",
    .summary = "set a running domain's memory (its balloon target)",
    .usage = "NAME|UUID|ID SIZE",
    .details = "SIZE is a number with an optional unit k, m, g or t (no unit: MiB), at most the\n"
               "domain's maximum (`lam mem-max`). The guest's balloon driver follows\n"
               "memory/target: `lam info` shows what it holds.",
    .min_args = 2,
    .max_args = 2,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = mem_set_run,
};
