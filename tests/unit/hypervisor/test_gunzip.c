/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of the freestanding gzip/deflate decoder (common/gunzip.c)
 * against the gzip tool and zlib (through python3): every zlib block
 * strategy, every gzip header field, damaged and truncated members, and
 * hand-made deflate streams that break each validity rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tool_io.h"

#include <hv/errcodes.h>
#include <hv/gunzip.h>
#include <hv/xz.h>

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Text-like start, random middle, long runs and a far repeat at the end. */
static uint8_t *gen_data(size_t len)
{
    static const char *const words[] = {"grant ", "event ", "page ", "domain ", "\n", "vcpu "};
    uint8_t *p = malloc(len ? len : 1);
    size_t i = 0;

    assert_non_null(p);
    while (i < len / 3) {
        for (const char *w = words[rnd() % 6]; *w && i < len / 3; w++)
            p[i++] = (uint8_t)*w;
    }
    for (; i < len / 2; i++)
        p[i] = (uint8_t)rnd();
    memset(p + i, 'z', len * 3 / 4 - i);
    memcpy(p + len * 3 / 4, p, len - len * 3 / 4);
    return p;
}

static int decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees over-reads */
    int ret;

    assert_non_null(copy);
    memcpy(copy, in, len);
    ret = gunzip(copy, len, out, cap, out_len);
    free(copy);
    return ret;
}

struct roundtrip_case {
    size_t len;
    const char *tool;
};

#define PYZ "python3 -c 'import sys,zlib; d=sys.stdin.buffer.read(); "
static const struct roundtrip_case roundtrips[] = {
    {300000, "gzip -1 -n -c"},
    {300000, "gzip -6 -c"}, /* with the file name field */
    {300000, "gzip -9 -n -c"},
    {3 << 20, "gzip -9 -n -c"},
    {0, "gzip -n -c"},
    {1, "gzip -n -c"},
    {200000, PYZ "c=zlib.compressobj(0,zlib.DEFLATED,31); "
                 "sys.stdout.buffer.write(c.compress(d)+c.flush())'"},
    {200000, PYZ "c=zlib.compressobj(9,zlib.DEFLATED,31,9,zlib.Z_FIXED); "
                 "sys.stdout.buffer.write(c.compress(d)+c.flush())'"},
    {200000, PYZ "c=zlib.compressobj(6,zlib.DEFLATED,31,9,zlib.Z_HUFFMAN_ONLY); "
                 "sys.stdout.buffer.write(c.compress(d)+c.flush())'"},
    {200000, PYZ "c=zlib.compressobj(6,zlib.DEFLATED,31,9,zlib.Z_RLE); "
                 "sys.stdout.buffer.write(c.compress(d)+c.flush())'"},
    /* many small blocks of every kind: full flushes between pieces */
    {200000, PYZ "c=zlib.compressobj(6,zlib.DEFLATED,31); "
                 "o=b\"\".join(c.compress(d[i:i+999])+c.flush(zlib.Z_FULL_FLUSH) "
                 "for i in range(0,len(d),999)); sys.stdout.buffer.write(o+c.flush())'"},
};

static void run_roundtrip(void **state)
{
    const struct roundtrip_case *c = *state;
    uint8_t *data = gen_data(c->len), *out = malloc(c->len ? c->len : 1), *gz;
    size_t gz_len, out_len = 7;

    assert_non_null(out);
    gz = filter_tool(c->tool, data, c->len, &gz_len);
    assert_int_equal(decode(gz, gz_len, out, c->len, &out_len), 0);
    assert_int_equal(out_len, c->len);
    assert_memory_equal(out, data, c->len);
    if (c->len)
        assert_int_equal(decode(gz, gz_len, out, c->len - 1, &out_len), -ENOSPC);
    free(gz);
    free(out);
    free(data);
}

/* A member from gzip -n: 10-byte header, deflate data, 8-byte trailer. */
static uint8_t *sample(size_t len, uint8_t **data, size_t *gz_len)
{
    *data = gen_data(len);
    return filter_tool("gzip -6 -n -c", *data, len, gz_len);
}

