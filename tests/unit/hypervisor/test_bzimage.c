/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of bzImage payload location and decompression
 * (hypervisor/common/bzimage.c): synthetic images for every header rule,
 * and Debian's real vmlinuz (build/pkgs/vmlinuz, SKIP when absent), whose
 * payload must decompress to exactly what `xz -dc` (liblzma) produces: the
 * vmlinux ELF with its Xen notes, which the PV ELF loader accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tool_io.h"

#include <hv/bzimage.h>
#include <hv/elf_pv.h>
#include <hv/errcodes.h>
#include <hv/xz.h>

#ifndef LAMINA_BUILD
#define LAMINA_BUILD "../../build"
#endif

static void put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v);
    put_le16(p + 2, v >> 16);
}

/*
 * A minimal bzImage: setup sectors, protected-mode code of `gap` filler
 * bytes, then the payload (Linux's layout, payload_offset = gap).
 */
static uint8_t *make_image(unsigned sects, uint16_t version, size_t gap, const void *payload,
                           size_t plen, size_t *len)
{
    size_t start = ((size_t)(sects ? sects : 4) + 1) * 512;
    uint8_t *img = calloc(1, start + gap + plen);

    assert_non_null(img);
    img[0x1f1] = (uint8_t)sects;
    put_le16(img + 0x1fe, 0xaa55);
    memcpy(img + 0x202, "HdrS", 4);
    put_le16(img + 0x206, version);
    put_le32(img + 0x248, (uint32_t)gap);
    put_le32(img + 0x24c, (uint32_t)plen);
    memset(img + start, 0x90, gap);
    memcpy(img + start + gap, payload, plen);
    *len = start + gap + plen;
    return img;
}

/* Data compressed as Linux does it: xz with the x86 filter, then the size. */
static uint8_t *make_payload(const uint8_t *data, size_t len, size_t *plen)
{
    size_t xz_len;
    uint8_t *xz = filter_tool("xz -q -c --check=crc32 --x86 --lzma2=dict=1MiB", data, len, &xz_len);
    uint8_t *p = realloc(xz, xz_len + 4);

    assert_non_null(p);
    put_le32(p + xz_len, (uint32_t)len);
    *plen = xz_len + 4;
    return p;
}

static uint8_t *sample_data(size_t len)
{
    uint8_t *d = malloc(len);

    assert_non_null(d);
    for (size_t i = 0; i < len; i++)
        d[i] = (uint8_t)((i * 7) ^ (i >> 5) ^ ((i % 97) == 0 ? 0xe8 : 0));
    return d;
}

static void test_payload_found(void **state)
{
    static const uint8_t payload[] = "compressed bytes";
    const void *p;
    size_t len, plen;
    uint8_t *img;

    (void)state;
    for (unsigned sects = 0; sects < 40; sects += 13) {
        img = make_image(sects, 0x020f, 300, payload, sizeof(payload), &len);
        assert_int_equal(bzimage_payload(img, len, &p, &plen), 0);
        assert_int_equal(plen, sizeof(payload));
        /* setup_sects 0 means 4 */
        assert_ptr_equal(p, img + ((sects ? sects : 4) + 1) * 512 + 300);
        assert_memory_equal(p, payload, sizeof(payload));
        free(img);
    }
    img = make_image(4, 0x0208, 0, payload, sizeof(payload), &len); /* oldest usable */
    assert_int_equal(bzimage_payload(img, len, &p, &plen), 0);
    assert_ptr_equal(p, img + 5 * 512);
    free(img);
}

static void test_header_errors(void **state)
{
    static const uint8_t payload[64];
    const void *p;
    size_t len, plen;
    uint8_t *img = make_image(4, 0x020f, 16, payload, sizeof(payload), &len);

    (void)state;
    /* too short to hold the header fields */
    assert_int_equal(bzimage_payload(img, 0x24f, &p, &plen), -EINVAL);
    assert_int_equal(bzimage_payload(img, 0, &p, &plen), -EINVAL);
    /* no boot flag, no "HdrS" */
    img[0x1fe] = 0;
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EINVAL);
    img[0x1fe] = 0x55;
    img[0x205] = 's';
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EINVAL);
    img[0x205] = 'S';
    /* protocols before 2.08 have no payload fields */
    put_le16(img + 0x206, 0x0207);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -ENOEXEC);
    put_le16(img + 0x206, 0x0200);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -ENOEXEC);
    put_le16(img + 0x206, 0x020f);
    /* payload one byte past the end, offset or length */
    assert_int_equal(bzimage_payload(img, len - 1, &p, &plen), -EOVERFLOW);
    put_le32(img + 0x248, 17);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    put_le32(img + 0x248, 16);
    put_le32(img + 0x24c, sizeof(payload) + 1);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    /* sums that would wrap in 32 bits, and an empty payload */
    put_le32(img + 0x248, 0xffffffffu);
    put_le32(img + 0x24c, 0xffffffffu);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    put_le32(img + 0x248, 0xfffffe00u);
    put_le32(img + 0x24c, 0x300);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    put_le32(img + 0x248, 16);
    put_le32(img + 0x24c, 0);
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    /* setup sectors that push the code past the end */
    put_le32(img + 0x24c, sizeof(payload));
    img[0x1f1] = 0xff;
    assert_int_equal(bzimage_payload(img, len, &p, &plen), -EOVERFLOW);
    img[0x1f1] = 4;
    assert_int_equal(bzimage_payload(img, len, &p, &plen), 0);
    free(img);
}

