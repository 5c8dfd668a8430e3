/* SPDX-License-Identifier: GPL-2.0-only */
/* lam info NAME: one running domain, from the hypervisor, the store and its recorded config
 * (virsh dominfo / xl list -l). */
#include "lam_domcfg.h"
#include "lam_life.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lamina/memory_layout.h"

static void mib(const char *label, uint64_t kib)
{
    if (kib)
        printf("%-16s %" PRIu64 " MiB\n", label, kib >> 10);
    else
        printf("%-16s -\n", label);
}

static void uptime(double start)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double s = (double)now.tv_sec + now.tv_nsec / 1e9 - start;
    if (start <= 0 || s < 0) {
        printf("%-16s -\n", "Uptime:");
        return;
    }
    unsigned long t = (unsigned long)s;
    printf("%-16s %lu:%02lu:%02lu\n", "Uptime:", t / 3600, t / 60 % 60, t % 60);
}

/* The devices of the recorded configuration, one a line. */
static void devices(const char *xml)
{
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_domain *d = xml ? domcfg_parse_xml(xml, strlen(xml), "config", &diags) : NULL;
    domcfg_diags_free(&diags);
    if (!d) {
        printf("%-16s - (no configuration recorded: not started by lam)\n", "Devices:");
        return;
    }
    const char *label = "Devices:";
    for (size_t i = 0; i < d->nconsoles; i++, label = "")
        printf("%-16s console %d\n", label, d->consoles[i].port);
    for (size_t i = 0; i < d->ndisks; i++, label = "")
        printf("%-16s disk %s <- %s%s\n", label, d->disks[i].target,
               d->disks[i].source ? d->disks[i].source : "(empty)",
               d->disks[i].readonly ? " (read-only)" : "");
    for (size_t i = 0; i < d->nnics; i++, label = "") {
        const uint8_t *m = d->nics[i].mac;
        printf("%-16s interface %02x:%02x:%02x:%02x:%02x:%02x%s%s\n", label, m[0], m[1], m[2], m[3],
               m[4], m[5], d->nics[i].bridge ? " bridge " : "",
               d->nics[i].bridge ? d->nics[i].bridge : "");
    }
    if (*label)
        printf("%-16s none\n", label);
    domcfg_domain_free(d);
}

static int info_run(const struct lam_args *args)
{
    struct lam_life ll;
    uint16_t domid;
    struct life_info i;
    int rc = lam_life_domain_info(args, &ll, &domid, &i);
    if (rc != LAM_EXIT_OK)
        return rc;
    char name[LIFE_NAME_MAX + 1];
    lam_life_name(&ll, domid, name, sizeof(name));
    printf("%-16s %s\n%-16s %u\n%-16s %s\n%-16s %s", "Name:", name, "Id:", domid,
           "UUID:", i.uuid[0] ? i.uuid : "-", "State:", hvctl_state_name(&i.hv));
    if (i.hv.shutdown)
        printf(" (%s)", hvctl_shutdown_name(i.hv.shutdown_reason));
    printf("\n");
    mib("Memory:", i.hv.tot_pages * LAM_PAGE_SIZE >> 10);
    mib("Target:", i.target_kib);
    mib("Max memory:", i.static_max_kib);
    mib("Hypervisor max:", i.hv.max_pages * LAM_PAGE_SIZE >> 10);
    printf("%-16s %u online of %u", "VCPUs:", i.hv.vcpus_online, i.vcpus_max);
    if (i.vcpus_available)
        printf(" (%u requested)", i.vcpus_available);
    printf("\n%-16s %.1f s\n", "CPU time:", (double)i.hv.cpu_time_ns / 1e9);
    printf("%-16s %s\n%-16s %s\n%-16s %s\n",
           "On poweroff:", life_action_name(i.actions.on_poweroff),
           "On reboot:", life_action_name(i.actions.on_reboot),
           "On crash:", life_action_name(i.actions.on_crash));
    char *xml = NULL;
    life_running_config(&ll.l, domid, &xml);
    devices(xml);
    free(xml);
    uptime(i.start_time);
    if (i.monitor_pid)
        printf("%-16s pid %d%s\n", "Monitor:", i.monitor_pid,
               kill(i.monitor_pid, 0) == 0 || errno == EPERM ? "" : " (not running)");
    else
        printf("%-16s none (on_* actions are not applied)\n", "Monitor:");
    lam_life_close(&ll);
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_info = {
    .name = "info",
    .summary = "show a running domain: state, memory, vCPUs, on_* actions, devices, uptime",
    .usage = "NAME|UUID|ID",
    .details = "Memory is what the domain holds now; Target is its balloon target\n"
               "(memory/target, `lam mem-set`), Max memory its ceiling (memory/static-max,\n"
               "`lam mem-max`). The monitor is the process applying the on_* actions.",
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = info_run,
};
