/* SPDX-License-Identifier: GPL-2.0-only */
/* Corrupt and unsupported images are refused with a message naming the problem, never a crash
 * (this runs under ASan/UBSan) and never a write outside the image: truncated tables, offsets
 * past the end of the file, huge sizes, overlapping tables, reserved bits, backing loops, and
 * the features this implementation does not support. */
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

static uint64_t get_be(const char *path, uint64_t off, unsigned n)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    unsigned char b[8];
    assert_int_equal(pread(fd, b, n, (off_t)off), (ssize_t)n);
    close(fd);
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

static void put_be(const char *path, uint64_t off, unsigned n, uint64_t v)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    unsigned char b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    assert_int_equal(pwrite(fd, b, n, (off_t)off), (ssize_t)n);
    close(fd);
}

/* A 4 MiB v3 image with 64 KiB clusters and data in its first cluster. */
static const char *good(const char *name)
{
    const char *p = tpath(name);
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 4M && qemu-io -c 'write -P 7 0 64k' "
                         "%s >/dev/null",
                         p, p),
                     0);
    return p;
}

static void refused(const char *path, unsigned flags, const char *words)
{
    char err[IMG_ERR_MAX] = "";
    struct img *img = (struct img *)1;
    int rc = img_open(path, IMG_FORMAT_PROBE, flags, &img, err);
    if (rc == 0) {
        img_close(img);
        fail_msg("%s was opened; expected a refusal mentioning '%s'", path, words);
    }
    assert_true(rc < 0);
    assert_null(img);
    if (!strstr(err, words))
        fail_msg("message '%s' does not mention '%s'", err, words);
}

static void header_fields(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *p;
    p = good("h1.qcow2");
    put_be(p, 4, 4, 4);
    refused(p, 0, "version 4");
    p = good("h2.qcow2");
    put_be(p, 20, 4, 30);
    refused(p, 0, "cluster_bits");
    p = good("h3.qcow2");
    put_be(p, 24, 8, 1ULL << 62);
    refused(p, 0, "exceeds");
    p = good("h4.qcow2");
    put_be(p, 36, 4, 0xffffffffU);
    refused(p, 0, "too large");
    p = good("h5.qcow2");
    put_be(p, 32, 4, 1);
    refused(p, 0, "encrypted");
    p = good("h6.qcow2");
    put_be(p, 72, 8, 1ULL << 40);
    refused(p, 0, "unknown");
    p = good("h7.qcow2");
    put_be(p, 100, 4, 13);
    refused(p, 0, "header_length");
    p = good("h8.qcow2");
    put_be(p, 40, 8, get_be(p, 48, 8)); /* L1 table on top of the refcount table */
    refused(p, 0, "overlap");
    p = good("h9.qcow2");
    put_be(p, 56, 4, 100000);
    refused(p, 0, "refcount table");
    p = good("h10.qcow2");
    put_be(p, 16, 4, 5000);
    put_be(p, 8, 8, 200);
    refused(p, 0, "backing file name");
}

static void tables_out_of_file(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    /* Truncated: the L1 and refcount tables are gone. */
    const char *p = good("t1.qcow2");
    assert_int_equal(truncate(p, 65536), 0);
    refused(p, 0, "offset");
    /* An L1 entry past the end of the file. */
    p = good("t2.qcow2");
    uint64_t l1 = get_be(p, 40, 8);
    put_be(p, l1, 8, (1ULL << 63) | (1ULL << 40));
    refused(p, IMG_OPEN_READONLY, "L1 entry 0");
    /* An L1 entry with reserved bits, or pointing at the header. */
    p = good("t3.qcow2");
    put_be(p, l1, 8, get_be(p, l1, 8) | 0x100);
    refused(p, 0, "reserved");
    p = good("t4.qcow2");
    put_be(p, l1, 8, (1ULL << 63) | get_be(p, 48, 8)); /* an L2 table on the refcount table */
    refused(p, 0, "L1 entry 0");
    /* A refcount-table entry past the end of the file. */
    p = good("t5.qcow2");
    put_be(p, get_be(p, 48, 8) + 8, 8, 1ULL << 44);
    refused(p, 0, "refcount table entry 1");
}

/* An L2 entry pointing past the end of the file: the image opens (L2 tables are read
 * lazily), but mapping that cluster fails with -EIO, for reads and writes, and the file is
 * not written. */
