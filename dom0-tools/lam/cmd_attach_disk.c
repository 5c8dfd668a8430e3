/* SPDX-License-Identifier: GPL-2.0-only */
/* lam attach-disk NAME SOURCE TARGET: a disk hot-plugged into a guest (virsh attach-disk). */
#include "lam_disk.h"
#include "lam_dombuild.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dombuild.h"

static const struct lam_option attach_options[] = {
    {"driver", 0, "NAME", "qemu, file, tap or lamina (lamblkback, the default); phy is refused",
     LAM_COMPLETE_WORDS, "qemu file tap lamina phy"},
    {"subdriver", 0, "FORMAT", "the image format: raw (default) or qcow2", LAM_COMPLETE_WORDS,
     "raw qcow2"},
    {"type", 0, "TYPE", "disk (default) or cdrom (read-only)", LAM_COMPLETE_WORDS, "disk cdrom"},
    {"mode", 0, "MODE", "readonly or shareable", LAM_COMPLETE_WORDS, "readonly shareable"},
    {"sourcetype", 0, "TYPE", "file or block (default: what SOURCE is)", LAM_COMPLETE_WORDS,
     "file block"},
    {"targetbus", 0, "BUS", "xen (the only bus of a PV guest)", LAM_COMPLETE_WORDS, "xen"},
    LAM_DISK_SCOPE_OPTIONS,
    {NULL, 0, NULL, NULL, 0, NULL},
};

/* One of words (space-separated) or NULL; its index in *i. */
static bool pick(const char *v, const char *const *words, int n, int *i)
{
    for (*i = 0; *i < n; (*i)++)
        if (strcmp(v, words[*i]) == 0)
            return true;
    return false;
}

/* The options as the disk XML would say it. LAM_EXIT_USAGE after a message. */
static int disk_from_options(const struct lam_args *args, struct domcfg_disk *d)
{
    static const char *const drivers[] = {"qemu", "file", "tap", "lamina", "phy"};
    static const enum domcfg_disk_driver driver_ids[] = {DOMCFG_DRIVER_QEMU, DOMCFG_DRIVER_FILE,
                                                         DOMCFG_DRIVER_TAP, DOMCFG_DRIVER_LAMINA,
                                                         DOMCFG_DRIVER_PHY};
    static const char *const formats[] = {"raw", "qcow2"};
    static const char *const types[] = {"disk", "cdrom"};
    static const char *const modes[] = {"readonly", "shareable"};
    static const char *const sourcetypes[] = {"file", "block"};
    const char *v;
    int i;
    if ((v = lam_opt(args, "driver"))) {
        if (!pick(v, drivers, 5, &i))
            return lam_usage_error(args->cmd, "--driver %s: one of qemu, file, tap, lamina, phy",
                                   v);
        d->driver = driver_ids[i];
    }
    if ((v = lam_opt(args, "subdriver"))) {
        if (!pick(v, formats, 2, &i))
            return lam_usage_error(args->cmd, "--subdriver %s: raw or qcow2", v);
        d->format = i ? DOMCFG_FORMAT_QCOW2 : DOMCFG_FORMAT_RAW;
    }
    if ((v = lam_opt(args, "type"))) {
        if (!pick(v, types, 2, &i))
            return lam_usage_error(args->cmd, "--type %s: disk or cdrom", v);
        d->device = i ? DOMCFG_DEVICE_CDROM : DOMCFG_DEVICE_DISK;
    }
    if ((v = lam_opt(args, "mode"))) {
        if (!pick(v, modes, 2, &i))
            return lam_usage_error(args->cmd, "--mode %s: readonly or shareable", v);
        d->readonly = i == 0;
        d->shareable = i == 1;
    }
    if ((v = lam_opt(args, "targetbus")) && strcmp(v, "xen") != 0)
        return lam_usage_error(args->cmd, "--targetbus %s: a PV guest's disks are on bus xen", v);
    if ((v = lam_opt(args, "sourcetype"))) {
        if (!pick(v, sourcetypes, 2, &i))
            return lam_usage_error(args->cmd, "--sourcetype %s: file or block", v);
        d->type = i ? DOMCFG_DISK_BLOCK : DOMCFG_DISK_FILE;
    }
    if (dombuild_disk_devid(d->target) < 0)
        return lam_usage_error(args->cmd, "%s: not a Xen disk name (xvda, xvdb, ...)", d->target);
    return LAM_EXIT_OK;
}