static void test_header_fields(void **state)
{
    size_t len = 5000, gz_len, out_len, n;
    uint8_t *data, *gz = sample(len, &data, &gz_len), *x = malloc(gz_len + 64), *out = malloc(len);
    static const uint8_t extra[] = {6, 0, 'L', 'm', 2, 0, 1, 2};
    uint32_t crc;

    (void)state;
    assert_non_null(x);
    assert_non_null(out);
    /* FEXTRA, FNAME, FCOMMENT and FHCRC, in the RFC's order */
    memcpy(x, gz, 10);
    x[3] = 0x02 | 0x04 | 0x08 | 0x10;
    n = 10;
    memcpy(x + n, extra, sizeof(extra));
    n += sizeof(extra);
    memcpy(x + n, "vmlinux", 8);
    n += 8;
    memcpy(x + n, "a comment", 10);
    n += 10;
    crc = xz_crc32(x, n, 0);
    x[n++] = (uint8_t)crc;
    x[n++] = (uint8_t)(crc >> 8);
    memcpy(x + n, gz + 10, gz_len - 10);
    n += gz_len - 10;
    assert_int_equal(decode(x, n, out, len, &out_len), 0);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, data, len);
    /* header CRC16 wrong */
    x[10 + sizeof(extra) + 18] ^= 1;
    assert_int_equal(decode(x, n, out, len, &out_len), -EIO);
    /* name without its terminating NUL: runs to the end */
    assert_int_equal(decode(x, 10 + sizeof(extra) + 7, out, len, &out_len), -EINVAL);
    /* extra field longer than the input */
    x[10] = 0xff;
    x[11] = 0xff;
    assert_int_equal(decode(x, n, out, len, &out_len), -EINVAL);
    /* reserved flags; a method other than deflate; not gzip */
    memcpy(x, gz, gz_len);
    x[3] = 0x20;
    assert_int_equal(decode(x, gz_len, out, len, &out_len), -EOPNOTSUPP);
    x[3] = 0;
    x[2] = 7;
    assert_int_equal(decode(x, gz_len, out, len, &out_len), -EOPNOTSUPP);
    x[2] = 8;
    x[1] = 0x8c;
    assert_int_equal(decode(x, gz_len, out, len, &out_len), -EINVAL);
    free(out);
    free(x);
    free(gz);
    free(data);
}

static void test_damaged_members(void **state)
{
    size_t len = 20000, gz_len, out_len;
    uint8_t *data, *gz = sample(len, &data, &gz_len), *x = malloc(gz_len + 1);
    uint8_t *out = malloc(len);

    (void)state;
    assert_non_null(x);
    assert_non_null(out);
    for (size_t n = 0; n < gz_len; n++)
        if (decode(gz, n, out, len, &out_len) != -EINVAL)
            fail_msg("prefix of %zu bytes not refused with -EINVAL", n);
    memcpy(x, gz, gz_len);
    x[gz_len] = 0;
    assert_int_equal(decode(x, gz_len + 1, out, len, &out_len), -EINVAL); /* trailing byte */
    for (size_t off = gz_len - 8; off < gz_len - 4; off++) {
        memcpy(x, gz, gz_len);
        x[off] ^= 0x10;
        assert_int_equal(decode(x, gz_len, out, len, &out_len), -EIO); /* CRC32 */
    }
    for (size_t off = gz_len - 4; off < gz_len; off++) {
        memcpy(x, gz, gz_len);
        x[off] ^= 0x10;
        assert_int_equal(decode(x, gz_len, out, len, &out_len), -EINVAL); /* ISIZE */
    }
    for (size_t off = 10; off < gz_len - 8; off++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            int ret;

            memcpy(x, gz, gz_len);
            x[off] ^= (uint8_t)(1u << bit);
            ret = decode(x, gz_len, out, len, &out_len);
            /* a changed distance inside a run of one byte can give the same data */
            if (ret == 0 && out_len == len && memcmp(out, data, len) == 0)
                continue;
            if (ret != -EINVAL && ret != -EIO && ret != -ENOSPC)
                fail_msg("flip at %zu bit %u: %d", off, bit, ret);
        }
    }
    free(out);
    free(x);
    free(gz);
    free(data);
}

