/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The disk behind a device: opened from the keys the toolstack wrote in the backend
 * directory (params, mode, device-type), and described to blkfront with the keys it
 * reads (split-drivers.md 3.4): InitWait-time feature-max-indirect-segments, connect-time
 * sectors, info, sector-size, flush and discard.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blkback.h"

int disk_parse_params(const char *params, enum img_format *fmt, const char **path)
{
    *fmt = IMG_FORMAT_PROBE;
    *path = params;
    if (strncmp(params, "raw:", 4) == 0) {
        *fmt = IMG_FORMAT_RAW;
        *path = params + 4;
    } else if (strncmp(params, "qcow2:", 6) == 0) {
        *fmt = IMG_FORMAT_QCOW2;
        *path = params + 6;
    } else if (strncmp(params, "aio:", 4) == 0) {
        *path = params + 4; /* tapdisk's spelling of a raw file */
        *fmt = IMG_FORMAT_RAW;
    }
    return **path == '/' ? 0 : EINVAL;
}

static bool key_is(struct lb_dev *d, const char *key, const char *want)
{
    char *v = NULL;
    bool is = !lb_dev_read_be(d, key, &v) && strcmp(v, want) == 0;
    free(v);
    return is;
}

int disk_probe(struct lb_dev *d)
{
    char *params = NULL;
    int err = lb_dev_read_be(d, "params", &params);
    if (err) {
        lb_log("%s/params: %s", d->be_path, strerror(err));
        return err;
    }
    enum img_format fmt;
    const char *path;
    if (disk_parse_params(params, &fmt, &path)) {
        lb_log("%s/params: \"%s\" is not [FORMAT:]/PATH", d->be_path, params);
        free(params);
        return EINVAL;
    }
    struct disk *k = calloc(1, sizeof(*k));
    if (!k) {
        free(params);
        return ENOMEM;
    }
    k->cdrom = key_is(d, "device-type", "cdrom");
    bool ro = k->cdrom || !key_is(d, "mode", "w");
    unsigned flags =
        (ro ? IMG_OPEN_READONLY : 0) | (key_is(d, "direct-io-safe", "1") ? IMG_OPEN_DIRECT : 0);
    char why[IMG_ERR_MAX] = "";
    err = img_open(path, fmt, flags, &k->img, why);
    if (err) {
        lb_log("dom%u dev %u: %s", d->fe_domid, d->devid, why);
        lb_dev_write(d, "hotplug-error", "%s", why);
        lb_dev_write(d, "hotplug-status", "error");
        free(params);
        free(k);
        return -err;
    }
    k->lim = (struct lb_blk_limits){
        .sectors = img_size(k->img) / 512,
        .sector_size = 512,
        .max_indirect = BLK_MAX_INDIRECT,
        .readonly = ro || img_readonly(k->img),
        .flush = true,
        .discard = !(ro || img_readonly(k->img)),
    };
    d->priv = k;
    /* blkfront reads it at connect, blkback writes it at probe: before InitWait. */
    lb_dev_write(d, "feature-max-indirect-segments", "%u", BLK_MAX_INDIRECT);
    lb_log("dom%u dev %u: %s, %llu sectors%s", d->fe_domid, d->devid, path,
           (unsigned long long)k->lim.sectors, k->lim.readonly ? ", read-only" : "");
    free(params); /* path points into it */
    return 0;
}

int disk_connect(struct lb_dev *d)
{
    struct disk *k = d->priv;
    unsigned info = (k->lim.readonly ? LB_VDISK_READONLY : 0) |
                    (k->cdrom ? LB_VDISK_CDROM | LB_VDISK_REMOVABLE : 0);
    int err = 0;
    /* Grant copy keeps no mappings: persistent grants would only make blkfront bounce. */
    err |= lb_dev_write(d, "feature-persistent", "0");
    err |= lb_dev_write(d, "feature-flush-cache", "%d", k->lim.flush);
    err |= lb_dev_write(d, "feature-barrier", "0");
    err |= lb_dev_write(d, "feature-discard", "%d", k->lim.discard);
    if (k->lim.discard) {
        err |= lb_dev_write(d, "discard-granularity", "4096");
        err |= lb_dev_write(d, "discard-alignment", "0");
        err |= lb_dev_write(d, "discard-secure", "0");
    }
    err |= lb_dev_write(d, "sectors", "%llu", (unsigned long long)k->lim.sectors);
    err |= lb_dev_write(d, "info", "%u", info);
    err |= lb_dev_write(d, "sector-size", "%u", k->lim.sector_size);
    err |= lb_dev_write(d, "physical-sector-size", "%u", k->lim.sector_size);
    return err ? EIO : 0;
}

/* A disk whose file or device grew (or shrank) while connected: the new size is
 * published and our state written again (Connected, the same value), which makes a
 * connected blkfront read "sectors" again, as Linux blkback signals a resize. */
static void check_size(struct lb_dev *d, void *arg)
{
    (void)arg;
    struct disk *k = d->priv;
    if (!k || !d->connected || img_refresh_size(k->img))
        return;
    uint64_t sectors = img_size(k->img) / 512;
    if (sectors == k->lim.sectors && !k->size_unpublished)
        return;
    if (sectors != k->lim.sectors)
        lb_log("dom%u dev %u: size %llu -> %llu sectors", d->fe_domid, d->devid,
               (unsigned long long)k->lim.sectors, (unsigned long long)sectors);
    k->lim.sectors = sectors;
    /* Not written (the store is away): tried again at the next look. */
    k->size_unpublished = lb_dev_write(d, "sectors", "%llu", (unsigned long long)sectors) ||
                          lb_dev_write(d, "state", "%d", LB_XB_CONNECTED);
}

void disk_check_sizes(struct lb *lb)
{
    lb_for_each_dev(lb, check_size, NULL);
}

void disk_remove(struct lb_dev *d)
{
    struct disk *k = d->priv;
    if (!k)
        return;
    img_flush(k->img);
    img_close(k->img);
    free(k);
    d->priv = NULL;
}
