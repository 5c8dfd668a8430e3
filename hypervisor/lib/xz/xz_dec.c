/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The .xz container around the LZMA2 data (xz-file-format 1.1.0):
 *
 *   stream  = header(12) block* index footer(12), then zero padding in
 *             multiples of four bytes before the next stream or the end
 *   header  = FD '7zXZ' 00, flags(2: 00, check type), CRC32 of the flags
 *   block   = header((byte0 + 1) * 4, CRC32 at its end), compressed data,
 *             zero padding to a multiple of four, check of the output
 *   index   = 00, count, (unpadded size, uncompressed size) per block,
 *             zero padding, CRC32
 *   footer  = CRC32, backward size (index size / 4 - 1), flags, 'YZ'
 *
 * Integers in block headers and the index are little-endian base-128
 * varints of at most nine bytes, with no redundant trailing zero byte.
 *
 * The index is checked against the blocks without storing a list: both
 * sides fold their (unpadded size, uncompressed size) pairs into a CRC64
 * and a count, as liblzma does with its index hash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/spinlock.h>
#include <hv/xz.h>

#define HEADER_SIZE     12
#define FOOTER_SIZE     12
#define VLI_MAX_BYTES   9
#define FILTER_X86      0x04
#define FILTER_LZMA2    0x21
#define MAX_FILTERS     4
#define CHECK_NONE      0
#define CHECK_CRC32     1
#define CHECK_CRC64     4
#define CHECK_SHA256    10
#define CHECK_TYPE_MASK 0x0f

static const uint8_t header_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const uint8_t footer_magic[2] = {'Y', 'Z'};

struct cursor {
    const uint8_t *buf;
    size_t pos;
    size_t end;
};

/* What the blocks of a stream add up to, and what the index must match. */
struct index_sum {
    uint64_t count;
    uint64_t digest;
};

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_vli(struct cursor *c, uint64_t *out)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < VLI_MAX_BYTES; i++) {
        uint8_t b;

        if (c->pos >= c->end)
            return -EINVAL;
        b = c->buf[c->pos++];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i != 0)
                return -EINVAL; /* not the shortest encoding */
            *out = v;
            return 0;
        }
    }
    return -EINVAL;
}

/* Bytes of the check field for each check type (the spec's table). */
static size_t check_size(unsigned type)
{
    static const uint8_t sizes[16] = {0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64};

    return sizes[type & CHECK_TYPE_MASK];
}

static int verify_check(const struct xz_workspace *ws, unsigned type, const uint8_t *data,
                        size_t len, const uint8_t *field)
{
    switch (type) {
    case CHECK_NONE:
        return 0;
    case CHECK_CRC32:
        return xz_crc32_sliced(ws->crc32_slices, data, len, 0) == get_le32(field) ? 0 : -EIO;
    case CHECK_CRC64: {
        uint64_t want = (uint64_t)get_le32(field) | (uint64_t)get_le32(field + 4) << 32;

        return xz_crc64(data, len, 0) == want ? 0 : -EIO;
    }
    case CHECK_SHA256:
        return 0; /* present but not verified: see xz.h */
    default:
        return -EOPNOTSUPP;
    }
}

static void index_sum_add(struct index_sum *s, uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];

    for (unsigned i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    s->count++;
    s->digest = xz_crc64(rec, sizeof(rec), s->digest);
}

/* The filter chain of one block, as far as we support it. */
struct block_filters {
    uint32_t dict_size;
    bool x86;
    uint32_t x86_start;
};

static int parse_filters(struct cursor *c, unsigned count, struct block_filters *f)
{
    f->x86 = false;
    f->x86_start = 0;
    for (unsigned i = 0; i < count; i++) {
        bool last = i + 1 == count;
        uint64_t id, props_len;
        int ret;

        ret = read_vli(c, &id);
        if (!ret)
            ret = read_vli(c, &props_len);
        if (ret)
            return ret;
        if (props_len > c->end - c->pos)
            return -EINVAL;
        if (id == FILTER_LZMA2) {
            int64_t dict;

            if (!last)
                return -EINVAL; /* LZMA2 cannot feed another filter */
            if (props_len != 1)
                return -EINVAL;
            if (c->buf[c->pos] & 0xc0)
                return -EOPNOTSUPP;
            dict = xz_lzma2_dict_size(c->buf[c->pos]);
            if (dict < 0)
                return -EINVAL;
            f->dict_size = (uint32_t)dict;
        } else if (id == FILTER_X86) {
            if (last)
                return -EINVAL; /* a BCJ filter cannot be the last one */
            if (f->x86)
                return -EOPNOTSUPP;
            if (props_len == 4)
                f->x86_start = get_le32(c->buf + c->pos);
            else if (props_len != 0)
                return -EINVAL;
            f->x86 = true;
        } else {
            return -EOPNOTSUPP;
        }
        c->pos += props_len;
    }
    return 0;
}