/* Hand-made deflate streams, written LSB first as the format wants. */
struct bit_writer {
    uint8_t buf[512];
    size_t bits;
};

static void put_bits(struct bit_writer *w, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, w->bits++)
        if (v >> i & 1)
            w->buf[w->bits / 8] |= (uint8_t)(1u << (w->bits % 8));
}

/* Huffman codes are sent most significant bit first. */
static void put_code(struct bit_writer *w, uint32_t code, unsigned n)
{
    for (unsigned i = n; i-- > 0;)
        put_bits(w, code >> i & 1, 1);
}

static int raw(const struct bit_writer *w, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t len = (w->bits + 7) / 8, used;
    uint8_t *copy = malloc(len ? len : 1);
    int ret;

    assert_non_null(copy);
    memcpy(copy, w->buf, len);
    ret = inflate_raw(copy, len, &used, out, cap, out_len);
    if (ret == 0)
        assert_int_equal(used, len);
    free(copy);
    return ret;
}

static void test_raw_deflate_rules(void **state)
{
    struct bit_writer w;
    uint8_t out[64];
    size_t n;

    (void)state;
    /* fixed block: 'a' (0x30 + 0x61, 8 bits), match len 3 dist 1, end */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_code(&w, 0x30 + 'a', 8);
    put_code(&w, 257 - 256, 7); /* length 3 */
    put_code(&w, 0, 5);         /* distance 1 */
    put_code(&w, 0, 7);         /* end of block */
    assert_int_equal(raw(&w, out, sizeof(out), &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "aaaa", 4);
    assert_int_equal(raw(&w, out, 3, &n), -ENOSPC);
    /* the same with distance 2: before the start of the output */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_code(&w, 0x30 + 'a', 8);
    put_code(&w, 1, 7);
    put_code(&w, 1, 5); /* distance 2 */
    put_code(&w, 0, 7);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* distance symbol 30 and length symbol 286 do not exist */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_code(&w, 0x30 + 'a', 8);
    put_code(&w, 1, 7);
    put_code(&w, 30, 5);
    put_code(&w, 0, 7);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_code(&w, 0xc0 + 286 - 280, 8);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* block type 3 */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 3, 2);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* stored block: good, then LEN and NLEN that disagree */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 0, 2);
    w.bits = 8;
    put_bits(&w, 2, 16);
    put_bits(&w, 0xfffd, 16);
    put_bits(&w, 'o' | 'k' << 8, 16);
    assert_int_equal(raw(&w, out, sizeof(out), &n), 0);
    assert_memory_equal(out, "ok", 2);
    w.buf[3] ^= 1;
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* stored block longer than the input */
    w.buf[3] ^= 1;
    w.bits -= 8;
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* dynamic block with HLIT = 287 + ... (30 -> 287 codes) */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 2, 2);
    put_bits(&w, 30, 5);
    put_bits(&w, 0, 5);
    put_bits(&w, 0, 4);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* dynamic block whose code length code is over-subscribed (all length 1) */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 2, 2);
    put_bits(&w, 0, 5);
    put_bits(&w, 0, 5);
    put_bits(&w, 15, 4);
    for (int i = 0; i < 19; i++)
        put_bits(&w, 1, 3);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* ... and incomplete (a single length-2 code) */
    memset(&w, 0, sizeof(w));
    put_bits(&w, 1, 1);
    put_bits(&w, 2, 2);
    put_bits(&w, 0, 5);
    put_bits(&w, 0, 5);
    put_bits(&w, 0, 4);
    put_bits(&w, 2, 3);
    put_bits(&w, 0, 9);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* an empty input and a lone non-final empty fixed block run out of data */
    memset(&w, 0, sizeof(w));
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    put_bits(&w, 0, 1);
    put_bits(&w, 1, 2);
    put_code(&w, 0, 7);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
}

/* The canonical code of symbol sym under the given code lengths (RFC 1951 3.2.2). */
static uint32_t canonical_code(const uint8_t *lengths, unsigned n, unsigned sym)
{
    uint32_t count[16] = {0}, next[16] = {0}, code = 0;

    for (unsigned i = 0; i < n; i++)
        count[lengths[i]]++;
    count[0] = 0;
    for (unsigned len = 1; len < 16; len++) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (unsigned i = 0; i < sym; i++)
        if (lengths[i] == lengths[sym])
            next[lengths[sym]]++;
    return next[lengths[sym]];
}

