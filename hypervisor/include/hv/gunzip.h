/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Freestanding gzip (RFC 1952) / deflate (RFC 1951) decoder for bzImage
 * payloads built with CONFIG_KERNEL_GZIP. Single call, like the xz
 * decoder: the output buffer is the deflate window, state lives on the
 * stack (about 3 KiB), every read and write is bounded.
 *
 * Error codes:
 *   -EINVAL     malformed: bad magic, truncated, invalid block type, code
 *               lengths that do not form a valid prefix code, a distance
 *               before the start of the output, an ISIZE that differs from
 *               the output size, or bytes after the gzip member
 *   -EIO        CRC32 (data) or CRC16 (header) mismatch
 *   -ENOSPC     the output does not fit in out_cap bytes
 *   -EOPNOTSUPP a compression method other than deflate, or reserved flags
 */
#ifndef LAMINA_HV_GUNZIP_H
#define LAMINA_HV_GUNZIP_H

#include <stddef.h>

/* Decompress one gzip member that fills in[0..in_len) exactly. */
int gunzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

/* Raw deflate data; *in_used = bytes consumed (the last one possibly in part). */
int inflate_raw(const void *in, size_t in_len, size_t *in_used, void *out, size_t out_cap,
                size_t *out_len);

#endif
