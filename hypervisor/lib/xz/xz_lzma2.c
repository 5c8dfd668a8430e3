/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LZMA2 and LZMA decoding into a flat output buffer that doubles as the
 * dictionary.
 *
 * LZMA2 is a sequence of chunks, each introduced by a control byte:
 *   0x00          end of the LZMA2 data
 *   0x01 / 0x02   uncompressed chunk with / without a dictionary reset,
 *                 then a 16-bit big-endian size - 1
 *   0x80..0xff    LZMA chunk: bits 0-4 are bits 16-20 of the unpacked size
 *                 - 1, then 16 more bits of it, a 16-bit packed size - 1 and,
 *                 when bits 5-6 are 2 or 3, a properties byte. Bits 5-6 say
 *                 what is reset first: 0 nothing, 1 the LZMA state, 2 the
 *                 state and the properties, 3 those and the dictionary.
 * The first chunk must reset the dictionary and the first LZMA chunk after
 * a dictionary reset must set properties. Each LZMA chunk restarts the range
 * decoder and must use exactly its packed bytes for exactly its unpacked
 * bytes, with no end marker and no match running past its end (liblzma
 * rules, so that we accept what liblzma accepts and refuse what it refuses).
 *
 * Matches are checked against the bytes written since the last dictionary
 * reset and against the dictionary size of the filter properties, so no
 * input can make the decoder read before the block's start or write past
 * the limit.
 *
 * Reads of the range decoder past the end of a chunk return zeros instead
 * of branching out: the position still advances, the symbol loop stops
 * once it is past the end, and the chunk is then rejected.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/xz.h>

#define PROB_BITS       11
#define PROB_ONE        (1u << PROB_BITS)
#define PROB_MOVE       5
#define RC_TOP          (1u << 24)
#define LITERAL_STATES  7 /* states below this one follow a literal */
#define DIST_MODEL_END  14
#define ALIGN_BITS      4
#define MATCH_LEN_MIN   2
#define END_MARKER_DIST 0xffffffffu

struct range_dec {
    const uint8_t *in;
    size_t pos;
    size_t end;
    uint32_t range;
    uint32_t code;
};

static inline void rc_normalize(struct range_dec *rc)
{
    if (rc->range < RC_TOP) {
        rc->range <<= 8;
        rc->code = (rc->code << 8) | (rc->pos < rc->end ? rc->in[rc->pos] : 0);
        rc->pos++;
    }
}

static inline uint32_t rc_bit(struct range_dec *rc, uint16_t *prob)
{
    uint32_t bound;

    rc_normalize(rc);
    bound = (rc->range >> PROB_BITS) * *prob;
    if (rc->code < bound) {
        rc->range = bound;
        *prob += (PROB_ONE - *prob) >> PROB_MOVE;
        return 0;
    }
    rc->range -= bound;
    rc->code -= bound;
    *prob -= *prob >> PROB_MOVE;
    return 1;
}

/* A bits-deep binary tree, most significant bit first. */
static inline uint32_t rc_tree(struct range_dec *rc, uint16_t *probs, unsigned bits)
{
    uint32_t node = 1;

    for (unsigned i = 0; i < bits; i++)
        node = (node << 1) | rc_bit(rc, &probs[node]);
    return node - (1u << bits);
}

/* The same tree read least significant bit first. */
static inline uint32_t rc_tree_reverse(struct range_dec *rc, uint16_t *probs, unsigned bits)
{
    uint32_t node = 1, value = 0;

    for (unsigned i = 0; i < bits; i++) {
        uint32_t bit = rc_bit(rc, &probs[node]);

        node = (node << 1) | bit;
        value |= bit << i;
    }
    return value;
}

/* Bits with probability one half, appended to value. */
static inline uint32_t rc_direct(struct range_dec *rc, uint32_t value, unsigned bits)
{
    while (bits--) {
        uint32_t mask;

        rc_normalize(rc);
        rc->range >>= 1;
        rc->code -= rc->range;
        mask = 0u - (rc->code >> 31); /* all ones if the bit is 0 */
        rc->code += rc->range & mask;
        value = (value << 1) + (mask + 1);
    }
    return value;
}

int64_t xz_lzma2_dict_size(uint8_t prop)
{
    if (prop > 40)
        return -1;
    if (prop == 40)
        return 0xffffffffu;
    return (int64_t)(2u | (prop & 1u)) << (prop / 2 + 11);
}

static void lzma_reset_state(struct xz_workspace *ws)
{
    uint16_t *p = (uint16_t *)&ws->probs;
    size_t n = offsetof(struct xz_lzma_probs, literal) / sizeof(uint16_t) +
               ((size_t)0x300 << (ws->lc + ws->lp));

    for (size_t i = 0; i < n; i++)
        p[i] = PROB_ONE / 2;
    ws->state = 0;
    ws->rep[0] = ws->rep[1] = ws->rep[2] = ws->rep[3] = 0;
}