/*
 * A final dynamic block that sends the given code lengths and holds only
 * the end-of-block symbol. The code length code gives symbols 0..15 four
 * bits each (complete), or drops symbol 15 (incomplete) if asked.
 */
static void dynamic_block(struct bit_writer *w, const uint8_t *lit, unsigned nlit,
                          const uint8_t *dist, unsigned ndist, bool cl_incomplete)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t cl[19] = {0};

    memset(w, 0, sizeof(*w));
    for (unsigned i = 0; i < 16; i++)
        cl[i] = 4;
    if (cl_incomplete)
        cl[15] = 0;
    put_bits(w, 1, 1);
    put_bits(w, 2, 2);
    put_bits(w, nlit - 257, 5);
    put_bits(w, ndist - 1, 5);
    put_bits(w, 19 - 4, 4);
    for (unsigned i = 0; i < 19; i++)
        put_bits(w, cl[order[i]], 3);
    for (unsigned i = 0; i < nlit; i++)
        put_code(w, canonical_code(cl, 19, lit[i]), 4);
    for (unsigned i = 0; i < ndist; i++)
        put_code(w, canonical_code(cl, 19, dist[i]), 4);
    if (lit[256])
        put_code(w, canonical_code(lit, nlit, 256), lit[256]);
}

/* 225 + 62 (nlit 287) or 226 + 60 (nlit 286) codes of 8 and 9 bits: complete. */
static void complete_lengths(uint8_t *lit, unsigned nlit)
{
    unsigned eights = 512 - nlit;

    for (unsigned i = 0; i < nlit; i++)
        lit[i] = i < eights ? 8 : 9;
}

static void test_dynamic_code_rules(void **state)
{
    struct bit_writer w;
    uint8_t lit[288], dist[30], out[8];
    size_t n;

    (void)state;
    memset(dist, 0, sizeof(dist));
    dist[0] = 1; /* a single one-bit distance code: allowed although incomplete */
    complete_lengths(lit, 286);
    dynamic_block(&w, lit, 286, dist, 1, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), 0);
    assert_int_equal(n, 0);
    /* the same with the code length code missing symbol 15: incomplete */
    dynamic_block(&w, lit, 286, dist, 1, true);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* 287 literal/length codes: one more than the format has */
    complete_lengths(lit, 287);
    dynamic_block(&w, lit, 287, dist, 1, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* an incomplete literal/length code of many codes */
    memset(lit, 9, 286);
    dynamic_block(&w, lit, 286, dist, 1, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* over-subscribed: 257 codes of 8 bits */
    memset(lit, 0, sizeof(lit));
    memset(lit, 8, 257);
    dynamic_block(&w, lit, 257, dist, 1, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* no end-of-block code: 256 literals of 8 bits, symbol 256 unused */
    memset(lit, 8, 256);
    lit[256] = 0;
    dynamic_block(&w, lit, 257, dist, 1, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
    /* two distance codes of two bits: incomplete and more than one */
    complete_lengths(lit, 286);
    dist[0] = dist[1] = 2;
    dynamic_block(&w, lit, 286, dist, 2, false);
    assert_int_equal(raw(&w, out, sizeof(out), &n), -EINVAL);
}

int main(void)
{
    enum { NROUND = sizeof(roundtrips) / sizeof(roundtrips[0]) };
    static char names[NROUND][48];
    struct CMUnitTest tests[NROUND + 5];
    size_t n = 0;

    for (size_t i = 0; i < NROUND; i++) {
        snprintf(names[i], sizeof(names[i]), "roundtrip.%zu.%zu", i, roundtrips[i].len);
        tests[n++] =
            (struct CMUnitTest){names[i], run_roundtrip, NULL, NULL, (void *)&roundtrips[i]};
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_header_fields);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_damaged_members);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_raw_deflate_rules);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dynamic_code_rules);
    return _cmocka_run_group_tests("gunzip", tests, n, tool_tmpdir_setup, tool_tmpdir_teardown);
}
