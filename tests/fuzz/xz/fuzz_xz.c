/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the .xz decoder. Each input is decoded twice:
 *  - as a whole .xz file by xz_decompress() into a bounded heap buffer;
 *  - as raw LZMA2 data by xz_lzma2_decode(), the first byte giving the
 *    dictionary size property, so that mutations reach the LZMA decoder
 *    without first having to get past the container's CRCs.
 * Besides what ASan/UBSan catch, the results must keep the contract:
 * a documented error code, nothing reported written on failure, and never
 * more output than the capacity.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hv/errcodes.h>
#include <hv/xz.h>
#include "../fuzz_target.h"

#define OUT_CAP (256 * 1024)

static void check_error(int ret)
{
    if (ret != 0 && ret != -EINVAL && ret != -EIO && ret != -ENOSPC && ret != -EOPNOTSUPP)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xz_workspace ws;
    uint8_t *out = malloc(OUT_CAP);
    size_t out_len = 1, used = 0, pos = 0;
    int64_t dict;
    int ret;

    if (!out)
        return 0;
    ret = xz_decompress(data, size, out, OUT_CAP, &out_len);
    check_error(ret);
    if ((ret != 0 && out_len != 0) || out_len > OUT_CAP)
        abort();

    if (size >= 1) {
        dict = xz_lzma2_dict_size(data[0]);
        if (dict < 0)
            dict = 1 << 20;
        ret = xz_lzma2_decode(&ws, (uint32_t)dict, data + 1, size - 1, &used, out, &pos, OUT_CAP);
        if (ret != 0 && ret != -EINVAL && ret != -ENOSPC)
            abort();
        if (pos > OUT_CAP || (ret == 0 && used > size - 1))
            abort();
    }
    free(out);
    return 0;
}
