/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of the freestanding .xz decoder (hypervisor/common/xz_*.c).
 *
 * The reference is the xz tool (liblzma): generated data is compressed by
 * `xz` with many option sets and must decode to the original bytes; then
 * each part of a small .xz file is damaged in turn and must be refused with
 * the documented error code. Every buffer handed to the decoder is a heap
 * block of exactly the stated size, so ASan catches any access outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tool_io.h"

#include <hv/errcodes.h>
#include <hv/xz.h>

/* Compress data with `xz <opts>` and return the .xz file (malloc'd, exact size). */
static uint8_t *xz_tool(const void *data, size_t len, const char *opts, size_t *xz_len)
{
    char in[128], out[128], cmd[512];

    snprintf(in, sizeof(in), "%s/in", tool_tmpdir());
    snprintf(out, sizeof(out), "%s/in.xz", tool_tmpdir());
    write_whole(in, data, len);
    snprintf(cmd, sizeof(cmd), "xz -q -c %s %s > %s", opts, in, out);
    assert_int_equal(system(cmd), 0);
    return read_whole(out, xz_len);
}

/* Deterministic data generators (xorshift). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

enum data_kind { DATA_TEXT, DATA_RANDOM, DATA_X86, DATA_MIXED };

static void fill_text(uint8_t *p, size_t len)
{
    static const char *const words[] = {"hypervisor ", "grant ", "event ", "channel ",
                                        "domain ",     "page ",  "table ", "\n",
                                        "lamina ",     "vcpu ",  "0x1f ",  "xenstore "};
    size_t i = 0;

    while (i < len) {
        const char *w = words[rnd() % 12];

        for (; *w && i < len; w++)
            p[i++] = (uint8_t)*w;
    }
}

/* Code-like bytes: calls and jumps with near targets among other opcodes. */
static void fill_x86(uint8_t *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint32_t r = rnd();

        if (r % 4 == 0 && len - i >= 5) {
            int32_t rel = (int32_t)(rnd() % 0x40000) - 0x20000;

            p[i] = (r & 0x10) ? 0xe8 : 0xe9;
            memcpy(p + i + 1, &rel, 4);
            i += 5;
        } else if (r % 4 == 1) {
            p[i++] = (uint8_t)(0xe8 + (r >> 8) % 2); /* stray opcode bytes */
        } else {
            p[i++] = (uint8_t)(r >> 8) & 0x8f;
        }
    }
}

static uint8_t *gen_data(enum data_kind kind, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    assert_non_null(p);
    switch (kind) {
    case DATA_TEXT:
        fill_text(p, len);
        break;
    case DATA_RANDOM:
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rnd();
        break;
    case DATA_X86:
        fill_x86(p, len);
        break;
    case DATA_MIXED:
        /* text, incompressible, code, zeros, then a repeat of the start far back */
        fill_text(p, len / 4);
        for (size_t i = len / 4; i < len / 2; i++)
            p[i] = (uint8_t)rnd();
        fill_x86(p + len / 2, len / 4);
        memset(p + 3 * len / 4, 0, len / 8);
        memcpy(p + 7 * len / 8, p, len - 7 * len / 8);
        break;
    }
    return p;
}

static int decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    /* Copy the input into an exact-size block so ASan sees over-reads. */
    uint8_t *copy = malloc(in_len ? in_len : 1);
    int ret;

    assert_non_null(copy);
    memcpy(copy, in, in_len);
    ret = xz_decompress(copy, in_len, out, cap, out_len);
    free(copy);
    return ret;
}

/* --- CRCs ---------------------------------------------------------------- */

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint64_t crc64_bitwise(const uint8_t *p, size_t n)
{
    uint64_t c = ~0ull;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xc96c5795d7870f42ull & (0ull - (c & 1)));
    }
    return ~c;
}

static void test_crc_check_values(void **state)
{
    (void)state;
    /* The standard check values of CRC-32 and CRC-64/XZ. */
    assert_int_equal(xz_crc32("123456789", 9, 0), 0xcbf43926u);
    assert_true(xz_crc64("123456789", 9, 0) == 0x995dc9bbdf1939faull);
    assert_int_equal(xz_crc32("", 0, 0), 0);
    assert_true(xz_crc64("", 0, 0) == 0);
}

