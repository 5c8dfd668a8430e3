/* SPDX-License-Identifier: GPL-2.0-only */
/* Crash consistency: the same writes and discards are replayed on fresh copies of an image,
 * the library "dying" after metadata operation N (every later write, truncate or sync fails
 * and writes nothing), for every N. What is left must pass `qemu-img check` with no
 * corruption (exit 0, or 3 for leaked clusters only, as QEMU allows) and read back whole. */
#include "util_img.h"
#include "img_fault.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define MIB (1ULL << 20)

static int readable(const char *path)
{
    char err[IMG_ERR_MAX];
    struct img *img;
    if (img_open(path, IMG_FORMAT_QCOW2, IMG_OPEN_READONLY, &img, err))
        return 0;
    uint64_t size = img_size(img);
    uint8_t *buf = malloc(size);
    int ok = buf && img_read(img, buf, size, 0) == 0;
    free(buf);
    img_close(img);
    return ok;
}

/* Runs the ops on a copy of tmpl, failing after `after` metadata operations (< 0: never).
 * Returns how many metadata operations the ops did. */
static long replay(const char *tmpl, const char *work, long after, uint64_t seed, int nops,
                   uint64_t max_len)
{
    assert_int_equal(run("cp --sparse=always '%s' '%s'", tmpl, work), 0);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(work, IMG_FORMAT_QCOW2, 0, &img, err), 0);
    uint64_t size = img_size(img);
    uint8_t *mirror = calloc(1, size);
    assert_non_null(mirror);
    img_fault_after(after);
    int rc = random_ops(img, mirror, size, seed, nops, max_len, 0);
    if (after < 0)
        assert_int_equal(rc, 0);
    if (!rc)
        rc = img_flush(img);
    long count = img_fault_count();
    img_fault_after(-1);
    img_close(img); /* writes nothing: the "crash" left what it left */
    free(mirror);
    return count;
}

static void crash_everywhere(const char *tmpl, uint64_t seed, int nops, uint64_t max_len)
{
    const char *work = tpath("crash.qcow2");
    long total = replay(tmpl, work, -1, seed, nops, max_len);
    assert_true(total > 10);
    assert_int_equal(qcheck(work), 0);
    int leaks = 0;
    for (long n = 0; n <= total; n++) {
        replay(tmpl, work, n, seed, nops, max_len);
        int st = qcheck(work);
        if (st != 0 && st != 3) {
            run("qemu-img check '%s' >&2", work);
            fail_msg("after %ld of %ld metadata operations: qemu-img check exit %d", n, total, st);
        }
        leaks += st == 3;
        if (!readable(work))
            fail_msg("after %ld of %ld metadata operations: unreadable", n, total);
    }
    print_message("# %ld crash points, %d left leaks only, none corrupt\n", total + 1, leaks);
}

/* v3, 4 KiB clusters over a raw backing file: new L2 tables, copy-on-write, zero-flag
 * discards, refcount updates. */
static void crash_overlay_v3(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    uint8_t *b = malloc(4 * MIB);
    assert_non_null(b);
    fill_pattern(b, 4 * MIB, 5, 0);
    assert_int_equal(spit(tpath("cb.raw"), b, 4 * MIB), 0);
    free(b);
    const char *tmpl = tpath("c1.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=1.1,cluster_size=4096 -b cb.raw "
                         "-F raw %s 8M && qemu-io -c 'write -P 1 1m 64k' %s >/dev/null",
                         tmpl, tmpl),
                     0);
    crash_everywhere(tmpl, 11, 24, 48 * 1024);
}

/* A v2 image with 512-byte clusters (a refcount block covers 128 KiB of file, the first
 * refcount-table cluster 8 MiB), written through libimage until the file is fill bytes. */
static const char *filled_template(const char *name, uint64_t fill)
{
    const char *tmpl = tpath(name);
    assert_int_equal(
        run("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=512 %s 16M", tmpl), 0);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(tmpl, IMG_FORMAT_QCOW2, 0, &img, err), 0);
    char buf[4096];
    memset(buf, 0x5a, sizeof(buf));
    struct stat st;
    uint64_t off = 0;
    do {
        assert_int_equal(img_write(img, buf, sizeof(buf), off), 0);
        off += sizeof(buf);
        assert_int_equal(stat(tmpl, &st), 0);
    } while ((uint64_t)st.st_size < fill);
    assert_int_equal(img_flush(img), 0);
    img_close(img);
    assert_int_equal(qcheck(tmpl), 0);
    return tmpl;
}

static uint64_t reft_entry(const char *path, unsigned i)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    unsigned char h[8];
    assert_int_equal(pread(fd, h, 8, 48), 8);
    uint64_t reft = 0, e = 0;
    for (int k = 0; k < 8; k++)
        reft = reft << 8 | h[k];
    assert_int_equal(pread(fd, h, 8, (off_t)(reft + i * 8)), 8);
    for (int k = 0; k < 8; k++)
        e = e << 8 | h[k];
    close(fd);
    return e;
}

/* Filled to just below a refcount block's end: the replayed writes create a refcount block
 * in the live table. */
static void crash_new_refcount_block_v2(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *tmpl = filled_template("c3.qcow2", 4 * MIB - 6 * 1024);
    assert_int_equal(reft_entry(tmpl, 32), 0);
    crash_everywhere(tmpl, 13, 16, 2048);
    const char *work = tpath("crash.qcow2");
    replay(tmpl, work, -1, 13, 16, 2048);
    assert_true(reft_entry(work, 32) != 0);
}

/* Filled to just below what the first refcount-table cluster covers: the replayed writes
 * move the refcount table. */
static void crash_refcount_table_growth_v2(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *tmpl = filled_template("c2.qcow2", 8 * MIB - 12 * 1024);
    crash_everywhere(tmpl, 12, 16, 2048);
    const char *work = tpath("crash.qcow2");
    replay(tmpl, work, -1, 12, 16, 2048);
    assert_int_equal(run("test \"$(od -An -j56 -N4 -tu1 %s | tr -d ' ')\" != 0001", work), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash_overlay_v3),
        cmocka_unit_test(crash_new_refcount_block_v2),
        cmocka_unit_test(crash_refcount_table_growth_v2),
    };
    return cmocka_run_group_tests_name("qcow2_crash", tests, NULL, NULL);
}
