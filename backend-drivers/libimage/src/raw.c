/* SPDX-License-Identifier: GPL-2.0-only */
/* Raw images: a regular file (sparse = thin provisioned) or a block device, byte for byte.
 * The virtual disk is the file, so a map is one extent covering the whole request. */
#include "img_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int raw_read_size(int fd, uint64_t *size)
{
    struct stat st;
    if (fstat(fd, &st))
        return -errno;
    if (S_ISBLK(st.st_mode))
        return ioctl(fd, BLKGETSIZE64, size) ? -errno : 0;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    *size = (uint64_t)st.st_size;
    return 0;
}

static int raw_map(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
                   struct img_extent *ext)
{
    ext->kind = IMG_EXT_DATA;
    ext->fd = (flags & IMG_MAP_BUFFERED) ? img->buf_fd : img->fd;
    ext->offset = offset;
    ext->length = length;
    return 0;
}

static int raw_flush(struct img *img)
{
    return fdatasync(img->fd) ? -errno : 0;
}

static int write_zeroes(int fd, uint64_t offset, uint64_t length)
{
    static const char zero[65536];
    while (length) {
        size_t n = length < sizeof(zero) ? (size_t)length : sizeof(zero);
        int rc = img_pwrite_full(fd, zero, n, offset);
        if (rc)
            return rc;
        offset += n;
        length -= n;
    }
    return 0;
}

/* Punching a hole frees the blocks and reads back as zeroes, at any byte granularity (the
 * file system zeroes partial blocks). Block devices take the same call (the kernel turns it
 * into a zeroing discard); where neither supports it, zeroes are written. */
static int raw_discard(struct img *img, uint64_t offset, uint64_t length)
{
    if (fallocate(img->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
                  (off_t)length) == 0)
        return 0;
    if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EINVAL)
        return -errno;
    return write_zeroes(img->fd, offset, length);
}

static int raw_refresh_size(struct img *img)
{
    uint64_t size;
    int rc = raw_read_size(img->fd, &size);
    if (!rc)
        img->size = size;
    return rc;
}

static void raw_close(struct img *img)
{
    (void)img;
}

static const struct img_ops raw_ops = {
    .map = raw_map,
    .flush = raw_flush,
    .discard = raw_discard,
    .refresh_size = raw_refresh_size,
    .close = raw_close,
};

int raw_open(struct img *img, char *err)
{
    int rc = raw_read_size(img->fd, &img->size);
    if (rc == -EINVAL)
        return img_err(err, rc, "%s: neither a regular file nor a block device", img->path);
    if (rc)
        return img_err(err, rc, "%s: cannot read the size: %s", img->path, strerror(-rc));
    if (img->flags & IMG_OPEN_DIRECT) {
        /* The descriptor handed to the backend is the O_DIRECT one. */
        int fd = open(img->path, (img->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
        if (fd < 0)
            return img_err(err, -errno, "%s: O_DIRECT: %s", img->path, strerror(errno));
        img->fd = fd; /* the buffered one stays as buf_fd */
    }
    img->ops = &raw_ops;
    return 0;
}