static void test_crc_against_bitwise(void **state)
{
    uint8_t buf[1000];

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rnd();
    for (size_t n = 0; n <= sizeof(buf); n += 37) {
        size_t half = n / 3;

        assert_int_equal(xz_crc32(buf, n, 0), crc32_bitwise(buf, n));
        assert_true(xz_crc64(buf, n, 0) == crc64_bitwise(buf, n));
        /* continuing from a previous result */
        assert_int_equal(xz_crc32(buf + half, n - half, xz_crc32(buf, half, 0)),
                         crc32_bitwise(buf, n));
        assert_true(xz_crc64(buf + half, n - half, xz_crc64(buf, half, 0)) ==
                    crc64_bitwise(buf, n));
    }
}

static void test_crc32_sliced(void **state)
{
    static uint32_t tab[8][256];
    uint8_t buf[300];

    (void)state;
    xz_crc32_slices_init(tab);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rnd();
    /* every alignment and every tail length around the 8-byte steps */
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; off + n <= sizeof(buf); n += 1 + n / 16)
            assert_int_equal(xz_crc32_sliced(tab, buf + off, n, 0), crc32_bitwise(buf + off, n));
    assert_int_equal(xz_crc32_sliced(tab, "123456789", 9, 0), 0xcbf43926u);
    assert_int_equal(xz_crc32_sliced(tab, buf + 20, 100, xz_crc32(buf, 20, 0)),
                     crc32_bitwise(buf, 120));
}

static void test_dict_size_property(void **state)
{
    (void)state;
    assert_true(xz_lzma2_dict_size(0) == 4096);
    assert_true(xz_lzma2_dict_size(1) == 6144);
    assert_true(xz_lzma2_dict_size(18) == 2 << 20);
    assert_true(xz_lzma2_dict_size(19) == 3 << 20);
    assert_true(xz_lzma2_dict_size(39) == 3ll << 30);
    assert_true(xz_lzma2_dict_size(40) == 0xffffffffll);
    assert_true(xz_lzma2_dict_size(41) == -1);
    assert_true(xz_lzma2_dict_size(0xff) == -1);
}

/* --- Round trips through xz ---------------------------------------------- */

struct roundtrip_case {
    enum data_kind kind;
    size_t len;
    const char *opts;
};

static void run_roundtrip(void **state)
{
    const struct roundtrip_case *c = *state;
    uint8_t *data = gen_data(c->kind, c->len);
    size_t xz_len, out_len = 12345;
    uint8_t *xz = xz_tool(data, c->len, c->opts, &xz_len);
    uint8_t *out = malloc(c->len ? c->len : 1);

    assert_non_null(out);
    assert_int_equal(decode(xz, xz_len, out, c->len, &out_len), 0);
    assert_int_equal(out_len, c->len);
    assert_memory_equal(out, data, c->len);
    if (c->len > 0) {
        /* one byte short of room */
        assert_int_equal(decode(xz, xz_len, out, c->len - 1, &out_len), -ENOSPC);
    }
    free(out);
    free(xz);
    free(data);
}

#define MiB (1024 * 1024)
static const struct roundtrip_case roundtrips[] = {
    {DATA_TEXT, 200000, "-0"},
    {DATA_TEXT, 200000, "-6 --check=crc32"},
    {DATA_TEXT, 200000, "--check=none"},
    {DATA_TEXT, 200000, "--check=sha256"},
    {DATA_MIXED, 3 * MiB, "-6"},
    {DATA_MIXED, 3 * MiB, "--lzma2=dict=4KiB"},
    {DATA_MIXED, 1 * MiB, "--lzma2=dict=64KiB,lc=0,lp=4,pb=0"},
    {DATA_MIXED, 1 * MiB, "--lzma2=dict=1MiB,lc=4,lp=0,pb=4"},
    {DATA_MIXED, 1 * MiB, "--lzma2=dict=256KiB,lc=1,lp=3,pb=2,mode=fast"},
    {DATA_MIXED, 1 * MiB, "--lzma2=preset=9e,dict=2MiB"},
    {DATA_RANDOM, 300000, "-6"},
    {DATA_X86, 1 * MiB, "--x86 --lzma2"},
    {DATA_X86, 1 * MiB, "--x86 --lzma2=dict=64KiB --check=crc32"},
    {DATA_X86, 1 * MiB, "--x86=start=4096 --lzma2"},
    {DATA_MIXED, 2 * MiB, "--x86 --lzma2=dict=1MiB --block-size=300000"},
    {DATA_MIXED, 2 * MiB, "-T2 --block-size=500000"},
    {DATA_TEXT, 0, "-6"},
    {DATA_TEXT, 1, "-6"},
    {DATA_X86, 4, "--x86 --lzma2"},
    {DATA_X86, 5, "--x86 --lzma2"},
};

