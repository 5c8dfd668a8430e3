/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gzip member and deflate decoding into a flat output buffer.
 *
 * Deflate (RFC 1951) is a sequence of blocks: stored, or Huffman coded
 * with the fixed code or with codes sent in the block header. Codes are
 * canonical, so a code is fully described by its bit lengths: decoding
 * walks the lengths in order (the RFC's construction). For speed, codes of
 * up to FAST_BITS bits are also resolved by one lookup in a table indexed
 * by the next FAST_BITS input bits; longer ones take the canonical walk.
 *
 * The bit reader keeps a 64-bit buffer topped up once per symbol (one
 * symbol with its extra bits and distance needs at most 48 bits). Past
 * the end of the input it reads zeros but keeps counting, and both the
 * block loop and the end check refuse a stream that used bytes it does
 * not have.
 *
 * Validity rules are zlib's: code length codes must form a complete
 * prefix code; the literal/length and distance codes may be incomplete
 * only when they hold a single code of length 1; HLIT <= 286, HDIST <= 30;
 * symbol 256 must have a code; length symbols 286-287 and distance
 * symbols 30-31 are invalid; a distance may not reach before the start.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/errcodes.h>
#include <hv/gunzip.h>
#include <hv/lib.h>
#include <hv/xz.h> /* xz_crc32: the same CRC-32 */

#define MAX_BITS     15
#define FAST_BITS    9
#define MAX_LITLEN   288
#define MAX_DIST     30
#define FIXED_LITLEN 288
#define FIXED_DIST   30

struct bit_reader {
    const uint8_t *in;
    size_t len;
    size_t pos; /* next byte to load; may pass len (zeros are loaded) */
    uint64_t buf;
    unsigned cnt; /* valid bits in buf */
};

struct huffman {
    int16_t count[MAX_BITS + 1];    /* codes of each length; count[0]: unused symbols */
    uint16_t symbol[MAX_LITLEN];    /* symbols by code length, then by value */
    uint16_t fast[1u << FAST_BITS]; /* length << 9 | symbol, 0 for longer codes */
};

static inline void br_refill(struct bit_reader *br)
{
    while (br->cnt <= 56) {
        uint64_t byte = br->pos < br->len ? br->in[br->pos] : 0;

        br->buf |= byte << br->cnt;
        br->pos++;
        br->cnt += 8;
    }
}

/* n <= 32 bits; the caller refilled enough. */
static inline uint32_t br_take(struct bit_reader *br, unsigned n)
{
    uint32_t v = (uint32_t)(br->buf & ((1ull << n) - 1));

    br->buf >>= n;
    br->cnt -= n;
    return v;
}

/* Input bytes consumed so far, counting a partly used byte. */
static inline size_t br_used(const struct bit_reader *br)
{
    return br->pos - br->cnt / 8;
}

static inline bool br_overrun(const struct bit_reader *br)
{
    return br_used(br) > br->len;
}

/*
 * Build the decoding tables from n code lengths. Returns 0 for a complete
 * code (or no codes at all), > 0 for an incomplete one, < 0 if the lengths
 * over-subscribe the code space.
 */
static int huffman_build(struct huffman *h, const uint8_t *lengths, unsigned n)
{
    int16_t offs[MAX_BITS + 2];
    int left = 1;
    unsigned code = 0, idx = 0;

    memset(h->count, 0, sizeof(h->count));
    memset(h->fast, 0, sizeof(h->fast));
    for (unsigned i = 0; i < n; i++)
        h->count[lengths[i]]++;
    if ((unsigned)h->count[0] == n)
        return 0;
    for (unsigned len = 1; len <= MAX_BITS; len++) {
        left <<= 1;
        left -= h->count[len];
        if (left < 0)
            return -1;
    }
    offs[1] = 0;
    for (unsigned len = 1; len < MAX_BITS; len++)
        offs[len + 1] = (int16_t)(offs[len] + h->count[len]);
    for (unsigned sym = 0; sym < n; sym++)
        if (lengths[sym])
            h->symbol[offs[lengths[sym]]++] = (uint16_t)sym;

    /* Canonical codes in order; the input holds them bit-reversed. */
    for (unsigned len = 1; len <= FAST_BITS; len++) {
        for (int j = 0; j < h->count[len]; j++, code++, idx++) {
            unsigned rev = 0;

            for (unsigned b = 0; b < len; b++)
                rev |= ((code >> b) & 1u) << (len - 1 - b);
            for (unsigned k = rev; k < (1u << FAST_BITS); k += 1u << len)
                h->fast[k] = (uint16_t)(len << 9 | h->symbol[idx]);
        }
        code <<= 1;
    }
    return left;
}

/* Next symbol, or -1 for a bit pattern with no code. Needs 15 bits buffered. */
static inline int huffman_decode(struct bit_reader *br, const struct huffman *h)
{
    uint16_t e = h->fast[br->buf & ((1u << FAST_BITS) - 1)];
    int code = 0, first = 0, index = 0;

    if (e) {
        br_take(br, e >> 9);
        return e & 0x1ff;
    }
    for (unsigned len = 1; len <= MAX_BITS; len++) {
        int count = h->count[len];

        code |= (int)br_take(br, 1);
        if (code - count < first)
            return h->symbol[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

struct inflate_out {
    uint8_t *buf;
    size_t pos;
    size_t cap;
};

static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static int inflate_codes(struct bit_reader *br, struct inflate_out *o, const struct huffman *lit,
                         const struct huffman *dist)
{
    for (;;) {
        int sym;
        uint32_t len, d;

        br_refill(br);
        sym = huffman_decode(br, lit);
        /* Bits from past the end decide nothing: not even -ENOSPC. */
        if (sym < 0 || br_overrun(br))
            return -EINVAL;
        if (sym < 256) {
            if (o->pos >= o->cap)
                return -ENOSPC;
            o->buf[o->pos++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return -EINVAL;
        len = len_base[sym] + br_take(br, len_extra[sym]);
        sym = huffman_decode(br, dist);
        if (sym < 0 || sym >= 30)
            return -EINVAL;
        d = dist_base[sym] + br_take(br, dist_extra[sym]);
        if (d > o->pos || br_overrun(br))
            return -EINVAL;
        if (len > o->cap - o->pos)
            return -ENOSPC;
        for (uint32_t i = 0; i < len; i++, o->pos++)
            o->buf[o->pos] = o->buf[o->pos - d]; /* may overlap: runs repeat */
    }
}

static int inflate_stored(struct bit_reader *br, struct inflate_out *o)
{
    size_t at;
    uint32_t len, nlen;

    /* Back to a byte boundary, then read from the input directly. */
    br_take(br, br->cnt % 8);
    at = br_used(br);
    br->buf = 0;
    br->cnt = 0;
    if (at > br->len || br->len - at < 4)
        return -EINVAL;
    len = (uint32_t)br->in[at] | (uint32_t)br->in[at + 1] << 8;
    nlen = (uint32_t)br->in[at + 2] | (uint32_t)br->in[at + 3] << 8;
    at += 4;
    if (len != (~nlen & 0xffffu) || len > br->len - at)
        return -EINVAL;
    if (len > o->cap - o->pos)
        return -ENOSPC;
    memcpy(o->buf + o->pos, br->in + at, len);
    o->pos += len;
    br->pos = at + len;
    return 0;
}

static int inflate_fixed(struct bit_reader *br, struct inflate_out *o)
{
    struct huffman lit, dist;
    uint8_t lengths[FIXED_LITLEN];
    unsigned i = 0;

    for (; i < 144; i++)
        lengths[i] = 8;
    for (; i < 256; i++)
        lengths[i] = 9;
    for (; i < 280; i++)
        lengths[i] = 7;
    for (; i < FIXED_LITLEN; i++)
        lengths[i] = 8;
    huffman_build(&lit, lengths, FIXED_LITLEN);
    for (i = 0; i < FIXED_DIST; i++)
        lengths[i] = 5;
    huffman_build(&dist, lengths, FIXED_DIST);
    return inflate_codes(br, o, &lit, &dist);
}

/* A code that may be incomplete only as a single one-bit code. */
static bool code_ok(int built, const struct huffman *h, unsigned n)
{
    return built == 0 || (built > 0 && (unsigned)(h->count[0] + h->count[1]) == n);
}

static int inflate_dynamic(struct bit_reader *br, struct inflate_out *o)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    struct huffman lit, dist;
    uint8_t lengths[MAX_LITLEN + MAX_DIST];
    unsigned nlen, ndist, ncode, index = 0;

    br_refill(br);
    nlen = br_take(br, 5) + 257;
    ndist = br_take(br, 5) + 1;
    ncode = br_take(br, 4) + 4;
    if (nlen > 286 || ndist > 30)
        return -EINVAL;
    memset(lengths, 0, 19);
    br_refill(br);
    for (unsigned i = 0; i < ncode; i++)
        lengths[order[i]] = (uint8_t)br_take(br, 3);
    if (huffman_build(&lit, lengths, 19) != 0)
        return -EINVAL; /* the code length code must be complete */

    while (index < nlen + ndist) {
        int sym;
        unsigned repeat;
        uint8_t len = 0;

        if (br_overrun(br))
            return -EINVAL;
        br_refill(br);
        sym = huffman_decode(br, &lit);
        if (sym < 0)
            return -EINVAL;
        if (sym < 16) {
            lengths[index++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (index == 0)
                return -EINVAL;
            len = lengths[index - 1];
            repeat = 3 + br_take(br, 2);
        } else if (sym == 17) {
            repeat = 3 + br_take(br, 3);
        } else {
            repeat = 11 + br_take(br, 7);
        }
        if (repeat > nlen + ndist - index)
            return -EINVAL;
        while (repeat--)
            lengths[index++] = len;
    }
    if (lengths[256] == 0)
        return -EINVAL; /* no end-of-block code */
    if (!code_ok(huffman_build(&lit, lengths, nlen), &lit, nlen))
        return -EINVAL;
    if (!code_ok(huffman_build(&dist, lengths + nlen, ndist), &dist, ndist))
        return -EINVAL;
    return inflate_codes(br, o, &lit, &dist);
}

int inflate_raw(const void *in, size_t in_len, size_t *in_used, void *out, size_t out_cap,
                size_t *out_len)
{
    struct bit_reader br = {in, in_len, 0, 0, 0};
    struct inflate_out o = {out, 0, out_cap};
    bool last;

    *out_len = 0;
    do {
        uint32_t type;
        int ret;

        if (br_overrun(&br))
            return -EINVAL;
        br_refill(&br);
        last = br_take(&br, 1);
        type = br_take(&br, 2);
        if (type == 0)
            ret = inflate_stored(&br, &o);
        else if (type == 1)
            ret = inflate_fixed(&br, &o);
        else if (type == 2)
            ret = inflate_dynamic(&br, &o);
        else
            ret = -EINVAL;
        if (ret)
            return ret;
    } while (!last);
    if (br_overrun(&br))
        return -EINVAL;
    *in_used = br_used(&br);
    *out_len = o.pos;
    return 0;
}

#define GZ_FHCRC    0x02
#define GZ_FEXTRA   0x04
#define GZ_FNAME    0x08
#define GZ_FCOMMENT 0x10
#define GZ_RESERVED 0xe0

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Skip a NUL-terminated field (file name, comment). */
static int skip_string(const uint8_t *p, size_t len, size_t *pos)
{
    while (*pos < len && p[*pos] != 0)
        (*pos)++;
    if (*pos >= len)
        return -EINVAL;
    (*pos)++;
    return 0;
}

int gunzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
    const uint8_t *p = in;
    size_t pos = 10, used, n;
    uint8_t flags;
    int ret;

    *out_len = 0;
    if (in_len < 18 || p[0] != 0x1f || p[1] != 0x8b)
        return -EINVAL;
    if (p[2] != 8)
        return -EOPNOTSUPP; /* only deflate is defined */
    flags = p[3];
    if (flags & GZ_RESERVED)
        return -EOPNOTSUPP;
    if (flags & GZ_FEXTRA) {
        if (in_len - pos < 2)
            return -EINVAL;
        size_t xlen = (size_t)p[pos] | (size_t)p[pos + 1] << 8;
        pos += 2;
        if (xlen > in_len - pos)
            return -EINVAL;
        pos += xlen;
    }
    if ((flags & GZ_FNAME) && skip_string(p, in_len, &pos))
        return -EINVAL;
    if ((flags & GZ_FCOMMENT) && skip_string(p, in_len, &pos))
        return -EINVAL;
    if (flags & GZ_FHCRC) {
        if (in_len - pos < 2)
            return -EINVAL;
        if ((xz_crc32(p, pos, 0) & 0xffffu) != ((uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8))
            return -EIO;
        pos += 2;
    }
    if (in_len - pos < 8)
        return -EINVAL;
    ret = inflate_raw(p + pos, in_len - pos - 8, &used, out, out_cap, &n);
    if (ret)
        return ret;
    pos += used;
    if (in_len - pos != 8)
        return -EINVAL; /* the trailer must end the input */
    if (xz_crc32(out, n, 0) != le32(p + pos))
        return -EIO;
    if (le32(p + pos + 4) != (uint32_t)n)
        return -EINVAL;
    *out_len = n;
    return 0;
}