static int attach_run(const struct lam_args *args)
{
    const char *name = args->argv[0], *target = args->argv[2];
    struct domcfg_disk d = {.target = (char *)target};
    if (lam_disk_scope_check(args) || disk_from_options(args, &d))
        return LAM_EXIT_USAGE;
    /* The image must be there (lamblkback would refuse it later, with the guest waiting). */
    struct stat st;
    char source[PATH_MAX];
    if (stat(args->argv[1], &st) || !realpath(args->argv[1], source))
        return lam_fail(args, args->argv[1], "%s", strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return lam_fail(args, args->argv[1], "neither a file nor a block device");
    if (!lam_opt(args, "sourcetype"))
        d.type = S_ISBLK(st.st_mode) ? DOMCFG_DISK_BLOCK : DOMCFG_DISK_FILE;
    d.source = source;
    static const char *const fmt_names[] = {[DOMCFG_FORMAT_UNSET] = "raw",
                                            [DOMCFG_FORMAT_RAW] = "raw",
                                            [DOMCFG_FORMAT_QCOW] = "qcow",
                                            [DOMCFG_FORMAT_QCOW2] = "qcow2",
                                            [DOMCFG_FORMAT_VHD] = "vhd"};
    struct dombuild_disk b = {
        .target = target,
        .path = source,
        .format = fmt_names[d.format],
        .readonly = d.readonly,
        .cdrom = d.device == DOMCFG_DEVICE_CDROM,
        .unsupported_driver = d.driver == DOMCFG_DRIVER_PHY ? "phy" : NULL,
    };
    char why[256];
    if (dombuild_disk_check(&b, why, sizeof(why)))
        return lam_fail(args, target, "%s", why);

    struct lam_disk_scope s;
    int rc = lam_disk_scope(args, name, &s);
    if (rc)
        return rc;
    /* The definition is checked first, so a target it already uses fails before the
     * running domain is touched. */
    if (s.config && s.def) {
        for (size_t i = 0; i < s.def->ndisks; i++)
            if (s.def->disks[i].target && !strcmp(s.def->disks[i].target, target)) {
                lam_disk_scope_free(&s);
                return lam_fail(args, target,
                                "in use: the definition of %s already has a disk "
                                "there",
                                name);
            }
    }
    if (s.live) {
        int err = dombuild_disk_attach(s.xs, s.domid, &b, why, sizeof(why));
        if (err) {
            lam_disk_scope_free(&s);
            return lam_fail(args, target, "%s", why);
        }
        lam_disk_record_add(args, &s, &d);
        printf("Disk %s attached to domain %s (id %u): %s\n", target, name, s.domid, source);
    }
    if (s.config) {
        rc = lam_disk_config_add(args, &s, &d);
        if (!rc)
            printf("Disk %s added to the definition of %s\n", target, name);
    }
    lam_disk_scope_free(&s);
    return rc;
}

const struct lam_command lam_cmd_attach_disk = {
    .name = "attach-disk",
    .summary = "hot-plug a disk into a domain (and/or its definition)",
    .usage = "[OPTIONS] NAME|UUID|ID SOURCE TARGET",
    .details = "SOURCE (an image file or block device) becomes disk TARGET (xvdb, ...) of the\n"
               "domain, served by lamblkback: its store directories are written in one\n"
               "transaction as `lam create` writes them, and the guest's blkfront finds it.\n"
               "Where it goes, as virsh: --live the running domain, --config the definition\n"
               "(next start), --persistent both, --current (default) the running domain if it\n"
               "runs, else the definition. A running domain's recorded XML (dumpxml) follows.",
    .options = attach_options,
    .min_args = 3,
    .max_args = 3,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = attach_run,
};