/* --- Containers around the data ------------------------------------------ */

static void test_concatenated_streams(void **state)
{
    uint8_t *a = gen_data(DATA_TEXT, 50000), *b = gen_data(DATA_X86, 40000);
    size_t la, lb, out_len;
    uint8_t *xa = xz_tool(a, 50000, "--check=crc32", &la);
    uint8_t *xb = xz_tool(b, 40000, "--x86 --lzma2", &lb);
    uint8_t *cat = calloc(1, la + 8 + lb + 4);
    uint8_t *out = malloc(90000);

    (void)state;
    assert_non_null(cat);
    assert_non_null(out);
    memcpy(cat, xa, la);
    memcpy(cat + la + 8, xb, lb); /* 8 bytes of stream padding between, 4 after */
    assert_int_equal(decode(cat, la + 8 + lb + 4, out, 90000, &out_len), 0);
    assert_int_equal(out_len, 90000);
    assert_memory_equal(out, a, 50000);
    assert_memory_equal(out + 50000, b, 40000);
    /* padding must come in multiples of four */
    memcpy(cat + la + 7, xb, lb);
    assert_int_equal(decode(cat, la + 7 + lb, out, 90000, &out_len), -EINVAL);
    assert_int_equal(decode(cat, la + 2, out, 90000, &out_len), -EINVAL);
    /* anything else after a stream is garbage */
    memcpy(cat, xa, la);
    memcpy(cat + la, "\x01\x00\x00\x00", 4);
    assert_int_equal(decode(cat, la + 4, out, 90000, &out_len), -EINVAL);
    free(out);
    free(cat);
    free(xb);
    free(xa);
    free(b);
    free(a);
}

/* A small file to damage: CRC64, sizes in the block header (-T2 writes them). */
struct sample {
    uint8_t *data;
    size_t len;
    uint8_t *xz;
    size_t xz_len;
    size_t block;   /* offset of the block header */
    size_t hdr_len; /* its size */
    size_t check;   /* offset of the check field */
    size_t index;   /* offset of the index */
    size_t footer;  /* offset of the footer */
};

static size_t vli_len(const uint8_t *p)
{
    size_t n = 1;

    while (p[n - 1] & 0x80)
        n++;
    return n;
}

static void make_sample(struct sample *s, const char *opts, size_t check_size)
{
    uint32_t backward;

    s->len = 20000;
    s->data = gen_data(DATA_MIXED, s->len);
    s->xz = xz_tool(s->data, s->len, opts, &s->xz_len);
    s->block = 12;
    s->hdr_len = ((size_t)s->xz[12] + 1) * 4;
    s->footer = s->xz_len - 12;
    memcpy(&backward, s->xz + s->footer + 4, 4);
    s->index = s->footer - ((size_t)backward + 1) * 4;
    s->check = s->index - check_size;
    assert_int_equal(s->xz[s->index], 0x00);
}

static void free_sample(struct sample *s)
{
    free(s->xz);
    free(s->data);
}

/* Decode s->xz with byte at off xored with x; returns the error. */
static int decode_flipped(const struct sample *s, size_t off, uint8_t x)
{
    uint8_t *copy = malloc(s->xz_len), *out = malloc(s->len);
    size_t out_len;
    int ret;

    assert_non_null(copy);
    assert_non_null(out);
    memcpy(copy, s->xz, s->xz_len);
    copy[off] ^= x;
    ret = xz_decompress(copy, s->xz_len, out, s->len, &out_len);
    free(out);
    free(copy);
    return ret;
}

/* CRC32 of p[from..from+len) stored at p[at] (right after it, except in the footer). */
static void put_crc32_at(uint8_t *p, size_t at, size_t from, size_t len)
{
    uint32_t crc = xz_crc32(p + from, len, 0);

    memcpy(p + at, &crc, 4);
}

