/* SPDX-License-Identifier: GPL-2.0-only */
/* Raw images: a sparse file stays sparse, discard punches holes, read-only and O_DIRECT
 * are honoured, ranges outside the disk are refused, a grown file is seen after refresh. */
#include "util_img.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define MIB (1024 * 1024ULL)

static const char *make_sparse(const char *name, uint64_t size)
{
    const char *p = tpath(name);
    int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    close(fd);
    return p;
}

static uint64_t allocated_bytes(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_blocks * 512;
}

static void probe_write_read_sparse(void **state)
{
    (void)state;
    const char *p = make_sparse("raw1.img", 64 * MIB);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(p, IMG_FORMAT_PROBE, 0, &img, err), 0);
    assert_int_equal(img_format(img), IMG_FORMAT_RAW);
    assert_int_equal(img_size(img), 64 * MIB);
    assert_false(img_readonly(img));

    struct img_extent ext;
    assert_int_equal(img_map(img, 4096, 8192, IMG_MAP_WRITE, &ext), 0);
    assert_int_equal(ext.kind, IMG_EXT_DATA);
    assert_int_equal(ext.offset, 4096);
    assert_int_equal(ext.length, 8192);

    char buf[65536], back[65536];
    fill_pattern(buf, sizeof(buf), 1, 32 * MIB);
    assert_int_equal(img_write(img, buf, sizeof(buf), 32 * MIB), 0);
    assert_int_equal(img_flush(img), 0);
    assert_int_equal(img_read(img, back, sizeof(back), 32 * MIB), 0);
    assert_memory_equal(buf, back, sizeof(buf));
    /* Only what was written takes space: the file is still thin. */
    assert_true(allocated_bytes(p) <= 1 * MIB);
    img_close(img);
}

static void discard_punches_holes(void **state)
{
    (void)state;
    const char *p = make_sparse("raw2.img", 16 * MIB);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(p, IMG_FORMAT_RAW, 0, &img, err), 0);
    char *buf = malloc(4 * MIB);
    assert_non_null(buf);
    fill_pattern(buf, 4 * MIB, 2, 0);
    assert_int_equal(img_write(img, buf, 4 * MIB, 0), 0);
    assert_int_equal(img_flush(img), 0);
    uint64_t before = allocated_bytes(p);
    assert_true(before >= 4 * MIB);
    /* A discard of 3 MiB + 100 bytes: the blocks go, and the range (partial block too)
     * reads as zeroes while the byte after it is untouched. */
    assert_int_equal(img_discard(img, 512 * 1024, 3 * MIB + 100), 0);
    assert_true(allocated_bytes(p) <= before - 2 * MIB);
    char *back = malloc(4 * MIB);
    assert_non_null(back);
    assert_int_equal(img_read(img, back, 4 * MIB, 0), 0);
    memset(buf + 512 * 1024, 0, 3 * MIB + 100);
    assert_memory_equal(buf, back, 4 * MIB);
    free(buf);
    free(back);
    img_close(img);
}

