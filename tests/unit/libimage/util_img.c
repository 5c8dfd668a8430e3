/* SPDX-License-Identifier: GPL-2.0-only */
#include "util_img.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tpath(const char *name)
{
    /* One buffer per distinct name, so a path stays valid for the whole test program. */
    static char names[64][64], paths[64][512];
    static unsigned used;
    for (unsigned i = 0; i < used; i++)
        if (strcmp(names[i], name) == 0)
            return paths[i];
    if (used == 64 || strlen(name) >= sizeof(names[0]))
        abort();
    const char *dir = getenv("IMG_TEST_DIR");
    snprintf(names[used], sizeof(names[0]), "%s", name);
    snprintf(paths[used], sizeof(paths[0]), "%s/%s", dir && *dir ? dir : "/tmp", name);
    return paths[used++];
}

int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    /* Bounded: a qemu-img that loops (it does on some corrupt chains) fails the test. */
    setenv("IMG_TEST_CMD", cmd, 1);
    int st = system("timeout 120 sh -c \"$IMG_TEST_CMD\"");
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int have_qemu_img(void)
{
    return run("command -v qemu-img >/dev/null 2>&1") == 0;
}

static int transfer(struct img *img, void *buf, uint64_t len, uint64_t off, int write)
{
    char *p = buf;
    while (len) {
        struct img_extent ext;
        int rc = img_map(img, off, len, write ? IMG_MAP_WRITE : 0, &ext);
        if (rc)
            return rc;
        if (ext.length == 0 || ext.length > len)
            return -ERANGE;
        if (write && ext.kind != IMG_EXT_DATA)
            return -EPROTO;
        if (ext.kind == IMG_EXT_ZERO) {
            memset(p, 0, ext.length);
        } else {
            uint64_t done = 0;
            while (done < ext.length) {
                ssize_t n =
                    write ? pwrite(ext.fd, p + done, ext.length - done, (off_t)(ext.offset + done))
                          : pread(ext.fd, p + done, ext.length - done, (off_t)(ext.offset + done));
                if (n < 0)
                    return -errno;
                if (n == 0)
                    return -EIO; /* an extent must never point past the end of its file */
                done += (uint64_t)n;
            }
        }
        p += ext.length;
        off += ext.length;
        len -= ext.length;
    }
    return 0;
}

int img_read(struct img *img, void *buf, uint64_t len, uint64_t off)
{
    return transfer(img, buf, len, off, 0);
}

int img_write(struct img *img, const void *buf, uint64_t len, uint64_t off)
{
    return transfer(img, (void *)buf, len, off, 1);
}

void *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (buf && got != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    *len = got;
    return buf;
}

uint8_t pattern(uint32_t seed, uint64_t off)
{
    uint64_t x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 32 | seed);
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 32;
    return (uint8_t)(x >> (8 * (off % 8)));
}

void fill_pattern(void *buf, size_t len, uint32_t seed, uint64_t off)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = pattern(seed, off + i);
}

uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

int spit(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, buf, len);
    int rc = n == (ssize_t)len ? 0 : -EIO;
    close(fd);
    return rc;
}

int same_as_raw(const char *image, const char *ref)
{
    char err[IMG_ERR_MAX];
    struct img *img;
    size_t rlen;
    if (img_open(image, IMG_FORMAT_PROBE, IMG_OPEN_READONLY, &img, err)) {
        fprintf(stderr, "same_as_raw: %s\n", err);
        return 0;
    }
    uint8_t *want = slurp(ref, &rlen);
    uint64_t size = img_size(img);
    uint8_t *got = malloc(size ? size : 1);
    int same = want && got && rlen == size && img_read(img, got, size, 0) == 0 &&
               memcmp(want, got, size) == 0;
    free(want);
    free(got);
    img_close(img);
    return same;
}

int random_ops(struct img *img, uint8_t *mirror, uint64_t size, uint64_t seed, int n,
               uint64_t max_len, int stop_on_error)
{
    uint64_t st = seed * 2654435761ULL + 1;
    uint8_t *buf = malloc(max_len);
    if (!buf)
        return -ENOMEM;
    int first = 0;
    for (int i = 0; i < n; i++) {
        uint64_t len = (rnd(&st) % (max_len / 512) + 1) * 512;
        uint64_t off = rnd(&st) % (size / 512) * 512;
        if (off + len > size)
            len = size - off;
        int rc;
        if (rnd(&st) % 5 == 0) {
            rc = img_discard(img, off, len);
            if (!rc)
                memset(mirror + off, 0, len);
        } else {
            fill_pattern(buf, len, (uint32_t)(seed + i), off);
            rc = img_write(img, buf, len, off);
            if (!rc)
                memcpy(mirror + off, buf, len);
        }
        if (rc && !first)
            first = rc;
        if (rc && stop_on_error)
            break;
    }
    free(buf);
    return first;
}

int qcheck(const char *image)
{
    return run("qemu-img check -q '%s' >/dev/null 2>&1", image);
}