static void test_uncompressed_size(void **state)
{
    static const uint8_t p[] = {0xaa, 0x78, 0x56, 0x34, 0x12};
    size_t n = 0;

    (void)state;
    assert_int_equal(bzimage_uncompressed_size(p, sizeof(p), &n), 0);
    assert_int_equal(n, 0x12345678);
    assert_int_equal(bzimage_uncompressed_size(p, 4, &n), 0);
    assert_int_equal(n, 0x345678aa);
    assert_int_equal(bzimage_uncompressed_size(p, 3, &n), -EINVAL);
}

static void test_decompress_xz(void **state)
{
    size_t dlen = 200000, plen, len, out_len;
    uint8_t *data = sample_data(dlen), *payload = make_payload(data, dlen, &plen);
    uint8_t *img = make_image(27, 0x020f, 1000, payload, plen, &len);
    uint8_t *out = malloc(dlen);
    size_t size;

    (void)state;
    assert_non_null(out);
    assert_int_equal(bzimage_uncompressed_size(payload, plen, &size), 0);
    assert_int_equal(size, dlen);
    size = 0;
    assert_int_equal(bzimage_output_size(img, len, &size), 0);
    assert_int_equal(size, dlen);
    assert_int_equal(bzimage_decompress(img, len, out, dlen, &out_len), 0);
    assert_int_equal(out_len, dlen);
    assert_memory_equal(out, data, dlen);
    /* room for one byte less than the declared size */
    assert_int_equal(bzimage_decompress(img, len, out, dlen - 1, &out_len), -ENOSPC);
    /* a declared size that disagrees with the stream */
    put_le32(img + len - 4, (uint32_t)dlen - 1);
    assert_int_equal(bzimage_decompress(img, len, out, dlen, &out_len), -EINVAL);
    assert_int_equal(out_len, 0);
    put_le32(img + len - 4, (uint32_t)dlen);
    /* damaged stream: the error of the xz decoder comes through */
    img[len - 4 - 12 - 1] ^= 0x40; /* in the index CRC */
    assert_int_equal(bzimage_decompress(img, len, out, dlen, &out_len), -EIO);
    free(img);
    /* header errors come through too */
    img = make_image(27, 0x0206, 1000, payload, plen, &len);
    assert_int_equal(bzimage_decompress(img, len, out, dlen, &out_len), -ENOEXEC);
    assert_int_equal(bzimage_output_size(img, len, &size), -ENOEXEC);
    free(img);
    img = make_image(27, 0x020f, 1000, payload, 3, &len); /* no room for the size */
    assert_int_equal(bzimage_output_size(img, len, &size), -EINVAL);
    free(img);
    free(out);
    free(payload);
    free(data);
}

static void test_other_formats(void **state)
{
    size_t dlen = 5000, gz_len, len, out_len;
    uint8_t *data = sample_data(dlen), *gz = filter_tool("gzip -c -n", data, dlen, &gz_len);
    uint8_t out[64], *img, *big;
    static const uint8_t zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0, 0x40, 0, 0, 0};
    static const uint8_t bzip2[] = "BZh91AY&SY....";
    static const uint8_t junk[] = "neither of them\x10\x00\x00\x00";
    size_t size;

    (void)state;
    /* gzip's trailer ends with the size too */
    assert_int_equal(bzimage_uncompressed_size(gz, gz_len, &size), 0);
    assert_int_equal(size, dlen);
    /* CONFIG_KERNEL_GZIP: decoded, size checked */
    img = make_image(4, 0x020f, 0, gz, gz_len, &len);
    big = malloc(dlen);
    assert_non_null(big);
    assert_int_equal(bzimage_decompress(img, len, big, dlen, &out_len), 0);
    assert_int_equal(out_len, dlen);
    assert_memory_equal(big, data, dlen);
    assert_int_equal(bzimage_decompress(img, len, big, dlen - 1, &out_len), -ENOSPC);
    img[len - 5] ^= 1; /* gzip's CRC32 */
    assert_int_equal(bzimage_decompress(img, len, big, dlen, &out_len), -EIO);
    free(big);
    free(img);
    img = make_image(4, 0x020f, 0, zstd, sizeof(zstd), &len);
    assert_int_equal(bzimage_decompress(img, len, out, sizeof(out), &out_len), -EOPNOTSUPP);
    free(img);
    img = make_image(4, 0x020f, 0, bzip2, sizeof(bzip2), &len);
    assert_int_equal(bzimage_decompress(img, len, out, sizeof(out), &out_len), -EOPNOTSUPP);
    free(img);
    img = make_image(4, 0x020f, 0, junk, sizeof(junk) - 1, &len);
    assert_int_equal(bzimage_decompress(img, len, out, sizeof(out), &out_len), -EINVAL);
    free(img);
    /* an xz magic followed by too little to hold the size */
    img = make_image(4, 0x020f, 0,
                     "\xfd"
                     "7zXZ",
                     6, &len);
    assert_int_not_equal(bzimage_decompress(img, len, out, sizeof(out), &out_len), 0);
    free(img);
    free(gz);
    free(data);
}

