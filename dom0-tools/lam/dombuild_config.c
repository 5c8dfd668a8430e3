/* SPDX-License-Identifier: GPL-2.0-only */
/* A domain's configuration as libdombuild takes it (see lam_dombuild.h). */
#include "lam_dombuild.h"

#include <string.h>

static const char *lifecycle(enum domcfg_lifecycle l)
{
    switch (l) {
    case DOMCFG_LIFECYCLE_RESTART:
        return "restart";
    case DOMCFG_LIFECYCLE_PRESERVE:
        return "preserve";
    case DOMCFG_LIFECYCLE_RENAME_RESTART:
        return "rename-restart";
    case DOMCFG_LIFECYCLE_COREDUMP_DESTROY:
        return "coredump-destroy";
    case DOMCFG_LIFECYCLE_COREDUMP_RESTART:
        return "coredump-restart";
    default:
        return "destroy";
    }
}

void lam_dombuild_config(const struct domcfg_domain *dom, const char *xml, bool paused,
                         const char *store_path, struct dombuild_config *c)
{
    *c = (struct dombuild_config){
        .name = dom->name,
        .max_kib = dom->memory_kib,
        .target_kib = dom->current_memory_kib ? dom->current_memory_kib : dom->memory_kib,
        .max_vcpus = dom->vcpus,
        .vcpus = dom->vcpus_current ? dom->vcpus_current : dom->vcpus,
        .kernel = dom->kernel,
        .initrd = dom->initrd,
        .cmdline = dom->cmdline ? dom->cmdline : "",
        .max_grant_frames = dom->max_grant_frames,
        .max_evtchn_port = dom->max_event_channels ? dom->max_event_channels - 1 : 0,
        .paused = paused,
        .config_xml = xml,
        .on_poweroff = lifecycle(dom->on_poweroff),
        .on_reboot = lifecycle(dom->on_reboot),
        .on_crash = lifecycle(dom->on_crash),
        .store_path = store_path,
        .kernel_cache = LAM_KERNEL_CACHE,
    };
    memcpy(c->uuid, dom->uuid, sizeof(c->uuid));
}
