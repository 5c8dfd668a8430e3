/* SPDX-License-Identifier: GPL-2.0-only */
/* Writes and discards through libimage leave images that QEMU's tools accept: `qemu-img check`
 * is clean and `qemu-img compare` with a raw file holding the same writes says identical. At
 * each version and cluster size, with and without backing files, 3-level chains, one
 * read-only base under two overlays, and a refcount table that has to grow. */
#include "util_img.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cmocka.h>

#define MIB (1ULL << 20)

static const char *const compats[] = {"0.10", "1.1"};
static const unsigned sizes[] = {512, 4096, 65536, 2097152};

/* The expected disk: qemu-img's own raw conversion of the image as it is now. */
static uint8_t *expected_of(const char *image, uint64_t size)
{
    const char *ref = tpath("expect.raw");
    assert_int_equal(run("qemu-img convert -O raw '%s' '%s' 2>/dev/null", image, ref), 0);
    size_t len;
    uint8_t *m = slurp(ref, &len);
    assert_non_null(m);
    assert_int_equal(len, size);
    return m;
}

/* Random writes and discards into image, then: check clean, compare identical with the
 * mirror, and libimage reading it back after a reopen agrees too. */
static void write_and_verify(const char *image, uint64_t seed, int nops, uint64_t max_len)
{
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(image, IMG_FORMAT_QCOW2, 0, &img, err), 0);
    uint64_t size = img_size(img);
    uint8_t *mirror = expected_of(image, size);
    assert_int_equal(random_ops(img, mirror, size, seed, nops, max_len, 1), 0);
    assert_int_equal(img_flush(img), 0);
    img_close(img);
    const char *ref = tpath("mirror.raw");
    assert_int_equal(spit(ref, mirror, size), 0);
    free(mirror);
    if (qcheck(image) != 0) {
        run("qemu-img check '%s' >&2", image);
        fail_msg("qemu-img check is not clean on %s", image);
    }
    assert_int_equal(run("qemu-img compare -q '%s' '%s'", image, ref), 0);
    assert_true(same_as_raw(image, ref));
}

static void writes_without_backing(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    for (unsigned c = 0; c < 2; c++)
        for (unsigned s = 0; s < 4; s++) {
            const char *img = tpath("w.qcow2");
            assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=%u %s "
                                 "8M && qemu-io -c 'write -P 0x11 1m 1m' -c 'write -z 3m 64k' "
                                 "%s >/dev/null",
                                 compats[c], sizes[s], img, img),
                             0);
            write_and_verify(img, 100 + c * 10 + s, 120, 256 * 1024);
        }
}

static void writes_over_backing(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    uint8_t *b = malloc(6 * MIB);
    assert_non_null(b);
    fill_pattern(b, 6 * MIB, 42, 0);
    assert_int_equal(spit(tpath("wb-base.raw"), b, 6 * MIB), 0);
    free(b);
    for (unsigned c = 0; c < 2; c++)
        for (unsigned s = 0; s < 4; s++) {
            const char *img = tpath("wb.qcow2");
            assert_int_equal(
                run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=%u -b wb-base.raw "
                    "-F raw %s 8M && qemu-io -c 'write -P 0x11 1m 100k' %s >/dev/null",
                    compats[c], sizes[s], img, img),
                0);
            write_and_verify(img, 200 + c * 10 + s, 120, 256 * 1024);
        }
}

/* base.qcow2 <- mid.qcow2 <- top.qcow2: each level written through libimage in turn (so the
 * lower ones are read as backing files after our writes), then the top checked. */
static void chain_of_three(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    for (unsigned c = 0; c < 2; c++) {
        const char *base = tpath("3-base.qcow2"), *mid = tpath("3-mid.qcow2");
        const char *top = tpath("3-top.qcow2");
        assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=4096 %s 4M",
                             compats[c], base),
                         0);
        write_and_verify(base, 300 + c, 60, 128 * 1024);
        assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=65536 -b "
                             "3-base.qcow2 -F qcow2 %s 6M",
                             compats[c], mid),
                         0);
        write_and_verify(mid, 310 + c, 60, 128 * 1024);
        assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=512 -b "
                             "3-mid.qcow2 -F qcow2 %s 8M",
                             compats[c], top),
                         0);
        write_and_verify(top, 320 + c, 60, 128 * 1024);
        assert_int_equal(qcheck(mid), 0);
        assert_int_equal(qcheck(base), 0);
    }
}

/* One base, two overlays open at the same time with different writes: each reads its own,
 * and the base's bytes do not change. */
