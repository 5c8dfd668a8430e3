/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel payload decompression with the system libraries (zlib, liblzma, libzstd, libbz2).
 * The input is untrusted: output is capped at max_out, and a stream that ends early, has
 * trailing garbage the library rejects, or would exceed the cap is an error.
 */
#include "dombuild.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

const char *dombuild_compression_name(enum dombuild_compression c)
{
    switch (c) {
    case DOMBUILD_COMP_NONE:
        return "none";
    case DOMBUILD_COMP_GZIP:
        return "gzip";
    case DOMBUILD_COMP_XZ:
        return "xz";
    case DOMBUILD_COMP_LZMA:
        return "lzma";
    case DOMBUILD_COMP_ZSTD:
        return "zstd";
    case DOMBUILD_COMP_BZIP2:
        return "bzip2";
    default:
        return "unknown";
    }
}

enum dombuild_compression dombuild_detect_compression(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
        return DOMBUILD_COMP_GZIP;
    if (len >= 6 && !memcmp(p,
                            "\xfd"
                            "7zXZ\0",
                            6))
        return DOMBUILD_COMP_XZ;
    if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return DOMBUILD_COMP_ZSTD;
    if (len >= 3 && !memcmp(p, "BZh", 3))
        return DOMBUILD_COMP_BZIP2;
    /* The legacy .lzma header: properties byte (lc/lp/pb, < 225), then a dictionary size;
     * Linux's payloads start 5d 00 00. */
    if (len >= 13 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
        return DOMBUILD_COMP_LZMA;
    if (len >= 4 && !memcmp(p, "\x89LZO", 4))
        return DOMBUILD_COMP_UNKNOWN;
    if (len >= 4 && !memcmp(p, "\x02\x21\x4c\x18", 4)) /* lz4 legacy */
        return DOMBUILD_COMP_UNKNOWN;
    return DOMBUILD_COMP_NONE;
}

/* A growing output buffer with a hard cap. */
struct outbuf {
    uint8_t *p;
    size_t len, cap, max;
};

/* Room for at least one more byte; -EFBIG at the cap. */
static int grow(struct outbuf *o)
{
    if (o->len < o->cap)
        return 0;
    if (o->cap >= o->max)
        return -EFBIG;
    size_t cap = o->cap ? o->cap * 2 : (1u << 20);
    if (cap > o->max)
        cap = o->max;
    uint8_t *p = realloc(o->p, cap);
    if (!p)
        return -ENOMEM;
    o->p = p;
    o->cap = cap;
    return 0;
}

static int gunzip(const uint8_t *in, size_t len, struct outbuf *o)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) /* gzip wrapper only */
        return -ENOMEM;
    int rc = 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    size_t left = len;
    for (;;) {
        if ((rc = grow(o)))
            break;
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        z.avail_in = chunk;
        z.next_out = o->p + o->len;
        size_t room = o->cap - o->len;
        z.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        uInt before_out = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        left -= chunk - z.avail_in;
        o->len += before_out - z.avail_out;
        if (zr == Z_STREAM_END)
            break; /* Linux appends the uncompressed size after the stream: ignore it */
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && z.avail_out == 0)
            continue;
        rc = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
        break;
    }
    inflateEnd(&z);
    return rc;
}

static int unxz(const uint8_t *in, size_t len, struct outbuf *o, bool legacy)
{
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret lr =
        legacy ? lzma_alone_decoder(&s, 1ull << 30) : lzma_stream_decoder(&s, 1ull << 30, 0);
    if (lr != LZMA_OK)
        return -ENOMEM;
    s.next_in = in;
    s.avail_in = len;
    int rc = 0;
    for (;;) {
        if ((rc = grow(o)))
            break;
        s.next_out = o->p + o->len;
        s.avail_out = o->cap - o->len;
        size_t before = s.avail_out;
        lr = lzma_code(&s, LZMA_FINISH);
        o->len += before - s.avail_out;
        if (lr == LZMA_STREAM_END)
            break;
        if (lr == LZMA_OK || (lr == LZMA_BUF_ERROR && s.avail_out == 0))
            continue;
        rc = lr == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
        break;
    }
    lzma_end(&s);
    return rc;
}

static int unzstd(const uint8_t *in, size_t len, struct outbuf *o)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z)
        return -ENOMEM;
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 27);
    ZSTD_inBuffer ib = {in, len, 0};
    int rc = 0;
    size_t last;
    for (;;) {
        if ((rc = grow(o)))
            break;
        ZSTD_outBuffer ob = {o->p + o->len, o->cap - o->len, 0};
        size_t before_in = ib.pos;
        last = ZSTD_decompressStream(z, &ob, &ib);
        o->len += ob.pos;
        if (ZSTD_isError(last)) {
            rc = -EINVAL;
            break;
        }
        if (last == 0)
            break; /* one frame; Linux appends the uncompressed size after it */
        if (ob.pos == 0 && ib.pos == before_in && o->len < o->cap) {
            rc = -EINVAL; /* no progress with room left: truncated */
            break;
        }
    }
    ZSTD_freeDStream(z);
    return rc;
}

static int bunzip2(const uint8_t *in, size_t len, struct outbuf *o)
{
    bz_stream b;
    memset(&b, 0, sizeof(b));
    if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
        return -ENOMEM;
    b.next_in = (char *)(uintptr_t)in;
    size_t left = len;
    int rc = 0;
    for (;;) {
        if ((rc = grow(o)))
            break;
        unsigned int chunk = left > (1u << 30) ? (1u << 30) : (unsigned int)left;
        b.avail_in = chunk;
        b.next_out = (char *)o->p + o->len;
        size_t room = o->cap - o->len;
        b.avail_out = room > (1u << 30) ? (1u << 30) : (unsigned int)room;
        unsigned int before_out = b.avail_out;
        int br = BZ2_bzDecompress(&b);
        left -= chunk - b.avail_in;
        o->len += before_out - b.avail_out;
        if (br == BZ_STREAM_END)
            break;
        if (br == BZ_OK && (b.avail_out == 0 || left > 0))
            continue;
        rc = br == BZ_MEM_ERROR ? -ENOMEM : -EINVAL; /* BZ_OK with input used up: truncated */
        break;
    }
    BZ2_bzDecompressEnd(&b);
    return rc;
}

int dombuild_decompress(enum dombuild_compression c, const void *in, size_t len, size_t max_out,
                        uint8_t **out, size_t *out_len)
{
    struct outbuf o = {.max = max_out};
    int rc;
    switch (c) {
    case DOMBUILD_COMP_GZIP:
        rc = gunzip(in, len, &o);
        break;
    case DOMBUILD_COMP_XZ:
        rc = unxz(in, len, &o, false);
        break;
    case DOMBUILD_COMP_LZMA:
        rc = unxz(in, len, &o, true);
        break;
    case DOMBUILD_COMP_ZSTD:
        rc = unzstd(in, len, &o);
        break;
    case DOMBUILD_COMP_BZIP2:
        rc = bunzip2(in, len, &o);
        break;
    default:
        return -EOPNOTSUPP;
    }
    if (rc) {
        free(o.p);
        return rc;
    }
    *out = o.p;
    *out_len = o.len;
    return 0;
}
