/* SPDX-License-Identifier: GPL-2.0-only */
/* lam vcpu-set NAME N: how many of a guest's vCPUs are online (xl vcpu-set). */
#include "lam_life.h"

#include <stdio.h>

/* libdomlife's vcpu_set takes the count as it is; n came from lam_parse_count. */
static int vcpu_set_change(struct life *l, uint16_t domid, uint64_t n)
{
    return life_vcpu_set(l, domid, (unsigned int)n);
}

static int vcpu_set_run(const struct lam_args *args)
{
    unsigned int n;
    if (lam_parse_count(args, "vCPU count", args->argv[1], &n) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    uint16_t domid;
    struct life_info i;
    int rc = lam_life_change(args, vcpu_set_change, n, &domid, &i);
    if (rc == LAM_LIFE_OUT_OF_RANGE)
        return lam_fail(args, args->argv[0],
                        "%u vCPUs: it has %u (the <vcpu> maximum it was started with)", n,
                        i.vcpus_max);
    if (rc == LAM_EXIT_OK)
        printf("Domain %s (id %u): %u vCPU%s online\n", args->argv[0], domid, n, n == 1 ? "" : "s");
    return rc;
}

const struct lam_command lam_cmd_vcpu_set = {
    .name = "vcpu-set",
    .summary = "set how many of a running domain's vCPUs are online",
    .usage = "NAME|UUID|ID N",
    .details = "vCPUs 0..N-1 are asked to come online and the others to go offline, through\n"
               "cpu/K/availability; the guest's kernel does the hotplug. N is at most the\n"
               "<vcpu> maximum the domain was started with.",
    .min_args = 2,
    .max_args = 2,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = vcpu_set_run,
};