static void shared_base_two_overlays(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *base = tpath("s-base.qcow2"), *o1 = tpath("s-o1.qcow2"), *o2 = tpath("s-o2.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 4M && qemu-io -c 'write -P 0x42 0 4M' "
                         "%s >/dev/null && chmod a-w %s",
                         base, base, base),
                     0);
    assert_int_equal(run("qemu-img create -q -f qcow2 -b s-base.qcow2 -F qcow2 %s 4M && "
                         "qemu-img create -q -f qcow2 -b s-base.qcow2 -F qcow2 %s 4M",
                         o1, o2),
                     0);
    assert_int_equal(run("md5sum < %s > %s", base, tpath("s-base.md5")), 0);
    char err[IMG_ERR_MAX];
    struct img *a, *b;
    assert_int_equal(img_open(o1, IMG_FORMAT_QCOW2, 0, &a, err), 0);
    assert_int_equal(img_open(o2, IMG_FORMAT_QCOW2, 0, &b, err), 0);
    uint8_t *ma = expected_of(o1, 4 * MIB), *mb = expected_of(o2, 4 * MIB);
    for (int round = 0; round < 4; round++) {
        assert_int_equal(random_ops(a, ma, 4 * MIB, 500 + round, 30, 64 * 1024, 1), 0);
        assert_int_equal(random_ops(b, mb, 4 * MIB, 600 + round, 30, 64 * 1024, 1), 0);
    }
    assert_int_equal(img_flush(a), 0);
    assert_int_equal(img_flush(b), 0);
    img_close(a);
    img_close(b);
    assert_int_equal(spit(tpath("s-o1.raw"), ma, 4 * MIB), 0);
    assert_int_equal(spit(tpath("s-o2.raw"), mb, 4 * MIB), 0);
    free(ma);
    free(mb);
    assert_int_equal(qcheck(o1), 0);
    assert_int_equal(qcheck(o2), 0);
    assert_int_equal(run("qemu-img compare -q %s %s", o1, tpath("s-o1.raw")), 0);
    assert_int_equal(run("qemu-img compare -q %s %s", o2, tpath("s-o2.raw")), 0);
    assert_int_equal(run("md5sum < %s | cmp -s - %s", base, tpath("s-base.md5")), 0);
}

/* 512-byte clusters: one refcount-table cluster covers 8 MiB of file, so writing 12 MiB makes
 * the table move (and new refcount blocks appear); the result must still check clean. */
static void refcount_table_grows(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *img = tpath("g.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o cluster_size=512 %s 16M", img), 0);
    char err[IMG_ERR_MAX];
    struct img *im;
    assert_int_equal(img_open(img, IMG_FORMAT_QCOW2, 0, &im, err), 0);
    uint8_t *m = calloc(1, 16 * MIB), *buf = malloc(MIB);
    assert_non_null(m);
    assert_non_null(buf);
    for (uint64_t off = 0; off < 12 * MIB; off += MIB) {
        fill_pattern(buf, MIB, 9, off);
        assert_int_equal(img_write(im, buf, MIB, off), 0);
        memcpy(m + off, buf, MIB);
    }
    assert_int_equal(random_ops(im, m, 16 * MIB, 77, 100, 64 * 1024, 1), 0);
    assert_int_equal(img_flush(im), 0);
    img_close(im);
    assert_int_equal(spit(tpath("g.raw"), m, 16 * MIB), 0);
    free(m);
    free(buf);
    assert_int_equal(run("qemu-img info %s | grep -q 'file length\\|disk size'", img), 0);
    assert_int_equal(qcheck(img), 0);
    assert_int_equal(run("qemu-img compare -q %s %s", img, tpath("g.raw")), 0);
    /* The table really moved: it no longer sits where qemu-img create put it. */
    assert_int_equal(run("test \"$(od -An -j48 -N8 -tx1 %s | tr -d ' ')\" != 0000000000000600 "
                         "&& test \"$(od -An -j56 -N4 -tu1 %s | tr -d ' ')\" != 0001",
                         img, img),
                     0);
}

/* qemu-img resize makes the disk bigger: img_refresh_size sees it, and the new space reads as
 * zeroes and can be written. */
static void resize_refresh(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *img = tpath("rs.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 1M", img), 0);
    char err[IMG_ERR_MAX];
    struct img *im;
    assert_int_equal(img_open(img, IMG_FORMAT_QCOW2, 0, &im, err), 0);
    assert_int_equal(img_size(im), MIB);
    assert_int_equal(run("qemu-img resize -q %s 3M", img), 0);
    assert_int_equal(img_refresh_size(im), 0);
    assert_int_equal(img_size(im), 3 * MIB);
    char buf[4096], back[4096];
    fill_pattern(buf, sizeof(buf), 3, 0);
    assert_int_equal(img_write(im, buf, sizeof(buf), 2 * MIB + 4096), 0);
    assert_int_equal(img_read(im, back, sizeof(back), 2 * MIB + 4096), 0);
    assert_memory_equal(buf, back, sizeof(buf));
    assert_int_equal(img_flush(im), 0);
    img_close(im);
    assert_int_equal(qcheck(img), 0);
}