/* props = (pb * 5 + lp) * 9 + lc; LZMA2 also wants lc + lp <= 4. */
static int lzma_set_props(struct xz_workspace *ws, uint8_t props)
{
    if (props >= 9 * 5 * 5)
        return -EINVAL;
    ws->lc = props % 9;
    ws->lp = (props / 9) % 5;
    ws->pb = props / 45;
    if (ws->lc + ws->lp > 4)
        return -EINVAL;
    return 0;
}

static inline uint32_t next_state_literal(uint32_t s)
{
    return s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
}

static inline uint32_t decode_len(struct range_dec *rc, struct xz_len_probs *lp, uint32_t ps)
{
    if (!rc_bit(rc, &lp->choice))
        return MATCH_LEN_MIN + rc_tree(rc, lp->low[ps], 3);
    if (!rc_bit(rc, &lp->choice2))
        return MATCH_LEN_MIN + 8 + rc_tree(rc, lp->mid[ps], 3);
    return MATCH_LEN_MIN + 16 + rc_tree(rc, lp->high, 8);
}

static inline uint32_t decode_dist(struct range_dec *rc, struct xz_lzma_probs *p, uint32_t len)
{
    uint32_t len_state = len - MATCH_LEN_MIN < 3 ? len - MATCH_LEN_MIN : 3;
    uint32_t slot = rc_tree(rc, p->dist_slot[len_state], 6);
    uint32_t bits, dist;

    if (slot < 4)
        return slot;
    bits = (slot >> 1) - 1;
    dist = (2u | (slot & 1)) << bits;
    if (slot < DIST_MODEL_END) {
        /* Slots 4..13 share dist_special; each tree starts at its base. */
        return dist + rc_tree_reverse(rc, p->dist_special + (dist - slot), bits);
    }
    dist = rc_direct(rc, 2u | (slot & 1), bits - ALIGN_BITS) << ALIGN_BITS;
    return dist + rc_tree_reverse(rc, p->dist_align, ALIGN_BITS);
}

static inline uint8_t decode_literal(struct range_dec *rc, struct xz_workspace *ws,
                                     const uint8_t *out, size_t pos, size_t rel)
{
    uint32_t prev = rel ? out[pos - 1] : 0;
    uint32_t row = (((uint32_t)rel & ((1u << ws->lp) - 1)) << ws->lc) + (prev >> (8 - ws->lc));
    uint16_t *probs = ws->probs.literal[row];
    uint32_t sym = 1;

    if (ws->state < LITERAL_STATES)
        return (uint8_t)rc_tree(rc, probs, 8);

    /*
     * After a match, the byte at rep0 predicts this one: its bits select a
     * second set of probabilities until the first bit that differs.
     */
    uint32_t match = (uint32_t)out[pos - ws->rep[0] - 1] << 1;
    uint32_t offset = 0x100;

    do {
        uint32_t match_bit = match & offset;

        match <<= 1;
        if (rc_bit(rc, &probs[offset + match_bit + sym])) {
            sym = (sym << 1) | 1;
            offset = match_bit;
        } else {
            sym <<= 1;
            offset ^= match_bit;
        }
    } while (sym < 0x100);
    return (uint8_t)sym;
}

