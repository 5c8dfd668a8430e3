/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam-disktest: the data checks of the disk system test (tests/system/dom0/disk.sh), run
 * inside the test guest on /dev/xvdX and by dom0 on the image file, so both sides agree on
 * what the pattern is.
 *
 *   lam-disktest write  DEV SEED OFFSET_KIB LEN_KIB   O_DIRECT writes in 64 KiB pieces, fsync
 *   lam-disktest verify DEV SEED OFFSET_KIB LEN_KIB   O_DIRECT reads (buffered with --cached)
 *   lam-disktest ro     DEV                           a write must fail (read-only disk)
 *
 * The pattern: each 8-byte word holds seed * 0x9e3779b97f4a7c15 + its byte offset in the
 * device, so data at the wrong place or of the wrong run never matches. Exit 0 when good;
 * a message naming the first bad offset otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static void fill(uint64_t *buf, uint64_t seed, uint64_t off)
{
    for (size_t i = 0; i < CHUNK / 8; i++)
        buf[i] = seed * 0x9e3779b97f4a7c15ull + off + i * 8;
}

static int usage(void)
{
    fprintf(stderr, "usage: lam-disktest write|verify DEV SEED OFFSET_KIB LEN_KIB [--cached]\n"
                    "       lam-disktest ro DEV\n");
    return 2;
}

static int do_ro(const char *dev)
{
    int fd = open(dev, O_WRONLY);
    if (fd < 0) {
        printf("lam-disktest: %s refuses opening for write (%s): read-only\n", dev,
               strerror(errno));
        return 0;
    }
    static char buf[4096];
    ssize_t n = pwrite(fd, buf, sizeof(buf), 0);
    int e = errno;
    int s = fsync(fd);
    close(fd);
    if (n < 0 || s < 0) {
        printf("lam-disktest: %s refuses the write (%s): read-only\n", dev, strerror(e));
        return 0;
    }
    printf("lam-disktest: %s accepted a write\n", dev);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "ro") == 0)
        return do_ro(argv[2]);
    if (argc < 6)
        return usage();
    int write_mode = strcmp(argv[1], "write") == 0;
    if (!write_mode && strcmp(argv[1], "verify") != 0)
        return usage();
    int cached = argc > 6 && strcmp(argv[6], "--cached") == 0;
    uint64_t seed = strtoull(argv[3], NULL, 0);
    uint64_t off = strtoull(argv[4], NULL, 0) * 1024, len = strtoull(argv[5], NULL, 0) * 1024;
    int fd = open(argv[2], (write_mode ? O_WRONLY : O_RDONLY) | (cached ? 0 : O_DIRECT));
    if (fd < 0) {
        printf("lam-disktest: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    uint64_t *buf, *got;
    if (posix_memalign((void **)&buf, 4096, CHUNK) || posix_memalign((void **)&got, 4096, CHUNK))
        return 1;
    for (uint64_t pos = 0; pos < len; pos += CHUNK) {
        size_t n = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
        fill(buf, seed, off + pos);
        ssize_t r = write_mode ? pwrite(fd, buf, n, (off_t)(off + pos))
                               : pread(fd, got, n, (off_t)(off + pos));
        if (r != (ssize_t)n) {
            printf("lam-disktest: %s at %llu: %s\n", write_mode ? "write" : "read",
                   (unsigned long long)(off + pos), r < 0 ? strerror(errno) : "short");
            return 1;
        }
        if (!write_mode && memcmp(buf, got, n) != 0) {
            size_t i = 0;
            while (i < n / 8 && buf[i] == got[i])
                i++;
            printf("lam-disktest: mismatch at byte %llu: %016llx, want %016llx\n",
                   (unsigned long long)(off + pos + i * 8), (unsigned long long)got[i],
                   (unsigned long long)buf[i]);
            return 1;
        }
    }
    if (write_mode && fsync(fd) < 0) {
        printf("lam-disktest: fsync: %s\n", strerror(errno));
        return 1;
    }
    close(fd);
    printf("lam-disktest: %s %llu KiB at %llu KiB, seed %llu: ok\n", argv[1],
           (unsigned long long)len / 1024, (unsigned long long)off / 1024,
           (unsigned long long)seed);
    return 0;
}