static void put_crc32(uint8_t *p, size_t from, size_t len)
{
    put_crc32_at(p, from + len, from, len);
}

static void test_truncated_everywhere(void **state)
{
    struct sample s;
    uint8_t *out;

    (void)state;
    make_sample(&s, "-T2", 8);
    out = malloc(s.len);
    assert_non_null(out);
    for (size_t n = 0; n < s.xz_len; n++) {
        size_t out_len;

        if (decode(s.xz, n, out, s.len, &out_len) != -EINVAL)
            fail_msg("prefix of %zu bytes not refused with -EINVAL", n);
    }
    free(out);
    free_sample(&s);
}

static void test_flipped_stream_header(void **state)
{
    struct sample s;

    (void)state;
    make_sample(&s, "-T2", 8);
    for (size_t off = 0; off < 6; off++)
        assert_int_equal(decode_flipped(&s, off, 0x01), -EINVAL); /* magic */
    for (size_t off = 6; off < 12; off++)
        assert_int_equal(decode_flipped(&s, off, 0x10), -EIO); /* flags, CRC */
    free_sample(&s);
}

static void test_flipped_block_header(void **state)
{
    struct sample s;

    (void)state;
    make_sample(&s, "-T2", 8);
    for (size_t off = s.block + 1; off < s.block + s.hdr_len; off++)
        assert_int_equal(decode_flipped(&s, off, 0x04), -EIO);
    /* the size byte itself: a header that runs off or is cut short */
    assert_int_not_equal(decode_flipped(&s, s.block, 0x01), 0);
    free_sample(&s);
}

static void test_flipped_data(void **state)
{
    struct sample s;

    (void)state;
    make_sample(&s, "-T2", 8);
    for (size_t off = s.block + s.hdr_len; off < s.check; off++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            int ret = decode_flipped(&s, off, (uint8_t)(1u << bit));

            if (ret != -EINVAL && ret != -EIO)
                fail_msg("flip at %zu bit %u: %d", off, bit, ret);
        }
    }
    free_sample(&s);
}

static void test_flipped_check(void **state)
{
    struct sample s;

    (void)state;
    make_sample(&s, "-T2", 8); /* CRC64 */
    for (size_t off = s.check; off < s.index; off++)
        assert_int_equal(decode_flipped(&s, off, 0x80), -EIO);
    free_sample(&s);
    make_sample(&s, "-T2 --check=crc32", 4);
    for (size_t off = s.check; off < s.index; off++)
        assert_int_equal(decode_flipped(&s, off, 0x01), -EIO);
    free_sample(&s);
}

static void test_flipped_index_and_footer(void **state)
{
    struct sample s;

    (void)state;
    make_sample(&s, "-T2", 8);
    assert_int_not_equal(decode_flipped(&s, s.index, 0x01), 0);
    for (size_t off = s.index + 1; off < s.footer - 4; off++) {
        int ret = decode_flipped(&s, off, 0x02);

        /* a changed value fails the CRC; a changed structure may fail first */
        if (ret != -EIO && ret != -EINVAL)
            fail_msg("index flip at %zu: %d", off, ret);
    }
    for (size_t off = s.footer - 4; off < s.footer; off++)
        assert_int_equal(decode_flipped(&s, off, 0x02), -EIO);
    for (size_t off = s.footer; off < s.footer + 10; off++)
        assert_int_equal(decode_flipped(&s, off, 0x01), -EIO); /* CRC, backward size, flags */
    assert_int_equal(decode_flipped(&s, s.footer + 10, 0x01), -EINVAL); /* "YZ" */
    assert_int_equal(decode_flipped(&s, s.footer + 11, 0x01), -EINVAL);
    free_sample(&s);
}

