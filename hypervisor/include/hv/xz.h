/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Freestanding decoder for the .xz container (the format of Debian's bzImage
 * payload) with the LZMA2 filter and the x86 BCJ filter in front of it.
 *
 * Single-call design: the whole input is in memory and the output buffer is
 * large enough for the whole result, so the LZMA2 dictionary is the output
 * buffer itself and no allocation is needed. The only other state (the LZMA
 * probability tables and CRC tables, about 36 KiB, too large for a 16 KiB hypervisor
 * stack) lives in a struct xz_workspace: xz_decompress() uses a static one
 * under a lock, xz_decompress_ws() the caller's.
 *
 * Every read is bounded by in_len and every write by out_cap; the input is
 * untrusted. Accepted: one or more concatenated streams with stream padding
 * between and after them; integrity checks None, CRC32, CRC64 (verified) and
 * SHA-256 (accepted but NOT verified: the hypervisor has no SHA-256; the
 * image's integrity is the boot loader's business); filter chains LZMA2 or
 * x86-BCJ + LZMA2 (with or without a start offset).
 *
 * Error codes:
 *   -EINVAL     malformed input: bad magic, truncated, reserved value, sizes
 *               in a block header or the index that disagree with the data,
 *               invalid LZMA2/LZMA data, trailing garbage
 *   -EIO        a CRC32 (headers, index, footer, data) or CRC64 mismatch
 *   -ENOSPC     the output does not fit in out_cap bytes
 *   -EOPNOTSUPP reserved flag bits set, a filter other than LZMA2 / x86 BCJ,
 *               or an unknown integrity check type
 */
#ifndef LAMINA_HV_XZ_H
#define LAMINA_HV_XZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* LZMA probability model; sized for lc + lp <= 4, the LZMA2 limit. */
struct xz_len_probs {
    uint16_t choice;
    uint16_t choice2;
    uint16_t low[16][8];
    uint16_t mid[16][8];
    uint16_t high[256];
};

struct xz_lzma_probs {
    uint16_t is_match[12][16];
    uint16_t is_rep[12];
    uint16_t is_rep0[12];
    uint16_t is_rep1[12];
    uint16_t is_rep2[12];
    uint16_t is_rep0_long[12][16];
    uint16_t dist_slot[4][64];
    uint16_t dist_special[115]; /* trees are indexed from 1 */
    uint16_t dist_align[16];    /* likewise */
    struct xz_len_probs match_len;
    struct xz_len_probs rep_len;
    uint16_t literal[16][0x300]; /* must stay last: only 1 << (lc + lp) rows are reset */
};

/* LZMA2 decoder state that lasts across the chunks of one block. */
struct xz_workspace {
    struct xz_lzma_probs probs;
    size_t dict_start;  /* output offset of the last dictionary reset */
    uint32_t dict_size; /* from the block's LZMA2 filter properties */
    uint32_t state;     /* LZMA state machine, 0..11 */
    uint32_t rep[4];    /* the last four match distances */
    unsigned lc, lp, pb;
    uint32_t crc32_slices[8][256]; /* for the data checks, see xz_crc32_sliced() */
};

/* Decompress a whole .xz file (one or more streams) into out; see above. */
int xz_decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);
/* The same with the caller's workspace: reentrant. */
int xz_decompress_ws(struct xz_workspace *ws, const void *in, size_t in_len, void *out,
                     size_t out_cap, size_t *out_len);

/* Building blocks, exposed for the host tests. */

/* CRC-32 (IEEE 802.3, reflected) and CRC-64 (ECMA-182, reflected) as used by .xz;
   pass 0 as crc to start, the previous result to continue. */
uint32_t xz_crc32(const void *buf, size_t len, uint32_t crc);
uint64_t xz_crc64(const void *buf, size_t len, uint64_t crc);
/* The same CRC-32, several times faster, with tables made by xz_crc32_slices_init(). */
void xz_crc32_slices_init(uint32_t tab[8][256]);
uint32_t xz_crc32_sliced(const uint32_t tab[8][256], const void *buf, size_t len, uint32_t crc);

/*
 * Decode the LZMA2 data of one block: in[0..in_len) holds it (and possibly
 * more); output goes to out from *out_pos up to limit (exclusive), and the
 * dictionary may reach back to the last dictionary reset inside this call.
 * On success *in_used is the size of the LZMA2 data including its end byte
 * and *out_pos is advanced. Errors: -EINVAL, -ENOSPC (limit reached).
 */
int xz_lzma2_decode(struct xz_workspace *ws, uint32_t dict_size, const uint8_t *in, size_t in_len,
                    size_t *in_used, uint8_t *out, size_t *out_pos, size_t limit);

/* LZMA2 dictionary size from its one-byte filter property; -1 if invalid. */
int64_t xz_lzma2_dict_size(uint8_t prop);

/* Undo the x86 BCJ filter in place on one block's output; start is the
   filter's start offset (0 unless its properties say otherwise). */
void xz_bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start);

#endif
