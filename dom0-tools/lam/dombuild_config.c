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

/* libvirt's driver names for Xen keep their meaning: phy is dom0's in-kernel blkback; qemu,
 * file, tap (and lamina) are the user-space backend, which here is lamblkback. */
static void disks(const struct domcfg_domain *dom, struct dombuild_config *c)
{
    static const char *const formats[] = {[DOMCFG_FORMAT_UNSET] = "raw",
                                          [DOMCFG_FORMAT_RAW] = "raw",
                                          [DOMCFG_FORMAT_QCOW] = "qcow",
                                          [DOMCFG_FORMAT_QCOW2] = "qcow2",
                                          [DOMCFG_FORMAT_VHD] = "vhd"};
    c->ndisks = 0;
    for (size_t i = 0; i < dom->ndisks; i++) {
        const struct domcfg_disk *d = &dom->disks[i];
        if (c->ndisks == DOMBUILD_MAX_DISKS) {
            c->ndisks = DOMBUILD_MAX_DISKS + 1; /* refused by the builder, with a message */
            return;
        }
        struct dombuild_disk *b = &c->disks[c->ndisks++];
        *b = (struct dombuild_disk){
            .target = d->target,
            .path = d->source,
            .format = formats[d->format],
            .readonly = d->readonly,
            .cdrom = d->device == DOMCFG_DEVICE_CDROM,
        };
        if (d->driver == DOMCFG_DRIVER_PHY)
            b->unsupported_driver = "phy";
        else if (d->driver == DOMCFG_DRIVER_TAP2)
            b->unsupported_driver = "tap2";
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
    disks(dom, c);
}