/* Change a field and fix up the CRC that covers it: only the meaning is wrong. */
static void test_wrong_sizes(void **state)
{
    struct sample s;
    uint8_t *x, *out;
    size_t out_len, csize_off, usize_off, rec;

    (void)state;
    make_sample(&s, "-T2", 8);
    x = malloc(s.xz_len);
    out = malloc(s.len + 100);
    assert_non_null(x);
    assert_non_null(out);
    assert_int_equal(s.xz[s.block + 1] & 0xc0, 0xc0); /* both sizes present */
    csize_off = s.block + 2;
    usize_off = csize_off + vli_len(s.xz + csize_off);

    /* block header: compressed size one less, then one more */
    for (int d = -1; d <= 1; d += 2) {
        memcpy(x, s.xz, s.xz_len);
        x[csize_off] = (uint8_t)(x[csize_off] + d);
        put_crc32(x, s.block, s.hdr_len - 4);
        assert_int_equal(xz_decompress(x, s.xz_len, out, s.len + 100, &out_len), -EINVAL);
    }
    /* block header: uncompressed size one less, then one more */
    for (int d = -1; d <= 1; d += 2) {
        memcpy(x, s.xz, s.xz_len);
        x[usize_off] = (uint8_t)(x[usize_off] + d);
        put_crc32(x, s.block, s.hdr_len - 4);
        assert_int_equal(xz_decompress(x, s.xz_len, out, s.len + 100, &out_len), -EINVAL);
    }
    /* index: record count, unpadded size, uncompressed size */
    rec = s.index + 1;
    size_t fields[3] = {rec, rec + 1, rec + 1 + vli_len(s.xz + rec + 1)};
    for (size_t f = 0; f < 3; f++) {
        memcpy(x, s.xz, s.xz_len);
        x[fields[f]] ^= 0x01;
        put_crc32(x, s.index, s.footer - 4 - s.index);
        assert_int_equal(xz_decompress(x, s.xz_len, out, s.len + 100, &out_len), -EINVAL);
    }
    /* footer: backward size */
    memcpy(x, s.xz, s.xz_len);
    x[s.footer + 4] ^= 0x01;
    put_crc32_at(x, s.footer, s.footer + 4, 6);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len + 100, &out_len), -EINVAL);
    /* footer: flags that differ from the header's */
    memcpy(x, s.xz, s.xz_len);
    x[s.footer + 9] = 0x01;
    put_crc32_at(x, s.footer, s.footer + 4, 6);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len + 100, &out_len), -EINVAL);
    free(out);
    free(x);
    free_sample(&s);
}

static void test_unsupported(void **state)
{
    struct sample s;
    uint8_t *x, *out, *data = gen_data(DATA_TEXT, 4000);
    size_t out_len, len;

    (void)state;
    make_sample(&s, "-T2", 8);
    x = malloc(s.xz_len);
    out = malloc(s.len);
    assert_non_null(x);
    assert_non_null(out);
    /* reserved stream flag bits */
    memcpy(x, s.xz, s.xz_len);
    x[6] = 0x01;
    put_crc32(x, 6, 2);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len, &out_len), -EOPNOTSUPP);
    memcpy(x, s.xz, s.xz_len);
    x[7] |= 0x20;
    put_crc32(x, 6, 2);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len, &out_len), -EOPNOTSUPP);
    /* a check type we do not know (2: reserved, 4-byte field) */
    memcpy(x, s.xz, s.xz_len);
    x[7] = 0x02;
    put_crc32(x, 6, 2);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len, &out_len), -EOPNOTSUPP);
    /* reserved block flag bits */
    memcpy(x, s.xz, s.xz_len);
    x[s.block + 1] |= 0x04;
    put_crc32(x, s.block, s.hdr_len - 4);
    assert_int_equal(xz_decompress(x, s.xz_len, out, s.len, &out_len), -EOPNOTSUPP);
    free(out);
    free(x);
    free_sample(&s);

    /* filters we do not decode, as xz writes them */
    out = malloc(4000);
    assert_non_null(out);
    x = xz_tool(data, 4000, "--delta=dist=4 --lzma2", &len);
    assert_int_equal(decode(x, len, out, 4000, &out_len), -EOPNOTSUPP);
    free(x);
    x = xz_tool(data, 4000, "--arm --lzma2", &len);
    assert_int_equal(decode(x, len, out, 4000, &out_len), -EOPNOTSUPP);
    free(x);
    /* and LZMA1 is not xz at all */
    x = xz_tool(data, 4000, "--format=lzma", &len);
    assert_int_equal(decode(x, len, out, 4000, &out_len), -EINVAL);
    free(x);
    free(out);
    free(data);
}

