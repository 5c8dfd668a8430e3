/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-domain console log: DIR/NAME.log, capped, rotated to NAME.log.1 (lamcons.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lamcons.h"

static int reopen(struct lcons_log *l)
{
    l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (l->fd < 0)
        return errno;
    struct stat st;
    if (fstat(l->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno ? errno : EINVAL;
        close(l->fd);
        l->fd = -1;
        return e;
    }
    l->size = st.st_size;
    return 0;
}

int lcons_log_open(struct lcons_log *l, const char *dir, const char *name, off_t cap)
{
    l->fd = -1;
    l->cap = cap < LCONS_LOG_CAP_MIN ? LCONS_LOG_CAP_MIN : cap;
    if (!lcons_name_ok(name))
        return EINVAL;
    if ((size_t)snprintf(l->path, sizeof(l->path), "%s/%s.log", dir, name) >= sizeof(l->path))
        return ENAMETOOLONG;
    return reopen(l);
}

static int rotate(struct lcons_log *l)
{
    char old[sizeof(l->path) + 2];
    snprintf(old, sizeof(old), "%s.1", l->path);
    close(l->fd);
    l->fd = -1;
    if (rename(l->path, old) != 0 && errno != ENOENT)
        unlink(l->path); /* keep under the cap even when the old copy cannot be kept */
    return reopen(l);
}

int lcons_log_write(struct lcons_log *l, const void *src, size_t n)
{
    if (l->fd < 0)
        return EBADF;
    if (l->size + (off_t)n > l->cap) {
        int err = rotate(l);
        if (err)
            return err;
    }
    /* A chunk larger than the cap keeps only its end. */
    if ((off_t)n > l->cap) {
        src = (const char *)src + (n - (size_t)l->cap);
        n = (size_t)l->cap;
    }
    const char *s = src;
    while (n) {
        ssize_t w = write(l->fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        s += w;
        n -= (size_t)w;
        l->size += w;
    }
    return 0;
}

void lcons_log_close(struct lcons_log *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
