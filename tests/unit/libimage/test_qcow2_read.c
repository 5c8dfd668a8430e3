/* SPDX-License-Identifier: GPL-2.0-only */
/* qcow2 images made by QEMU's own tools, read through img_map, match `qemu-img convert -O raw`
 * of them: versions 2 and 3, cluster sizes 512 B..2 MiB, data, zero clusters, discarded
 * ranges, partial clusters at the end of the file, raw and qcow2 backing files, chains. */
#include "util_img.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const compats[] = {"0.10", "1.1"};
static const unsigned sizes[] = {512, 4096, 65536, 2097152};

/* What qemu-io writes into every test image: data in and across clusters, a zeroed range
 * (zero clusters in v3), a discard, and a write near the end of the disk. */
#define QEMU_IO_OPS                                                                                \
    "-c 'write -P 0x11 0 64k' -c 'write -P 0x22 1m 3k' -c 'write -P 0x5a 1200k 700k' "             \
    "-c 'write -z 1300k 256k' -c 'discard 1600k 64k' -c 'write -P 0x77 8127k 1k'"

static void qemu_made_images(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    for (unsigned c = 0; c < 2; c++)
        for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            const char *img = tpath("r.qcow2"), *ref = tpath("r.raw");
            assert_int_equal(run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=%u "
                                 "%s 8M && qemu-io %s %s >/dev/null",
                                 compats[c], sizes[s], img, QEMU_IO_OPS, img),
                             0);
            assert_int_equal(run("qemu-img convert -O raw %s %s", img, ref), 0);
            if (!same_as_raw(img, ref))
                fail_msg("compat %s cluster %u differs from qemu-img convert", compats[c],
                         sizes[s]);
        }
}

/* raw base <- qcow2 overlay <- qcow2 overlay, each level written by qemu-io, at each
 * version and cluster size; the top's virtual size is larger than the base's. */
static void qemu_made_chains(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    for (unsigned c = 0; c < 2; c++)
        for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            const char *base = tpath("c-base.raw"), *mid = tpath("c-mid.qcow2");
            const char *top = tpath("c-top.qcow2"), *ref = tpath("c.raw");
            uint8_t *b = malloc(6 << 20);
            assert_non_null(b);
            fill_pattern(b, 6 << 20, 7 + s, 0);
            assert_int_equal(spit(base, b, 6 << 20), 0);
            free(b);
            /* Relative backing names: resolved against the overlay's directory. */
            assert_int_equal(
                run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=%u -b c-base.raw "
                    "-F raw %s 7M && qemu-io -c 'write -P 0x33 100k 5k' -c 'write -z 3m 1m' "
                    "%s >/dev/null",
                    compats[c], sizes[s], mid, mid),
                0);
            assert_int_equal(
                run("qemu-img create -q -f qcow2 -o compat=%s,cluster_size=%u -b c-mid.qcow2 "
                    "-F qcow2 %s 8M && qemu-io %s %s >/dev/null",
                    compats[c], sizes[s], top, QEMU_IO_OPS, top),
                0);
            assert_int_equal(run("qemu-img convert -O raw %s %s", top, ref), 0);
            if (!same_as_raw(top, ref))
                fail_msg("chain compat %s cluster %u differs from qemu-img convert", compats[c],
                         sizes[s]);
        }
}

/* The extents a map returns are never longer than asked and name the right kinds. */
static void extents_are_bounded(void **state)
{
    (void)state;
    if (!have_qemu_img())
        skip();
    const char *img = tpath("e.qcow2");
    assert_int_equal(run("qemu-img create -q -f qcow2 -o cluster_size=4096 %s 1M && "
                         "qemu-io -c 'write -P 1 0 8k' -c 'write -z 8k 8k' %s >/dev/null",
                         img, img),
                     0);
    char err[IMG_ERR_MAX];
    struct img *im;
    assert_int_equal(img_open(img, IMG_FORMAT_PROBE, IMG_OPEN_READONLY, &im, err), 0);
    assert_int_equal(img_format(im), IMG_FORMAT_QCOW2);
    assert_int_equal(img_size(im), 1 << 20);
    struct img_extent e;
    assert_int_equal(img_map(im, 512, 100, 0, &e), 0);
    assert_int_equal(e.kind, IMG_EXT_DATA);
    assert_int_equal(e.length, 100);
    assert_int_equal(img_map(im, 1024, 1 << 19, 0, &e), 0);
    assert_int_equal(e.kind, IMG_EXT_DATA);
    assert_int_equal(e.length, 8192 - 1024); /* the two data clusters are contiguous */
    assert_int_equal(img_map(im, 8192, 1 << 19, 0, &e), 0);
    assert_int_equal(e.kind, IMG_EXT_ZERO);
    assert_true(e.length >= 8192 && e.length <= 1 << 19);
    assert_int_equal(img_map(im, 0, 512, IMG_MAP_WRITE, &e), -EROFS);
    assert_int_equal(img_map(im, (1 << 20) - 512, 1024, 0, &e), -EINVAL);
    img_close(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qemu_made_images),
        cmocka_unit_test(qemu_made_chains),
        cmocka_unit_test(extents_are_bounded),
    };
    return cmocka_run_group_tests_name("qcow2_read", tests, NULL, NULL);
}