static void bad_l2_entries(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *p = good("l2.qcow2");
    uint64_t l2 = get_be(p, get_be(p, 40, 8), 8) & 0x00fffffffffffe00ULL;
    put_be(p, l2, 8, (1ULL << 63) | (1ULL << 45));
    put_be(p, l2 + 8, 8, (1ULL << 63) | 0x30000 | 0x2); /* reserved bit 1 */
    put_be(p, l2 + 16, 8, (1ULL << 63) | 0x30001);      /* misaligned */
    struct stat before, after;
    assert_int_equal(stat(p, &before), 0);
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(p, IMG_FORMAT_QCOW2, 0, &img, err), 0);
    struct img_extent e;
    for (uint64_t c = 0; c < 3; c++) {
        assert_int_equal(img_map(img, c * 65536, 512, 0, &e), -EIO);
        assert_int_equal(img_map(img, c * 65536, 512, IMG_MAP_WRITE, &e), -EIO);
        assert_int_equal(img_discard(img, c * 65536, 65536), -EIO);
    }
    /* Clusters the corruption does not touch still work. */
    assert_int_equal(img_map(img, 5 * 65536, 512, 0, &e), 0);
    assert_int_equal(e.kind, IMG_EXT_ZERO);
    img_close(img);
    assert_int_equal(stat(p, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
}

static void backing_loops(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *a = tpath("la.qcow2"), *b = tpath("lb.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 1M && qemu-img create -q -f qcow2 "
                         "-b la.qcow2 -F qcow2 %s 1M && qemu-img rebase -u -b lb.qcow2 -F qcow2 "
                         "%s",
                         a, b, a),
                     0);
    refused(b, 0, "loops");
    const char *s = tpath("self.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 %s 1M && qemu-img rebase -u -b self.qcow2 "
                         "-F qcow2 %s",
                         s, s),
                     0);
    refused(s, IMG_OPEN_READONLY, "loops");
    /* A chain deeper than the limit. */
    assert_int_equal(run("cd %s && qemu-img create -q -f qcow2 d0.qcow2 1M && for i in $(seq 1 "
                         "20); do qemu-img create -q -f qcow2 -b d$((i-1)).qcow2 -F qcow2 "
                         "d$i.qcow2 1M || exit 1; done",
                         tpath("")),
                     0);
    refused(tpath("d20.qcow2"), 0, "deeper");
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(tpath("d10.qcow2"), IMG_FORMAT_QCOW2, 0, &img, err), 0);
    img_close(img);
    /* A missing backing file, and one whose format is not recorded. */
    const char *m = tpath("miss.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -b nowhere.raw -F raw -u %s 1M", m), 0);
    refused(m, 0, "nowhere.raw");
    const char *nf = tpath("nofmt.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -b d0.qcow2 -F qcow2 %s 1M", nf), 0);
    /* qemu-img no longer writes such images: turn the backing-format extension into an
     * unknown one (which readers skip). */
    uint64_t ext = get_be(nf, 100, 4);
    assert_int_equal(get_be(nf, ext, 4), 0xe2792acaU);
    put_be(nf, ext, 4, 0x12345678U);
    refused(nf, 0, "format is not recorded");
}

static void unsupported_features(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *p = tpath("rb32.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o refcount_bits=32 %s 1M", p), 0);
    refused(p, 0, "refcount_order 5");
    p = tpath("el2.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o extended_l2=on %s 1M", p), 0);
    refused(p, 0, "extended L2");
    p = tpath("df.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o data_file=%s %s 1M", tpath("df.data"), p),
                     0);
    refused(p, 0, "external data file");
    /* Dirty (lazy refcounts not written back): read-only is fine, writing is refused. */
    p = good("dirty.qcow2");
    put_be(p, 72, 8, 1);
    refused(p, 0, "dirty");
    char err[IMG_ERR_MAX];
    struct img *img;
    assert_int_equal(img_open(p, IMG_FORMAT_QCOW2, IMG_OPEN_READONLY, &img, err), 0);
    img_close(img);
    /* Internal snapshots: read-only only. */
    p = good("snap.qcow2");
    assert_int_equal(run("qemu-img snapshot -c s1 %s", p), 0);
    refused(p, 0, "snapshots");
    assert_int_equal(img_open(p, IMG_FORMAT_QCOW2, IMG_OPEN_READONLY, &img, err), 0);
    img_close(img);
    /* Compressed clusters: the image opens, the compressed cluster is refused. */
    p = tpath("comp.qcow2");
    assert_int_equal(run("qemu-img convert -c -O qcow2 %s %s", tpath("snap.qcow2"), p), 0);
    assert_int_equal(img_open(p, IMG_FORMAT_QCOW2, IMG_OPEN_READONLY, &img, err), 0);
    struct img_extent e;
    assert_int_equal(img_map(img, 0, 512, 0, &e), -ENOTSUP);
    img_close(img);
}

/* Random bytes over the header, the L1 and the refcount table of a good image: open either
 * refuses with a message or succeeds, and then reading and writing the whole disk ends in
 * success or an error code; ASan and UBSan watch the rest. */
static void random_corruption(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *src = tpath("rnd-src.qcow2"), *p = tpath("rnd.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o cluster_size=4096 %s 1M && qemu-io -c "
                         "'write -P 7 0 300k' -c 'write -z 400k 64k' %s >/dev/null",
                         src, src),
                     0);
    uint64_t st = 12345;
    int opened = 0;
    uint8_t *buf = malloc(1 << 20);
    assert_non_null(buf);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(run("cp %s %s", src, p), 0);
        int fd = open(p, O_WRONLY);
        assert_true(fd >= 0);
        for (int k = 0; k < 4; k++) {
            /* header, L1 (0x30000 for 4 KiB clusters is past it; these are the first tables) */
            uint64_t region = rnd(&st) % 4;
            uint64_t off = region * 4096 + rnd(&st) % (region ? 64 : 120);
            unsigned char b = (unsigned char)rnd(&st);
            assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
        }
        close(fd);
        char err[IMG_ERR_MAX];
        struct img *img;
        if (img_open(p, IMG_FORMAT_PROBE, 0, &img, err) != 0) {
            assert_true(err[0] != '\0');
            continue;
        }
        opened++;
        uint64_t size = img_size(img) < (1 << 20) ? img_size(img) : (1 << 20);
        if (size) {
            (void)img_read(img, buf, size, 0);
            memset(buf, 1, size);
            (void)img_write(img, buf, size, 0);
            (void)img_discard(img, 0, size);
        }
        img_close(img);
    }
    free(buf);
    print_message("# 300 corrupted images, %d opened\n", opened);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_fields),        cmocka_unit_test(tables_out_of_file),
        cmocka_unit_test(bad_l2_entries),       cmocka_unit_test(backing_loops),
        cmocka_unit_test(unsupported_features), cmocka_unit_test(random_corruption),
    };
    return cmocka_run_group_tests_name("qcow2_corrupt", tests, NULL, NULL);
}