/* IMG_OPEN_DIRECT: the backend's extents come with O_DIRECT descriptors (aligned I/O), the
 * library's own copy-on-write and metadata go through buffered ones, and the result is the
 * same image as ever. */
static void direct_io_overlay(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    uint8_t *b = malloc(2 * MIB);
    assert_non_null(b);
    fill_pattern(b, 2 * MIB, 31, 0);
    assert_int_equal(spit(tpath("d-base.raw"), b, 2 * MIB), 0);
    const char *img = tpath("d.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o cluster_size=65536 -b d-base.raw -F raw "
                         "%s 2M",
                         img),
                     0);
    char err[IMG_ERR_MAX];
    struct img *im;
    int rc = img_open(img, IMG_FORMAT_QCOW2, IMG_OPEN_DIRECT, &im, err);
    if (rc == -EINVAL)
        skip(); /* no O_DIRECT on this file system */
    assert_int_equal(rc, 0);
    void *buf;
    assert_int_equal(posix_memalign(&buf, 4096, 3 * 4096), 0);
    uint64_t offs[] = {4096, 65536 + 8192, 5 * 65536 - 4096, 0};
    for (unsigned i = 0; i < 4; i++) {
        fill_pattern(buf, 3 * 4096, 40 + i, offs[i]);
        struct img_extent e;
        assert_int_equal(img_map(im, offs[i], 3 * 4096, IMG_MAP_WRITE, &e), 0);
        assert_true(fcntl(e.fd, F_GETFL) & O_DIRECT);
        assert_int_equal(img_write(im, buf, 3 * 4096, offs[i]), 0);
        memcpy(b + offs[i], buf, 3 * 4096);
    }
    assert_int_equal(img_flush(im), 0);
    img_close(im);
    free(buf);
    assert_int_equal(spit(tpath("d.raw"), b, 2 * MIB), 0);
    free(b);
    assert_int_equal(qcheck(img), 0);
    assert_int_equal(run("qemu-img compare -q %s %s", img, tpath("d.raw")), 0);
}

/* Lazy refcounts (a compatible feature) change nothing for us: we keep refcounts exact and
 * never set the dirty bit. A persistent bitmap (autoclear feature) is declared stale by a
 * writable open, as the format asks of a program that does not maintain bitmaps: QEMU then
 * drops it, and its clusters show up as leaks (not corruption) in qemu-img check. */
static void lazy_refcounts_and_bitmaps(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *lazy = tpath("lazy.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o lazy_refcounts=on %s 4M && qemu-io -c "
                         "'write -P 1 0 100k' %s >/dev/null",
                         lazy, lazy),
                     0);
    write_and_verify(lazy, 700, 40, 128 * 1024);
    const char *bm = tpath("bitmap.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 4M && qemu-img bitmap --add %s b0 && "
                         "qemu-io -c 'write -P 1 0 100k' %s >/dev/null",
                         bm, bm, bm),
                     0);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(bm, IMG_FORMAT_QCOW2, 0, &img, err), 0);
    uint8_t *mirror = expected_of(bm, 4 * MIB);
    assert_int_equal(random_ops(img, mirror, 4 * MIB, 701, 40, 128 * 1024, 1), 0);
    assert_int_equal(img_flush(img), 0);
    img_close(img);
    assert_int_equal(spit(tpath("bitmap.raw"), mirror, 4 * MIB), 0);
    free(mirror);
    assert_int_equal(qcheck(bm), 3);
    assert_int_equal(run("qemu-img compare -q %s %s 2>/dev/null", bm, tpath("bitmap.raw")), 0);
    assert_int_equal(run("qemu-img check -q -r leaks %s >/dev/null 2>&1", bm), 0);
    assert_int_equal(qcheck(bm), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_without_backing), cmocka_unit_test(writes_over_backing),
        cmocka_unit_test(chain_of_three),         cmocka_unit_test(shared_base_two_overlays),
        cmocka_unit_test(refcount_table_grows),   cmocka_unit_test(resize_refresh),
        cmocka_unit_test(direct_io_overlay),      cmocka_unit_test(lazy_refcounts_and_bitmaps),
    };
    return cmocka_run_group_tests_name("qcow2_write", tests, NULL, NULL);
}