static void test_output_too_small(void **state)
{
    uint8_t *data = gen_data(DATA_MIXED, 100000), *out = malloc(100000);
    const char *opts[] = {"-6", "-T2 --block-size=30000", "--x86 --lzma2 --block-size=30000"};
    size_t caps[] = {0, 1, 29999, 30000, 30001, 99999};

    (void)state;
    assert_non_null(out);
    for (size_t o = 0; o < 3; o++) {
        size_t len, out_len;
        uint8_t *x = xz_tool(data, 100000, opts[o], &len);

        for (size_t c = 0; c < 6; c++) {
            uint8_t *small = malloc(caps[c] ? caps[c] : 1);

            assert_non_null(small);
            assert_int_equal(decode(x, len, small, caps[c], &out_len), -ENOSPC);
            assert_int_equal(out_len, 0);
            free(small);
        }
        assert_int_equal(decode(x, len, out, 100000, &out_len), 0);
        assert_int_equal(out_len, 100000);
        free(x);
    }
    free(out);
    free(data);
}

/* --- LZMA2 chunk rules, with hand-made chunks ----------------------------- */

static int lzma2(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_pos)
{
    static struct xz_workspace ws;
    uint8_t *copy = malloc(len ? len : 1);
    size_t used = 0;
    int ret;

    assert_non_null(copy);
    memcpy(copy, in, len);
    *out_pos = 0;
    ret = xz_lzma2_decode(&ws, 1 << 20, copy, len, &used, out, out_pos, cap);
    if (ret == 0)
        assert_int_equal(used, len);
    free(copy);
    return ret;
}

