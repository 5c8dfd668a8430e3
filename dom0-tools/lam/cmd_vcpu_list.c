/* SPDX-License-Identifier: GPL-2.0-only */
/* lam vcpu-list ID: a domain's vCPUs, the physical CPU each is on, and where it may run. */
#include "lam_hv.h"

#include <errno.h>
#include <stdio.h>

/* "all", or a list of CPU numbers and ranges ("0,2-3"). */
static void print_cpus(uint64_t m)
{
    if (m == ~0ull) {
        printf("all");
        return;
    }
    const char *sep = "";
    for (unsigned int c = 0; c < 64; c++) {
        if (!(m >> c & 1))
            continue;
        unsigned int e = c;
        while (e + 1 < 64 && (m >> (e + 1) & 1))
            e++;
        printf(e > c ? "%s%u-%u" : "%s%u", sep, c, e);
        sep = ",";
        c = e;
    }
}

static int vcpu_list_run(const struct lam_args *args)
{
    uint16_t id;
    struct hvctl *h;
    int rc = lam_open_domain(args, &id, &h);
    if (rc != LAM_EXIT_OK)
        return rc;
    struct hvctl_dominfo d;
    int hv = hvctl_domain_info(h, id, &d);
    if (!hv)
        printf("%-5s %-4s %-8s %9s  %s\n", "VCPU", "CPU", "State", "Time(s)", "Affinity");
    for (unsigned int v = 0; !hv && d.max_vcpu_id != ~0u && v <= d.max_vcpu_id; v++) {
        struct hvctl_vcpuinfo vi;
        uint64_t aff;
        hv = hvctl_vcpu_info(h, id, v, &vi);
        if (hv == -ESRCH) { /* an id never created */
            hv = 0;
            continue;
        }
        if (!hv)
            hv = hvctl_vcpu_get_affinity(h, id, v, &aff);
        if (hv)
            break;
        const char *state = !vi.online   ? "offline"
                            : vi.running ? "running"
                            : vi.blocked ? "blocked"
                                         : "runnable";
        printf("%-5u %-4u %-8s %9.1f  ", v, vi.cpu, state, (double)vi.cpu_time_ns / 1e9);
        print_cpus(aff);
        printf("\n");
    }
    hvctl_close(h);
    if (hv)
        return lam_fail_hv(args, "cannot list vCPUs", id, hv);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_vcpu_list = {
    .name = "vcpu-list",
    .summary = "a domain's vCPUs: state, CPU time and affinity",
    .usage = "ID",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .handler = vcpu_list_run,
};