/* Sizes read from a block header; UINT64_MAX when absent. */
struct block_sizes {
    uint64_t compressed;
    uint64_t uncompressed;
};

static int parse_block_header(const uint8_t *in, size_t avail, size_t *hdr_len,
                              struct block_filters *f, struct block_sizes *sz)
{
    struct cursor c;
    size_t len = ((size_t)in[0] + 1) * 4;
    uint8_t flags;
    int ret;

    if (len > avail)
        return -EINVAL;
    if (xz_crc32(in, len - 4, 0) != get_le32(in + len - 4))
        return -EIO;
    flags = in[1];
    if (flags & 0x3c)
        return -EOPNOTSUPP;
    c.buf = in;
    c.pos = 2;
    c.end = len - 4;
    sz->compressed = sz->uncompressed = UINT64_MAX;
    if (flags & 0x40) {
        ret = read_vli(&c, &sz->compressed);
        if (ret)
            return ret;
        if (sz->compressed == 0)
            return -EINVAL;
    }
    if (flags & 0x80) {
        ret = read_vli(&c, &sz->uncompressed);
        if (ret)
            return ret;
    }
    ret = parse_filters(&c, (flags & 3) + 1u, f);
    if (ret)
        return ret;
    for (; c.pos < c.end; c.pos++)
        if (c.buf[c.pos] != 0)
            return -EINVAL; /* header padding must be zero */
    *hdr_len = len;
    return 0;
}

struct stream_out {
    uint8_t *buf;
    size_t pos;
    size_t cap;
};

static int decode_block(struct xz_workspace *ws, struct cursor *in, struct stream_out *out,
                        unsigned check, struct index_sum *sum)
{
    const uint8_t *start = in->buf + in->pos;
    size_t avail = in->end - in->pos, hdr_len, data_avail, used, limit;
    size_t out_start = out->pos, produced, unpadded, csize;
    struct block_filters f;
    struct block_sizes sz;
    bool declared_fits;
    int ret;

    ret = parse_block_header(start, avail, &hdr_len, &f, &sz);
    if (ret)
        return ret;
    data_avail = avail - hdr_len;
    if (sz.compressed != UINT64_MAX) {
        if (sz.compressed > data_avail)
            return -EINVAL;
        data_avail = (size_t)sz.compressed;
    }
    /* A declared size that fits lets overlong data fail as malformed. */
    declared_fits = sz.uncompressed != UINT64_MAX && sz.uncompressed <= out->cap - out->pos;
    limit = declared_fits ? out->pos + (size_t)sz.uncompressed : out->cap;
    ret = xz_lzma2_decode(ws, f.dict_size, start + hdr_len, data_avail, &used, out->buf, &out->pos,
                          limit);
    if (ret == -ENOSPC && declared_fits)
        ret = -EINVAL;
    if (ret)
        return ret;
    produced = out->pos - out_start;
    if (sz.compressed != UINT64_MAX && used != sz.compressed)
        return -EINVAL;
    if (sz.uncompressed != UINT64_MAX && produced != sz.uncompressed)
        return -EINVAL;
    if (f.x86)
        xz_bcj_x86_decode(out->buf + out_start, produced, f.x86_start);

    csize = hdr_len + used;
    unpadded = csize + check_size(check);
    while (csize % 4) {
        if (csize >= avail || start[csize] != 0)
            return -EINVAL;
        csize++;
    }
    if (check_size(check) > avail - csize)
        return -EINVAL;
    ret = verify_check(ws, check, out->buf + out_start, produced, start + csize);
    if (ret)
        return ret;
    in->pos += csize + check_size(check);
    index_sum_add(sum, unpadded, produced);
    return 0;
}