static void readonly_refuses_writes(void **state)
{
    (void)state;
    const char *p = make_sparse("raw3.img", 1 * MIB);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(p, IMG_FORMAT_RAW, IMG_OPEN_READONLY, &img, err), 0);
    assert_true(img_readonly(img));
    struct img_extent ext;
    assert_int_equal(img_map(img, 0, 512, IMG_MAP_WRITE, &ext), -EROFS);
    assert_int_equal(img_discard(img, 0, 512), -EROFS);
    assert_int_equal(img_map(img, 0, 512, 0, &ext), 0);
    /* The descriptor handed out cannot write either. */
    assert_int_equal(fcntl(ext.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    img_close(img);
}

static void ranges_outside_refused(void **state)
{
    (void)state;
    const char *p = make_sparse("raw4.img", 1 * MIB);
    char err[IMG_ERR_MAX];
    struct img *img;
    struct img_extent ext;
    assert_int_equal(img_open(p, IMG_FORMAT_RAW, 0, &img, err), 0);
    assert_int_equal(img_map(img, 1 * MIB, 1, 0, &ext), -EINVAL);
    assert_int_equal(img_map(img, 1 * MIB - 512, 1024, 0, &ext), -EINVAL);
    assert_int_equal(img_map(img, UINT64_MAX - 10, 100, 0, &ext), -EINVAL);
    assert_int_equal(img_map(img, 0, 0, 0, &ext), -EINVAL);
    assert_int_equal(img_discard(img, 512, 1 * MIB), -EINVAL);
    assert_int_equal(img_map(img, 1 * MIB - 512, 512, 0, &ext), 0);
    img_close(img);
}

static void direct_and_refresh(void **state)
{
    (void)state;
    const char *p = make_sparse("raw5.img", 1 * MIB);
    char err[IMG_ERR_MAX];
    struct img *img;
    struct img_extent ext;
    int rc = img_open(p, IMG_FORMAT_RAW, IMG_OPEN_DIRECT, &img, err);
    if (rc == -EINVAL) /* a file system without O_DIRECT (tmpfs) */
        skip();
    assert_int_equal(rc, 0);
    assert_int_equal(img_map(img, 0, 4096, 0, &ext), 0);
    assert_true(fcntl(ext.fd, F_GETFL) & O_DIRECT);
    assert_int_equal(truncate(p, 3 * MIB), 0);
    assert_int_equal(img_size(img), 1 * MIB);
    assert_int_equal(img_refresh_size(img), 0);
    assert_int_equal(img_size(img), 3 * MIB);
    img_close(img);
}

static void missing_file_message(void **state)
{
    (void)state;
    char err[IMG_ERR_MAX];
    struct img *img = (struct img *)1;
    assert_int_equal(img_open(tpath("no-such.img"), IMG_FORMAT_RAW, 0, &img, err), -ENOENT);
    assert_null(img);
    assert_non_null(strstr(err, "no-such.img"));
    /* A directory is neither a file nor a device. */
    assert_int_equal(img_open(tpath(""), IMG_FORMAT_RAW, IMG_OPEN_READONLY, &img, err), -EINVAL);
    assert_non_null(strstr(err, "neither"));
}

/* A block device (a loop device over a file, where the machine lets us make one): sized with
 * BLKGETSIZE64, written and read through its extents, discarded to zeroes. */
static void block_device(void **state)
{
    (void)state;
    const char *backing = make_sparse("raw-blk.img", 8 * MIB);
    char dev[64] = "";
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "losetup -f --show '%s' 2>/dev/null", backing);
    FILE *f = popen(cmd, "r");
    if (!f || !fgets(dev, sizeof(dev), f) || strncmp(dev, "/dev/loop", 9) != 0) {
        if (f)
            pclose(f);
        skip(); /* no loop devices here (not root, or a container without them) */
    }
    pclose(f);
    dev[strcspn(dev, "\n")] = '\0';
    char err[IMG_ERR_MAX];
    struct img *img;
    int rc = img_open(dev, IMG_FORMAT_RAW, 0, &img, err);
    int ok = rc == 0 && img_size(img) == 8 * MIB;
    char buf[65536], back[65536];
    fill_pattern(buf, sizeof(buf), 4, MIB);
    ok = ok && img_write(img, buf, sizeof(buf), MIB) == 0 && img_flush(img) == 0 &&
         img_read(img, back, sizeof(back), MIB) == 0 && memcmp(buf, back, sizeof(buf)) == 0;
    memset(buf, 0, sizeof(buf));
    ok = ok && img_discard(img, MIB, sizeof(back)) == 0 &&
         img_read(img, back, sizeof(back), MIB) == 0 && memcmp(buf, back, sizeof(buf)) == 0;
    if (rc == 0)
        img_close(img);
    snprintf(cmd, sizeof(cmd), "losetup -d '%s'", dev);
    assert_int_equal(system(cmd), 0);
    if (rc)
        fail_msg("%s", err);
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_write_read_sparse),
        cmocka_unit_test(discard_punches_holes),
        cmocka_unit_test(readonly_refuses_writes),
        cmocka_unit_test(ranges_outside_refused),
        cmocka_unit_test(direct_and_refresh),
        cmocka_unit_test(missing_file_message),
        cmocka_unit_test(block_device),
    };
    return cmocka_run_group_tests_name("raw", tests, NULL, NULL);
}