static void test_lzma2_chunks(void **state)
{
    uint8_t out[16];
    size_t n;

    (void)state;
    /* uncompressed chunks: with dictionary reset, then without */
    static const uint8_t ok[] = {0x01, 0x00, 0x02, 'a', 'b', 'c', 0x02, 0x00, 0x00, 'd', 0x00};
    assert_int_equal(lzma2(ok, sizeof(ok), out, 4, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "abcd", 4);
    assert_int_equal(lzma2(ok, sizeof(ok), out, 3, &n), -ENOSPC);
    /* the empty LZMA2 stream */
    assert_int_equal(lzma2((const uint8_t *)"", 1, out, 0, &n), 0);
    assert_int_equal(n, 0);
    /* missing end byte, truncated chunk header, truncated data */
    assert_int_equal(lzma2(ok, sizeof(ok) - 1, out, 16, &n), -EINVAL);
    assert_int_equal(lzma2(ok, 2, out, 16, &n), -EINVAL);
    assert_int_equal(lzma2(ok, 5, out, 16, &n), -EINVAL);
    /* first chunk must reset the dictionary */
    static const uint8_t no_reset[] = {0x02, 0x00, 0x00, 'a', 0x00};
    assert_int_equal(lzma2(no_reset, sizeof(no_reset), out, 16, &n), -EINVAL);
    /* invalid control bytes */
    for (unsigned c = 0x03; c < 0x80; c += 0x1d) {
        /* followed by what would be a valid uncompressed chunk body */
        uint8_t bad[] = {0x01, 0x00, 0x00, 'a', (uint8_t)c, 0x00, 0x00, 'b', 0x00};
        assert_int_equal(lzma2(bad, sizeof(bad), out, 16, &n), -EINVAL);
    }
    /* an LZMA chunk after a dictionary reset must bring properties */
    static const uint8_t no_props[] = {0x01, 0x00, 0x00, 'a',  0xa0, 0x00, 0x00, 0x00,
                                       0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(lzma2(no_props, sizeof(no_props), out, 16, &n), -EINVAL);
    /* properties with lc + lp > 4, and out of range */
    static const uint8_t big_lclp[] = {0xe0, 0x00, 0x00, 0x00, 0x04, 3 + 9 * 2,
                                       0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(lzma2(big_lclp, sizeof(big_lclp), out, 16, &n), -EINVAL);
    static const uint8_t bad_props[] = {0xe0, 0x00, 0x00, 0x00, 0x04, 225,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(lzma2(bad_props, sizeof(bad_props), out, 16, &n), -EINVAL);
    /* range coder must start with a zero byte */
    static const uint8_t rc_start[] = {0xe0, 0x00, 0x00, 0x00, 0x04, 0x5d,
                                       0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(lzma2(rc_start, sizeof(rc_start), out, 16, &n), -EINVAL);
}

/* Raw LZMA2 from xz, decoded with a smaller dictionary than it was made with. */
static void test_lzma2_dictionary_limit(void **state)
{
    static struct xz_workspace ws;
    size_t len = 600000, raw_len, used, pos;
    uint8_t *data = gen_data(DATA_RANDOM, len), *out = malloc(len), *raw;

    (void)state;
    assert_non_null(out);
    memcpy(data + 400000, data, 200000); /* a match 400000 bytes back */
    raw = xz_tool(data, len, "--format=raw --lzma2=dict=1MiB", &raw_len);
    pos = 0;
    assert_int_equal(xz_lzma2_decode(&ws, 1 << 20, raw, raw_len, &used, out, &pos, len), 0);
    assert_int_equal(pos, len);
    assert_int_equal(used, raw_len);
    assert_memory_equal(out, data, len);
    pos = 0;
    assert_int_equal(xz_lzma2_decode(&ws, 256 << 10, raw, raw_len, &used, out, &pos, len), -EINVAL);
    free(raw);
    free(out);
    free(data);
}

static void test_bcj_x86_known(void **state)
{
    /* call rel32 at offset 0 whose converted (absolute) target is 0x1005 */
    uint8_t code[10] = {0xe8, 0x05, 0x10, 0x00, 0x00, 0x90, 0x90, 0x90, 0x90, 0x90};
    uint8_t tiny[4] = {0xe8, 0x05, 0x10, 0x00};

    (void)state;
    xz_bcj_x86_decode(code, sizeof(code), 0);
    assert_memory_equal(code, "\xe8\x00\x10\x00\x00\x90", 6);
    /* with a start offset of 0x100 the position counts from there */
    memcpy(code, "\xe8\x05\x11\x00\x00", 5);
    xz_bcj_x86_decode(code, sizeof(code), 0x100);
    assert_memory_equal(code, "\xe8\x00\x10\x00\x00", 5);
    /* a top operand byte other than 00/ff is left alone; so are the last 4 bytes */
    memcpy(code, "\xe8\x05\x10\x00\x12", 5);
    xz_bcj_x86_decode(code, sizeof(code), 0);
    assert_memory_equal(code, "\xe8\x05\x10\x00\x12", 5);
    xz_bcj_x86_decode(tiny, sizeof(tiny), 0);
    assert_memory_equal(tiny, "\xe8\x05\x10\x00", 4);
}

int main(void)
{
    enum { NROUND = sizeof(roundtrips) / sizeof(roundtrips[0]) };
    static char names[NROUND][96];
    struct CMUnitTest tests[NROUND + 24];
    size_t n = 0;

#define ADD(f) tests[n++] = (struct CMUnitTest)cmocka_unit_test(f)
    ADD(test_crc_check_values);
    ADD(test_crc_against_bitwise);
    ADD(test_crc32_sliced);
    ADD(test_dict_size_property);
    for (size_t i = 0; i < NROUND; i++) {
        static const char *const kinds[] = {"text", "random", "x86", "mixed"};

        snprintf(names[i], sizeof(names[i]), "roundtrip.%s.%zu.%s", kinds[roundtrips[i].kind],
                 roundtrips[i].len, roundtrips[i].opts);
        /* one word per name: result lines are split on spaces */
        for (char *c = names[i]; *c; c++)
            if (*c == ' ')
                *c = '_';
        tests[n++] =
            (struct CMUnitTest){names[i], run_roundtrip, NULL, NULL, (void *)&roundtrips[i]};
    }
    ADD(test_concatenated_streams);
    ADD(test_truncated_everywhere);
    ADD(test_flipped_stream_header);
    ADD(test_flipped_block_header);
    ADD(test_flipped_data);
    ADD(test_flipped_check);
    ADD(test_flipped_index_and_footer);
    ADD(test_wrong_sizes);
    ADD(test_unsupported);
    ADD(test_output_too_small);
    ADD(test_lzma2_chunks);
    ADD(test_lzma2_dictionary_limit);
    ADD(test_bcj_x86_known);
#undef ADD
    return _cmocka_run_group_tests("xz", tests, n, tool_tmpdir_setup, tool_tmpdir_teardown);
}