/* The index at in->pos; returns its size through *size. */
static int decode_index(struct cursor *in, const struct index_sum *blocks, size_t *size)
{
    struct cursor c = *in;
    struct index_sum seen = {0, 0};
    uint64_t count;
    size_t len;
    int ret;

    c.pos++; /* the 0x00 index indicator */
    ret = read_vli(&c, &count);
    if (ret)
        return ret;
    /* Parse everything, check the CRC, and only then compare the values. */
    for (uint64_t i = 0; i < count; i++) {
        uint64_t unpadded, uncompressed;

        ret = read_vli(&c, &unpadded);
        if (!ret)
            ret = read_vli(&c, &uncompressed);
        if (ret)
            return ret;
        index_sum_add(&seen, unpadded, uncompressed);
    }
    while ((c.pos - in->pos) % 4) {
        if (c.pos >= c.end || c.buf[c.pos] != 0)
            return -EINVAL;
        c.pos++;
    }
    len = c.pos - in->pos;
    if (c.end - c.pos < 4)
        return -EINVAL;
    if (xz_crc32(in->buf + in->pos, len, 0) != get_le32(c.buf + c.pos))
        return -EIO;
    if (count != blocks->count || seen.digest != blocks->digest)
        return -EINVAL;
    *size = len + 4;
    in->pos = c.pos + 4;
    return 0;
}

static int decode_stream_header(struct cursor *in, uint8_t flags[2])
{
    const uint8_t *h = in->buf + in->pos;

    if (in->end - in->pos < HEADER_SIZE || memcmp(h, header_magic, sizeof(header_magic)) != 0)
        return -EINVAL;
    if (xz_crc32(h + 6, 2, 0) != get_le32(h + 8))
        return -EIO;
    if (h[6] != 0 || (h[7] & ~CHECK_TYPE_MASK) != 0)
        return -EOPNOTSUPP;
    flags[0] = h[6];
    flags[1] = h[7];
    in->pos += HEADER_SIZE;
    return 0;
}

static int decode_stream_footer(struct cursor *in, const uint8_t flags[2], size_t index_size)
{
    const uint8_t *f = in->buf + in->pos;

    if (in->end - in->pos < FOOTER_SIZE || memcmp(f + 10, footer_magic, 2) != 0)
        return -EINVAL;
    if (xz_crc32(f + 4, 6, 0) != get_le32(f))
        return -EIO;
    if (((uint64_t)get_le32(f + 4) + 1) * 4 != index_size)
        return -EINVAL;
    if (f[8] != flags[0] || f[9] != flags[1])
        return -EINVAL;
    in->pos += FOOTER_SIZE;
    return 0;
}

static int decode_stream(struct xz_workspace *ws, struct cursor *in, struct stream_out *out)
{
    struct index_sum sum = {0, 0};
    uint8_t flags[2];
    size_t index_size;
    unsigned check;
    int ret;

    ret = decode_stream_header(in, flags);
    if (ret)
        return ret;
    check = flags[1];
    if (check != CHECK_NONE && check != CHECK_CRC32 && check != CHECK_CRC64 &&
        check != CHECK_SHA256)
        return -EOPNOTSUPP;
    for (;;) {
        if (in->pos >= in->end)
            return -EINVAL;
        if (in->buf[in->pos] == 0x00)
            break; /* index indicator */
        ret = decode_block(ws, in, out, check, &sum);
        if (ret)
            return ret;
    }
    ret = decode_index(in, &sum, &index_size);
    if (ret)
        return ret;
    return decode_stream_footer(in, flags, index_size);
}

int xz_decompress_ws(struct xz_workspace *ws, const void *in, size_t in_len, void *out,
                     size_t out_cap, size_t *out_len)
{
    struct cursor c = {in, 0, in_len};
    struct stream_out o = {out, 0, out_cap};

    *out_len = 0;
    xz_crc32_slices_init(ws->crc32_slices);
    do {
        size_t pad_start;
        int ret = decode_stream(ws, &c, &o);

        if (ret)
            return ret;
        pad_start = c.pos;
        while (c.pos < c.end && c.buf[c.pos] == 0)
            c.pos++;
        if ((c.pos - pad_start) % 4)
            return -EINVAL;
    } while (c.pos < c.end);
    *out_len = o.pos;
    return 0;
}

/* One decoder at a time: the workspace is too big for a hypervisor stack. shared_ws_lock
 * covers shared_ws. */
static struct xz_workspace shared_ws;
static spinlock_t shared_ws_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_XZ);

int xz_decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
    int ret;

    spin_lock(&shared_ws_lock);
    ret = xz_decompress_ws(&shared_ws, in, in_len, out, out_cap, out_len);
    spin_unlock(&shared_ws_lock);
    return ret;
}
