/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the gzip/deflate decoder: each input is decoded as
 * a gzip member by gunzip() and as raw deflate data by inflate_raw() (so
 * that mutations reach the Huffman decoder without having to keep the
 * trailer's CRC right), both into a bounded heap buffer. Results must keep
 * the contract: documented error codes only, nothing reported written on
 * failure, never more than the capacity, never more input used than given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <hv/errcodes.h>
#include <hv/gunzip.h>
#include "../fuzz_target.h"

#define OUT_CAP (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(OUT_CAP);
    size_t out_len = 1, used = 0;
    int ret;

    if (!out)
        return 0;
    ret = gunzip(data, size, out, OUT_CAP, &out_len);
    if (ret != 0 && ret != -EINVAL && ret != -EIO && ret != -ENOSPC && ret != -EOPNOTSUPP)
        abort();
    if ((ret != 0 && out_len != 0) || out_len > OUT_CAP)
        abort();
    ret = inflate_raw(data, size, &used, out, OUT_CAP, &out_len);
    if (ret != 0 && ret != -EINVAL && ret != -ENOSPC)
        abort();
    if (ret == 0 && (used > size || out_len > OUT_CAP))
        abort();
    free(out);
    return 0;
}
