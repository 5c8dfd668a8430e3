/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dom0 kernel as distributions ship it: a bzImage (x86 boot protocol
 * image) whose protected-mode part carries the compressed vmlinux ELF. As
 * Xen does, we take the payload the setup header points at and decompress
 * it ourselves, then load the ELF with the PV loader.
 *
 * Boot protocol facts used (Linux Documentation/arch/x86/boot.rst):
 *   0x1f1 setup_sects (0 means 4), 0x1fe boot_flag 0xaa55, 0x202 "HdrS",
 *   0x206 protocol version (>= 0x0208 has the payload fields),
 *   0x248 payload_offset and 0x24c payload_length, both relative to the
 *   protected-mode code at (setup_sects + 1) * 512 bytes into the file.
 * Linux appends the uncompressed size as a 32-bit little-endian number to
 * its compressed payloads (and gzip's own trailer ends with it too).
 *
 * Payload formats: xz (xz.h) and gzip (gunzip.h) are decoded; zstd, bzip2,
 * lzma, lzo and lz4 are recognised and refused with -EOPNOTSUPP.
 */
#ifndef LAMINA_HV_BZIMAGE_H
#define LAMINA_HV_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* True if img looks like a bzImage at all (boot flag and "HdrS"). */
bool bzimage_probe(const void *img, size_t len);

/*
 * Find the compressed payload of a bzImage (boot protocol >= 2.08). 0 and
 * *payload / *payload_len, or -EINVAL (not a bzImage), -ENOEXEC (too old a
 * protocol), -EOVERFLOW (payload outside the image or empty).
 */
int bzimage_payload(const void *img, size_t len, const void **payload, size_t *payload_len);

/* Size of the decompressed payload from its last 4 bytes; -EINVAL if len < 4. */
int bzimage_uncompressed_size(const void *payload, size_t len, size_t *out);

/*
 * The buffer size bzimage_decompress() needs: the payload's declared
 * uncompressed size. Errors: those of bzimage_payload(), -EINVAL if the
 * payload is shorter than the size field.
 */
int bzimage_output_size(const void *img, size_t len, size_t *size);

/*
 * Find, recognise and decompress the payload into out (capacity out_cap);
 * *out_len = bytes written. Errors: those of bzimage_payload(), -ENOSPC
 * (the declared size exceeds out_cap), -EOPNOTSUPP (a compressor we do not
 * decode), -EINVAL (unknown format, or the output size differs from the
 * declared one), and the xz_decompress() errors.
 */
int bzimage_decompress(const void *img, size_t len, void *out, size_t out_cap, size_t *out_len);

#endif
