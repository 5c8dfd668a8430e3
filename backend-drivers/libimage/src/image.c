/* SPDX-License-Identifier: GPL-2.0-only */
/* The public entry points: opening (format probe, backing-chain bookkeeping), argument checks
 * shared by every format, and dispatch to the format's operations. */
#include "img_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int img_err(char *err, int rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, IMG_ERR_MAX, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* qcow2 if the file starts with "QFI\xfb", raw otherwise (a short file is raw). */
static enum img_format probe(int fd)
{
    unsigned char magic[4];
    ssize_t n = pread(fd, magic, sizeof(magic), 0);
    if (n == (ssize_t)sizeof(magic) && memcmp(magic, "QFI\xfb", 4) == 0)
        return IMG_FORMAT_QCOW2;
    return IMG_FORMAT_RAW;
}

/* A file already in the chain above (the same device and inode) makes a loop. */
static int chain_enter(struct img_chain *chain, int fd, const char *path, char *err)
{
    struct stat st;
    if (fstat(fd, &st))
        return img_err(err, -errno, "%s: stat: %s", path, strerror(errno));
    for (unsigned i = 0; i < chain->depth; i++)
        if (chain->dev[i] == st.st_dev && chain->ino[i] == st.st_ino)
            return img_err(err, -ELOOP, "%s: backing chain loops back to itself", path);
    if (chain->depth >= IMG_CHAIN_MAX)
        return img_err(err, -ELOOP, "%s: backing chain deeper than %d files", path, IMG_CHAIN_MAX);
    chain->dev[chain->depth] = st.st_dev;
    chain->ino[chain->depth] = st.st_ino;
    chain->depth++;
    return 0;
}

int img_open_chain(const char *path, enum img_format format, unsigned flags,
                   struct img_chain *chain, struct img **out, char *err)
{
    *out = NULL;
    if (format != IMG_FORMAT_PROBE && format != IMG_FORMAT_RAW && format != IMG_FORMAT_QCOW2)
        return img_err(err, -EINVAL, "%s: unknown image format %d", path, (int)format);
    struct img *img = calloc(1, sizeof(*img));
    if (!img)
        return img_err(err, -ENOMEM, "%s: out of memory", path);
    img->fd = img->buf_fd = -1;
    img->flags = flags;
    img->readonly = (flags & IMG_OPEN_READONLY) != 0;
    img->path = strdup(path);
    int rc = -ENOMEM;
    if (!img->path)
        goto fail;
    /* The format is probed on a plain descriptor: O_DIRECT wants aligned buffers. */
    int oflags = (img->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    img->fd = img->buf_fd = open(path, oflags);
    if (img->fd < 0) {
        rc = img_err(err, -errno, "%s: %s", path, strerror(errno));
        goto fail;
    }
    rc = chain_enter(chain, img->fd, path, err);
    if (rc)
        goto fail;
    img->format = format == IMG_FORMAT_PROBE ? probe(img->fd) : format;
    rc = img->format == IMG_FORMAT_QCOW2 ? qcow2_open(img, chain, err) : raw_open(img, err);
    if (rc)
        goto fail;
    *out = img;
    return 0;
fail:
    img_close(img);
    return rc;
}

int img_open(const char *path, enum img_format format, unsigned flags, struct img **out,
             char err[IMG_ERR_MAX])
{
    struct img_chain chain = {0};
    if (err)
        err[0] = '\0';
    if (!out)
        return -EINVAL;
    return img_open_chain(path, format, flags, &chain, out, err);
}

void img_close(struct img *img)
{
    if (!img)
        return;
    if (img->ops)
        img->ops->close(img);
    if (img->buf_fd >= 0 && img->buf_fd != img->fd)
        close(img->buf_fd);
    if (img->fd >= 0)
        close(img->fd);
    free(img->path);
    free(img);
}

uint64_t img_size(const struct img *img)
{
    return img->size;
}

bool img_readonly(const struct img *img)
{
    return img->readonly;
}

enum img_format img_format(const struct img *img)
{
    return img->format;
}

int img_refresh_size(struct img *img)
{
    return img->ops->refresh_size(img);
}

static bool range_ok(const struct img *img, uint64_t offset, uint64_t length)
{
    return length > 0 && offset <= img->size && length <= img->size - offset;
}

int img_map(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
            struct img_extent *ext)
{
    if (!ext || !range_ok(img, offset, length) || (flags & ~(unsigned)IMG_MAP_WRITE))
        return -EINVAL;
    if ((flags & IMG_MAP_WRITE) && img->readonly)
        return -EROFS;
    return img->ops->map(img, offset, length, flags, ext);
}

int img_map_internal(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
                     struct img_extent *ext)
{
    if (!range_ok(img, offset, length))
        return -EINVAL;
    if ((flags & IMG_MAP_WRITE) && img->readonly)
        return -EROFS;
    return img->ops->map(img, offset, length, flags, ext);
}

int img_flush(struct img *img)
{
    if (img->readonly)
        return 0;
    return img->ops->flush(img);
}

int img_discard(struct img *img, uint64_t offset, uint64_t length)
{
    if (!range_ok(img, offset, length))
        return -EINVAL;
    if (img->readonly)
        return -EROFS;
    return img->ops->discard(img, offset, length);
}