/* Decode one LZMA chunk into out[pos..end). */
static int lzma_decode_chunk(struct xz_workspace *ws, struct range_dec *rc, uint8_t *out,
                             size_t pos, size_t end)
{
    struct xz_lzma_probs *p = &ws->probs;
    const uint32_t pb_mask = (1u << ws->pb) - 1;
    uint32_t *rep = ws->rep;

    while (pos < end) {
        size_t rel = pos - ws->dict_start;
        uint32_t ps = (uint32_t)rel & pb_mask;
        uint32_t st = ws->state;
        uint32_t len;

        if (rc->pos > rc->end)
            return -EINVAL;
        if (!rc_bit(rc, &p->is_match[st][ps])) {
            if (st >= LITERAL_STATES && rep[0] >= rel)
                return -EINVAL;
            out[pos] = decode_literal(rc, ws, out, pos, rel);
            pos++;
            ws->state = next_state_literal(st);
            continue;
        }
        if (rc_bit(rc, &p->is_rep[st])) {
            if (!rc_bit(rc, &p->is_rep0[st])) {
                if (!rc_bit(rc, &p->is_rep0_long[st][ps])) {
                    ws->state = st < LITERAL_STATES ? 9 : 11; /* short rep */
                    len = 1;
                    goto copy;
                }
            } else {
                uint32_t dist;

                if (!rc_bit(rc, &p->is_rep1[st])) {
                    dist = rep[1];
                } else {
                    if (!rc_bit(rc, &p->is_rep2[st])) {
                        dist = rep[2];
                    } else {
                        dist = rep[3];
                        rep[3] = rep[2];
                    }
                    rep[2] = rep[1];
                }
                rep[1] = rep[0];
                rep[0] = dist;
            }
            len = decode_len(rc, &p->rep_len, ps);
            ws->state = st < LITERAL_STATES ? 8 : 11;
        } else {
            rep[3] = rep[2];
            rep[2] = rep[1];
            rep[1] = rep[0];
            len = decode_len(rc, &p->match_len, ps);
            ws->state = st < LITERAL_STATES ? 7 : 10;
            rep[0] = decode_dist(rc, p, len);
            if (rep[0] == END_MARKER_DIST)
                return -EINVAL; /* LZMA2 chunks have no end marker */
        }
    copy:
        if (rep[0] >= rel || rep[0] >= ws->dict_size || len > end - pos)
            return -EINVAL;
        {
            const uint8_t *src = out + pos - rep[0] - 1;
            uint8_t *dst = out + pos;

            for (uint32_t i = 0; i < len; i++)
                dst[i] = src[i]; /* overlapping on purpose: runs repeat */
        }
        pos += len;
    }
    return 0;
}

static inline uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static int lzma2_lzma_chunk(struct xz_workspace *ws, const uint8_t *in, size_t in_len, size_t *ip,
                            uint8_t *out, size_t *out_pos, size_t limit, uint8_t control,
                            bool *need_props)
{
    size_t i = *ip, unpacked, packed;
    struct range_dec rc;
    int ret;

    if (in_len - i < 4)
        return -EINVAL;
    unpacked = ((size_t)(control & 0x1f) << 16) + be16(in + i) + 1;
    packed = be16(in + i + 2) + 1;
    i += 4;
    if (control >= 0xc0) {
        if (in_len - i < 1)
            return -EINVAL;
        ret = lzma_set_props(ws, in[i++]);
        if (ret)
            return ret;
        *need_props = false;
        lzma_reset_state(ws);
    } else if (*need_props) {
        return -EINVAL;
    } else if (control >= 0xa0) {
        lzma_reset_state(ws);
    }
    if (packed > in_len - i || packed < 5 || in[i] != 0)
        return -EINVAL;
    if (unpacked > limit - *out_pos)
        return -ENOSPC;

    rc.in = in;
    rc.pos = i + 5;
    rc.end = i + packed;
    rc.range = 0xffffffffu;
    rc.code = (uint32_t)in[i + 1] << 24 | (uint32_t)in[i + 2] << 16 | (uint32_t)in[i + 3] << 8 |
              in[i + 4];
    ret = lzma_decode_chunk(ws, &rc, out, *out_pos, *out_pos + unpacked);
    if (ret)
        return ret;
    /* The encoder flushed its range coder: all packed bytes used, nothing left. */
    rc_normalize(&rc);
    if (rc.pos != rc.end || rc.code != 0)
        return -EINVAL;
    *ip = rc.end;
    *out_pos += unpacked;
    return 0;
}

int xz_lzma2_decode(struct xz_workspace *ws, uint32_t dict_size, const uint8_t *in, size_t in_len,
                    size_t *in_used, uint8_t *out, size_t *out_pos, size_t limit)
{
    bool need_dict_reset = true, need_props = true;
    size_t ip = 0;

    if (*out_pos > limit)
        return -ENOSPC;
    ws->dict_size = dict_size;
    ws->dict_start = *out_pos;
    ws->lc = ws->lp = ws->pb = 0;
    for (;;) {
        uint8_t control;
        int ret;

        if (ip >= in_len)
            return -EINVAL;
        control = in[ip++];
        if (control == 0x00)
            break;
        if (control >= 0xe0 || control == 0x01) {
            need_props = true;
            need_dict_reset = false;
            ws->dict_start = *out_pos;
        } else if (need_dict_reset) {
            return -EINVAL;
        }
        if (control >= 0x80) {
            ret = lzma2_lzma_chunk(ws, in, in_len, &ip, out, out_pos, limit, control, &need_props);
            if (ret)
                return ret;
            continue;
        }
        if (control > 0x02)
            return -EINVAL;
        if (in_len - ip < 2)
            return -EINVAL;
        size_t size = be16(in + ip) + 1;
        ip += 2;
        if (size > in_len - ip)
            return -EINVAL;
        if (size > limit - *out_pos)
            return -ENOSPC;
        memcpy(out + *out_pos, in + ip, size);
        ip += size;
        *out_pos += size;
    }
    *in_used = ip;
    return 0;
}