/* --- Debian's kernel --------------------------------------------------- */

#define VMLINUZ LAMINA_BUILD "/pkgs/vmlinuz"

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

/* Count ELF notes named "Xen" in the PT_NOTE segments of an ELF64 image. */
static unsigned count_xen_notes(const uint8_t *elf, size_t len)
{
    uint64_t phoff = le(elf + 0x20, 8);
    unsigned phentsize = (unsigned)le(elf + 0x36, 2), phnum = (unsigned)le(elf + 0x38, 2);
    unsigned found = 0;

    assert_true(phoff + (uint64_t)phnum * phentsize <= len);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + (size_t)i * phentsize;
        uint64_t off = le(ph + 8, 8), size = le(ph + 32, 8);

        if (le(ph, 4) != 4 /* PT_NOTE */)
            continue;
        assert_true(off + size <= len);
        for (uint64_t pos = off; pos + 12 <= off + size;) {
            uint32_t namesz = (uint32_t)le(elf + pos, 4), descsz = (uint32_t)le(elf + pos + 4, 4);

            if (namesz == 4 && memcmp(elf + pos + 12, "Xen", 4) == 0)
                found++;
            pos += 12 + ((namesz + 3u) & ~3u) + ((descsz + 3u) & ~3u);
        }
    }
    return found;
}

static void test_debian_vmlinuz(void **state)
{
    struct stat st;
    const void *payload;
    size_t len, plen, size, ref_len, out_len;
    uint8_t *img, *ref, *out;
    struct elf_pv_info *info;
    struct timespec t0, t1;
    double secs;
    char cmd[512];

    (void)state;
    if (stat(VMLINUZ, &st) != 0)
        skip();
    img = read_whole(VMLINUZ, &len);
    assert_int_equal(bzimage_payload(img, len, &payload, &plen), 0);
    assert_true(le(img + 0x206, 2) >= 0x0208);
    assert_memory_equal(payload,
                        "\xfd"
                        "7zXZ\0",
                        6);
    assert_int_equal(bzimage_uncompressed_size(payload, plen, &size), 0);
    assert_int_equal(bzimage_output_size(img, len, &ref_len), 0);
    assert_int_equal(ref_len, size);

    /* the reference: liblzma through xz, on the stream without the size trailer */
    snprintf(cmd, sizeof(cmd), "%s/payload.xz", tool_tmpdir());
    write_whole(cmd, payload, plen - 4);
    snprintf(cmd, sizeof(cmd), "xz -dc %s/payload.xz > %s/vmlinux", tool_tmpdir(), tool_tmpdir());
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/vmlinux", tool_tmpdir());
    ref = read_whole(cmd, &ref_len);
    assert_int_equal(ref_len, size); /* Linux's size trailer is right for xz */

    out = malloc(size);
    assert_non_null(out);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(bzimage_decompress(img, len, out, size, &out_len), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("# debian vmlinuz: %zu -> %zu bytes in %.2f s (%.1f MB/s, sanitizers on)\n", plen,
                  out_len, secs, (double)out_len / secs / 1e6);
    assert_int_equal(out_len, ref_len);
    assert_memory_equal(out, ref, ref_len);

    /* what the domain builder gets: a PV vmlinux */
    assert_memory_equal(out,
                        "\x7f"
                        "ELF",
                        4);
    assert_true(count_xen_notes(out, out_len) >= 10);
    info = calloc(1, sizeof(*info));
    assert_non_null(info);
    assert_int_equal(elf_pv_parse(out, out_len, info), 0);
    assert_true(info->nr_xen_notes >= 10);
    assert_string_equal(info->guest_os, "linux");
    free(info);
    free(out);
    free(ref);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_found),     cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_uncompressed_size), cmocka_unit_test(test_decompress_xz),
        cmocka_unit_test(test_other_formats),     cmocka_unit_test(test_debian_vmlinuz),
    };

    return cmocka_run_group_tests_name("bzimage", tests, tool_tmpdir_setup, tool_tmpdir_teardown);
}
