/* SPDX-License-Identifier: GPL-2.0-only */
/* lam vcpu-set NAME N: how many of a guest's vCPUs are online (xl vcpu-set). */
#include "lam_life.h"

#include <errno.h>
#include <stdio.h>

static int vcpu_set_run(const struct lam_args *args)
{
    unsigned int n;
    if (lam_parse_count(args, "vCPU count", args->argv[1], &n) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    struct lam_life ll;
    if (lam_life_open(args, &ll) != LAM_EXIT_OK)
        return LAM_EXIT_FAILURE;
    uint16_t domid;
    int rc = lam_life_domain(args, &ll, args->argv[0], &domid);
    if (rc == LAM_EXIT_OK) {
        int err = life_vcpu_set(&ll.l, domid, n);
        struct life_info i;
        if (err == ERANGE && life_get_info(&ll.l, domid, &i) == 0)
            rc = lam_fail(args, args->argv[0],
                          "%u vCPUs: it has %u (the <vcpu> maximum it was started with)", n,
                          i.vcpus_max);
        else if (err)
            rc = lam_life_fail(args, args->argv[0], err);
        else
            printf("Domain %s (id %u): %u vCPU%s online\n", args->argv[0], domid, n,
                   n == 1 ? "" : "s");
    }
    lam_life_close(&ll);
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
