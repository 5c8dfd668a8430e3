/* SPDX-License-Identifier: GPL-2.0-only */
/* What every image format shares: the struct img behind the public handle and the table of
 * format operations image.c dispatches to. */
#ifndef LAMINA_IMG_INTERNAL_H
#define LAMINA_IMG_INTERNAL_H

#include "image.h"

#include <stdarg.h>
#include <sys/types.h>

struct qcow2;

struct img_ops {
    int (*map)(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
               struct img_extent *ext);
    int (*flush)(struct img *img);
    int (*discard)(struct img *img, uint64_t offset, uint64_t length);
    int (*refresh_size)(struct img *img);
    void (*close)(struct img *img);
};

struct img {
    const struct img_ops *ops;
    enum img_format format;
    bool readonly;
    unsigned flags; /* enum img_open_flags */
    int fd;         /* the top file as handed to the backend (O_DIRECT if asked) */
    int buf_fd;     /* the same file, buffered: metadata and copy-on-write go through it */
    uint64_t size;  /* virtual disk size in bytes */
    char *path;
    struct qcow2 *q; /* IMG_FORMAT_QCOW2 only */
};

/* Formats a one-line message into err (which may be NULL). Always returns -code... or the
 * negative errno given, so callers can write `return img_err(err, -EINVAL, ...)`. */
int img_err(char *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Opens one file of a chain. depth counts the files above it (backing-chain loops and
 * absurdly deep chains are refused); chain_ids holds the (dev, ino) of those files. */
struct img_chain {
    unsigned depth;
    dev_t dev[16];
    ino_t ino[16];
};
#define IMG_CHAIN_MAX 16

int img_open_chain(const char *path, enum img_format format, unsigned flags,
                   struct img_chain *chain, struct img **out, char *err);

/* An internal map flag: the extent's fd is the buffered descriptor (for the library's own
 * copy-on-write reads and zeroing, whose buffers are not aligned for O_DIRECT). */
#define IMG_MAP_BUFFERED (1U << 31)
int img_map_internal(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
                     struct img_extent *ext);

int raw_open(struct img *img, char *err);
int qcow2_open(struct img *img, struct img_chain *chain, char *err);

/* Whole-buffer pread/pwrite (retrying short transfers); -EIO on EOF for reads. */
int img_pread_full(int fd, void *buf, size_t len, uint64_t off);
int img_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* Every write, truncate and sync of image *metadata* (and of copy-on-write data) goes through
 * these, so the crash tests can stop the writes after any one of them (img_fault.h). */
int img_meta_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int img_meta_truncate(int fd, uint64_t size);
int img_meta_sync(int fd);

#endif
