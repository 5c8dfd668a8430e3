/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for bzImage handling: bzimage_payload() on arbitrary
 * headers must either refuse with a documented code or return a payload
 * that lies inside the input; bzimage_decompress() then runs on the same
 * input with a bounded output buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <hv/bzimage.h>
#include <hv/errcodes.h>
#include "../fuzz_target.h"

#define OUT_CAP (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const void *payload = NULL;
    size_t plen = 0, out_len = 1;
    uint8_t *out;
    int ret;

    ret = bzimage_payload(data, size, &payload, &plen);
    if (ret == 0) {
        const uint8_t *p = payload;

        if (p < data || plen == 0 || plen > size || (size_t)(p - data) > size - plen)
            abort();
    } else if (ret != -EINVAL && ret != -ENOEXEC && ret != -EOVERFLOW) {
        abort();
    }

    out = malloc(OUT_CAP);
    if (!out)
        return 0;
    ret = bzimage_decompress(data, size, out, OUT_CAP, &out_len);
    if (ret != 0 && ret != -EINVAL && ret != -ENOEXEC && ret != -EOVERFLOW && ret != -EIO &&
        ret != -ENOSPC && ret != -EOPNOTSUPP)
        abort();
    if ((ret != 0 && out_len != 0) || out_len > OUT_CAP)
        abort();
    free(out);
    return 0;
}
