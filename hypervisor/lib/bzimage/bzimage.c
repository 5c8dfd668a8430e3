/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bzImage payload location and decompression; see bzimage.h for the format.
 * The image is untrusted: every offset is checked against len before use,
 * in 64-bit arithmetic so that no sum can wrap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/bzimage.h>
#include <hv/errcodes.h>
#include <hv/gunzip.h>
#include <hv/lib.h>
#include <hv/xz.h>

#define SETUP_SECTS      0x1f1
#define BOOT_FLAG        0x1fe
#define HEADER_MAGIC     0x202
#define PROTOCOL_VERSION 0x206
#define PAYLOAD_OFFSET   0x248
#define PAYLOAD_LENGTH   0x24c
#define SETUP_HEADER_END 0x250 /* through payload_length */
#define SECTOR_SIZE      512
#define PROTOCOL_PAYLOAD 0x0208 /* first version with payload_offset/length */
#define SIZE_TRAILER     4

static inline uint32_t get_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t get_le32(const uint8_t *p)
{
    return get_le16(p) | get_le16(p + 2) << 16;
}

bool bzimage_probe(const void *img, size_t len)
{
    const uint8_t *p = img;

    return len >= SETUP_HEADER_END && get_le16(p + BOOT_FLAG) == 0xaa55 &&
           memcmp(p + HEADER_MAGIC, "HdrS", 4) == 0;
}

int bzimage_payload(const void *img, size_t len, const void **payload, size_t *payload_len)
{
    const uint8_t *p = img;
    uint64_t start, off, plen;
    unsigned sects;

    if (!bzimage_probe(img, len))
        return -EINVAL;
    if (get_le16(p + PROTOCOL_VERSION) < PROTOCOL_PAYLOAD)
        return -ENOEXEC;
    sects = p[SETUP_SECTS] ? p[SETUP_SECTS] : 4;
    start = ((uint64_t)sects + 1) * SECTOR_SIZE;
    off = get_le32(p + PAYLOAD_OFFSET);
    plen = get_le32(p + PAYLOAD_LENGTH);
    if (plen == 0 || start + off > len || plen > len - (start + off))
        return -EOVERFLOW;
    *payload = p + start + off;
    *payload_len = (size_t)plen;
    return 0;
}

int bzimage_uncompressed_size(const void *payload, size_t len, size_t *out)
{
    if (len < SIZE_TRAILER)
        return -EINVAL;
    *out = get_le32((const uint8_t *)payload + len - SIZE_TRAILER);
    return 0;
}

int bzimage_output_size(const void *img, size_t len, size_t *size)
{
    const void *payload;
    size_t plen;
    int ret = bzimage_payload(img, len, &payload, &plen);

    if (ret)
        return ret;
    return bzimage_uncompressed_size(payload, plen, size);
}

/* Compressors Linux can build its payload with, by their leading bytes. */
static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const uint8_t gzip_magic[2] = {0x1f, 0x8b};
static const struct {
    uint8_t len;
    uint8_t bytes[4];
} other_magic[] = {
    {4, {0x28, 0xb5, 0x2f, 0xfd}}, /* zstd */
    {3, {'B', 'Z', 'h'}},          /* bzip2 */
    {3, {0x5d, 0x00, 0x00}},       /* lzma (alone) */
    {4, {0x89, 'L', 'Z', 'O'}},    /* lzop */
    {4, {0x02, 0x21, 0x4c, 0x18}}, /* lz4 legacy */
};

static bool payload_is(const void *p, size_t len, const uint8_t *magic, size_t n)
{
    return len >= n && memcmp(p, magic, n) == 0;
}

static bool payload_is_other(const void *p, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(other_magic); i++)
        if (payload_is(p, len, other_magic[i].bytes, other_magic[i].len))
            return true;
    return false;
}

int bzimage_decompress(const void *img, size_t len, void *out, size_t out_cap, size_t *out_len)
{
    const void *payload;
    size_t plen, declared;
    bool xz, gz;
    int ret;

    *out_len = 0;
    ret = bzimage_payload(img, len, &payload, &plen);
    if (ret)
        return ret;
    xz = payload_is(payload, plen, xz_magic, sizeof(xz_magic));
    gz = payload_is(payload, plen, gzip_magic, sizeof(gzip_magic));
    if (!xz && !gz)
        return payload_is_other(payload, plen) ? -EOPNOTSUPP : -EINVAL;
    ret = bzimage_uncompressed_size(payload, plen, &declared);
    if (ret)
        return ret;
    if (declared > out_cap)
        return -ENOSPC;
    /* Linux appends the size to xz data; gzip's own trailer ends with it. */
    if (xz)
        ret = xz_decompress(payload, plen - SIZE_TRAILER, out, out_cap, out_len);
    else
        ret = gunzip(payload, plen, out, out_cap, out_len);
    if (ret)
        return ret;
    if (*out_len != declared) {
        *out_len = 0;
        return -EINVAL;
    }
    return 0;
}
