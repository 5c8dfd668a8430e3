/* SPDX-License-Identifier: GPL-2.0-only */
/* lam vcpu-pin ID VCPU CPUS: where a vCPU may run (hard affinity; xl vcpu-pin, virsh vcpupin). */
#include "lam_hv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int vcpu_pin_run(const struct lam_args *args)
{
    uint16_t id;
    uint64_t cpus;
    int rc = lam_parse_domid(args, args->argv[0], &id);
    if (rc == LAM_EXIT_OK)
        rc = lam_parse_cpus(args, args->argv[2], &cpus);
    if (rc != LAM_EXIT_OK)
        return rc;
    char *end;
    errno = 0;
    unsigned long vcpu = strtoul(args->argv[1], &end, 10);
    if (args->argv[1][0] < '0' || args->argv[1][0] > '9' || *end || errno || vcpu > 4095)
        return lam_usage_error(args->cmd, "'%s' is not a vCPU number", args->argv[1]);
    struct hvctl *h = lam_hv_open(args);
    if (!h)
        return LAM_EXIT_FAILURE;
    uint64_t effective = 0;
    int hv = hvctl_vcpu_set_affinity(h, id, (unsigned int)vcpu, cpus, &effective);
    hvctl_close(h);
    if (hv)
        return lam_fail(args, "cannot pin", "domain %u vCPU %lu to CPUs %s: %s", id, vcpu,
                        args->argv[2],
                        hv == -EINVAL ? "no CPU of the set is online, or there is no such vCPU"
                                      : hvctl_strerror(hv));
    printf("Domain %u vCPU %lu may run on CPUs %s (effective mask %#llx)\n", id, vcpu,
           args->argv[2], (unsigned long long)effective);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_vcpu_pin = {
    .name = "vcpu-pin",
    .summary = "set the physical CPUs a vCPU may run on",
    .usage = "ID VCPU all|CPU[-CPU][,...]",
    .details = "The hypervisor moves the vCPU at once if it runs elsewhere. CPUs that are not\n"
               "online are dropped from the mask; a mask with none online is refused.",
    .options = NULL,
    .min_args = 3,
    .max_args = 3,
    .handler = vcpu_pin_run,
};
