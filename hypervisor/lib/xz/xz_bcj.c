/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 branch/call/jump filter of .xz, decoding side.
 *
 * The encoder turned the 32-bit relative targets of E8 (call) and E9 (jmp)
 * instructions into absolute ones, which compress better because calls to
 * one function then share a value. Decoding subtracts the position again.
 * Only operands whose top byte is 0x00 or 0xff (targets within +-16 MiB)
 * were converted, and the encoder used a small history of recent E8/E9
 * bytes (mask, one bit per byte of the last three) to skip opcodes that
 * are likely the operand bytes of an earlier instruction rather than an
 * instruction of their own. The decoder must replay exactly the same
 * decisions on the converted bytes, so this follows the reference filter
 * step for step; the last four bytes are never converted.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/xz.h>

static inline bool operand_top_byte_ok(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void xz_bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start)
{
    /* Indexed by the history mask: may this opcode be converted, and which
       operand byte of the earlier candidate it would overlap. */
    static const bool mask_allows[8] = {true, true, true, false, true, false, false, false};
    static const uint8_t mask_byte[8] = {0, 1, 2, 2, 3, 3, 3, 3};
    size_t prev = (size_t)-1; /* position of the last E8/E9 seen */
    uint32_t mask = 0;

    if (len < 5)
        return;
    for (size_t i = 0; i < len - 4; i++) {
        size_t gap;

        if ((buf[i] & 0xfe) != 0xe8)
            continue;
        gap = i - prev; /* wraps to i + 1 for the first one, harmless: mask is 0 */
        if (gap > 3) {
            mask = 0;
        } else {
            mask = (mask << (gap - 1)) & 7;
            if (mask != 0 &&
                (!mask_allows[mask] || operand_top_byte_ok(buf[i + 4 - mask_byte[mask]]))) {
                prev = i;
                mask = (mask << 1) | 1;
                continue;
            }
        }
        prev = i;
        if (!operand_top_byte_ok(buf[i + 4])) {
            mask = (mask << 1) | 1;
            continue;
        }

        uint32_t src = get_le32(buf + i + 1), dest;

        for (;;) {
            unsigned shift;

            dest = src - (start + (uint32_t)i + 5);
            if (mask == 0)
                break;
            shift = mask_byte[mask] * 8;
            if (!operand_top_byte_ok((uint8_t)(dest >> (24 - shift))))
                break;
            src = dest ^ ((1u << (32 - shift)) - 1);
        }
        /* Sign-extend from bit 24, as the encoder only produced +-16 MiB. */
        dest &= 0x01ffffff;
        dest |= 0u - (dest & 0x01000000);
        put_le32(buf + i + 1, dest);
        i += 4;
    }
}
