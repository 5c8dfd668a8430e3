/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 decoder for the instructions a PV guest uses to write page-table
 * entries (see x86_emulate.h for the list).
 *
 * The decoder accepts the smallest set that covers Linux's PTE writes and
 * refuses everything else, because a refused instruction costs only a
 * fault bounced back to the guest while a misdecoded one would write a
 * page-table entry the guest did not ask for. In particular it refuses
 * 2-byte operands (0x66), the FS/GS segment overrides (their bases
 * are not in the register frame), the address-size override (0x67),
 * REP/REPNE (0xF3/0xF2, also the XACQUIRE/XRELEASE hints), LOCK on
 * instructions where the CPU raises #UD, and register destinations.
 *
 * Every byte is fetched through a cursor that checks the remaining length
 * first: the bytes come from guest memory and may be cut short by the end
 * of a mapping, and the fuzz harness checks that nothing past len is read.
 */
#include <asm/x86_emulate.h>

struct cursor {
    const uint8_t *p;
    size_t left;
    size_t used;
};

static bool fetch_u8(struct cursor *c, uint8_t *v)
{
    if (c->left == 0 || c->used >= X86_MAX_INSN_LEN)
        return false;
    *v = c->p[c->used];
    c->used++;
    c->left--;
    return true;
}

static bool fetch_le(struct cursor *c, unsigned int nbytes, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned int i = 0; i < nbytes; i++) {
        uint8_t b;

        if (!fetch_u8(c, &b))
            return false;
        x |= (uint64_t)b << (8 * i);
    }
    *v = x;
    return true;
}

static int64_t sign_extend(uint64_t v, unsigned int bits)
{
    uint64_t sign = 1ull << (bits - 1);

    v &= (sign << 1) - 1;
    return (int64_t)((v ^ sign) - sign);
}

/* Prefix state; REX only counts when it is the last byte before the opcode. */
struct prefixes {
    bool lock, opsize16, refuse;
    uint8_t rex;
};

enum { REX_B = 1, REX_X = 2, REX_R = 4, REX_W = 8 };

/* Consume prefixes; returns the opcode byte after them, or -1. */
static int read_prefixes(struct cursor *c, struct prefixes *px)
{
    uint8_t b;

    for (;;) {
        if (!fetch_u8(c, &b))
            return -1;
        if ((b & 0xf0) == 0x40) {
            px->rex = b;
            continue;
        }
        switch (b) {
        case 0xf0:
            px->lock = true;
            break;
        case 0x66:
            px->opsize16 = true;
            break;
        case 0x26: /* ES, CS, SS, DS: no effect in 64-bit mode */
        case 0x2e:
        case 0x36:
        case 0x3e:
            break;
        case 0x64: /* FS, GS, address size, REPNE, REP: see top of file */
        case 0x65:
        case 0x67:
        case 0xf2:
        case 0xf3:
            px->refuse = true;
            break;
        default:
            return b;
        }
        /* A legacy prefix after REX makes the CPU ignore that REX. */
        px->rex = 0;
    }
}

/* Decode ModRM, SIB and displacement into the memory operand of *out.
 * Returns the ModRM reg field extended by REX.R, or -1 (register operand,
 * truncated). */
static int read_modrm_mem(struct cursor *c, uint8_t rex, struct x86_insn *out)
{
    uint8_t modrm, sib, mod, rm;
    uint64_t disp = 0;
    unsigned int disp_bytes;

    if (!fetch_u8(c, &modrm))
        return -1;
    mod = modrm >> 6;
    rm = modrm & 7;
    if (mod == 3)
        return -1; /* register destination: not a memory write */

    out->base_reg = (int8_t)(rm | (rex & REX_B ? 8 : 0));
    out->index_reg = -1;
    out->scale = 1;
    out->rip_relative = false;
    disp_bytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;

    if (rm == 4) {
        uint8_t index, base;

        if (!fetch_u8(c, &sib))
            return -1;
        index = (uint8_t)(((sib >> 3) & 7) | (rex & REX_X ? 8 : 0));
        base = sib & 7;
        out->scale = (uint8_t)(1u << (sib >> 6));
        out->index_reg = index == X86_RSP ? -1 : (int8_t)index; /* 4 = none; 12 = r12 */
        out->base_reg = (int8_t)(base | (rex & REX_B ? 8 : 0));
        if (base == 5 && mod == 0) { /* no base, disp32 (also with REX.B) */
            out->base_reg = -1;
            disp_bytes = 4;
        }
    } else if (rm == 5 && mod == 0) { /* RIP + disp32 (also with REX.B) */
        out->base_reg = -1;
        out->rip_relative = true;
        disp_bytes = 4;
    }

    if (!fetch_le(c, disp_bytes, &disp))
        return -1;
    out->disp = disp_bytes ? sign_extend(disp, 8 * disp_bytes) : 0;
    return ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0);
}

static bool read_imm(struct cursor *c, unsigned int nbytes, struct x86_insn *out)
{
    uint64_t v;

    if (!fetch_le(c, nbytes, &v))
        return false;
    out->src_is_imm = true;
    out->imm = (uint64_t)sign_extend(v, 8 * nbytes);
    return true;
}

/* Group 1 (0x81 / 0x83) ModRM reg field -> op; ADC, SBB and CMP refused. */
static int group1_op(int reg, enum x86_op *op)
{
    switch (reg & 7) {
    case 0:
        *op = X86_OP_ADD;
        return 0;
    case 1:
        *op = X86_OP_OR;
        return 0;
    case 4:
        *op = X86_OP_AND;
        return 0;
    case 5:
        *op = X86_OP_SUB;
        return 0;
    case 6:
        *op = X86_OP_XOR;
        return 0;
    default:
        return -1;
    }
}

/*
 * Byte forms: Linux's set_bit/clear_bit on a constant bit compile to
 * LOCK OR/AND of one byte (ptep_set_wrprotect is "lock andb $0xfd"). Without
 * a REX prefix, byte registers 4-7 are AH, CH, DH, BH.
 */
static int decode_byte_form(struct cursor *c, uint8_t opc, uint8_t rex, struct x86_insn *out)
{
    int reg;

    out->opsize = 1;
    switch (opc) {
    case 0x88: /* MOV r/m8, r8 */
    case 0x86: /* XCHG r/m8, r8 */
    case 0x20: /* AND r/m8, r8 */
    case 0x08: /* OR */
    case 0x30: /* XOR */
    case 0x00: /* ADD */
    case 0x28: /* SUB */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0)
            return -1;
        out->src_reg = (int8_t)reg;
        if (!rex && reg >= 4 && reg < 8) {
            out->src_reg = (int8_t)(reg - 4);
            out->src_high_byte = true;
        }
        out->op = opc == 0x88   ? X86_OP_MOV
                  : opc == 0x86 ? X86_OP_XCHG
                  : opc == 0x20 ? X86_OP_AND
                  : opc == 0x08 ? X86_OP_OR
                  : opc == 0x30 ? X86_OP_XOR
                  : opc == 0x00 ? X86_OP_ADD
                                : X86_OP_SUB;
        return 0;
    case 0xc6: /* MOV r/m8, imm8 */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || (reg & 7) != 0)
            return -1;
        out->op = X86_OP_MOV;
        return read_imm(c, 1, out) ? 0 : -1;
    case 0x80: /* group 1, r/m8, imm8 */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || group1_op(reg, &out->op) < 0)
            return -1;
        return read_imm(c, 1, out) ? 0 : -1;
    default:
        return -1;
    }
}

/* One-byte opcodes. */
static int decode_primary(struct cursor *c, uint8_t opc, uint8_t rex, struct x86_insn *out)
{
    int reg;

    switch (opc) {
    case 0x88:
    case 0x86:
    case 0x20:
    case 0x08:
    case 0x30:
    case 0x00:
    case 0x28:
    case 0xc6:
    case 0x80:
        return decode_byte_form(c, opc, rex, out);
    case 0x89: /* MOV r/m, r */
    case 0x87: /* XCHG r/m, r */
    case 0x21: /* AND r/m, r */
    case 0x09: /* OR */
    case 0x31: /* XOR */
    case 0x01: /* ADD */
    case 0x29: /* SUB */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0)
            return -1;
        out->src_reg = (int8_t)reg;
        out->op = opc == 0x89   ? X86_OP_MOV
                  : opc == 0x87 ? X86_OP_XCHG
                  : opc == 0x21 ? X86_OP_AND
                  : opc == 0x09 ? X86_OP_OR
                  : opc == 0x31 ? X86_OP_XOR
                  : opc == 0x01 ? X86_OP_ADD
                                : X86_OP_SUB;
        return 0;
    case 0xc7: /* MOV r/m, imm32 */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || (reg & 7) != 0)
            return -1;
        out->op = X86_OP_MOV;
        return read_imm(c, 4, out) ? 0 : -1;
    case 0x81: /* group 1, imm32 */
    case 0x83: /* group 1, imm8 */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || group1_op(reg, &out->op) < 0)
            return -1;
        return read_imm(c, opc == 0x81 ? 4 : 1, out) ? 0 : -1;
    case 0xab: /* STOS m, eax/rax: the destination is always [rdi] */
        out->op = X86_OP_STOS;
        out->src_reg = X86_RAX;
        out->base_reg = X86_RDI;
        return 0;
    default:
        return -1;
    }
}

/* Two-byte opcodes (0x0F xx). */
static int decode_0f(struct cursor *c, struct x86_insn *out, uint8_t rex)
{
    uint8_t opc;
    int reg;

    if (!fetch_u8(c, &opc))
        return -1;
    switch (opc) {
    case 0xb0: /* CMPXCHG r/m8, r8 */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0)
            return -1;
        out->op = X86_OP_CMPXCHG;
        out->opsize = 1;
        out->src_reg = (int8_t)reg;
        if (!rex && reg >= 4 && reg < 8) {
            out->src_reg = (int8_t)(reg - 4);
            out->src_high_byte = true;
        }
        return 0;
    case 0xb1: /* CMPXCHG r/m, r */
    case 0xab: /* BTS r/m, r */
    case 0xb3: /* BTR r/m, r */
    case 0xbb: /* BTC r/m, r */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0)
            return -1;
        out->src_reg = (int8_t)reg;
        out->op = opc == 0xb1   ? X86_OP_CMPXCHG
                  : opc == 0xab ? X86_OP_BTS
                  : opc == 0xb3 ? X86_OP_BTR
                                : X86_OP_BTC;
        return 0;
    case 0xba: /* BTx r/m, imm8: /5 BTS, /6 BTR, /7 BTC (/4 BT does not write) */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || (reg & 7) < 5)
            return -1;
        out->op = (reg & 7) == 5 ? X86_OP_BTS : (reg & 7) == 6 ? X86_OP_BTR : X86_OP_BTC;
        if (!fetch_le(c, 1, &out->imm))
            return -1;
        out->src_is_imm = true; /* bit number, taken modulo the operand width */
        return 0;
    case 0xc7: /* group 9: /1 CMPXCHG8B/16B; the rest are register forms or reads */
        reg = read_modrm_mem(c, rex, out);
        if (reg < 0 || (reg & 7) != 1)
            return -1;
        out->op = rex & REX_W ? X86_OP_CMPXCHG16B : X86_OP_CMPXCHG8B;
        return 0;
    default:
        return -1;
    }
}

static bool lock_allowed(enum x86_op op)
{
    return op != X86_OP_MOV && op != X86_OP_STOS;
}

static uint8_t operand_size(enum x86_op op, uint8_t rex)
{
    switch (op) {
    case X86_OP_CMPXCHG8B:
        return 8;
    case X86_OP_CMPXCHG16B:
        return 16;
    default:
        return rex & REX_W ? 8 : 4;
    }
}

int x86_decode(const uint8_t *bytes, size_t len, struct x86_insn *out)
{
    struct cursor c = {.p = bytes, .left = len, .used = 0};
    struct prefixes px = {0};
    struct x86_insn insn = {
        .src_reg = -1,
        .base_reg = -1,
        .index_reg = -1,
        .scale = 1,
    };
    int opc, rc;

    opc = read_prefixes(&c, &px);
    if (opc < 0)
        return -1;
    if (opc == 0x0f)
        rc = decode_0f(&c, &insn, px.rex);
    else
        rc = decode_primary(&c, (uint8_t)opc, px.rex, &insn);
    /* Checked after decoding so that the length is always bounded by the
     * whole instruction, but a refused prefix still refuses. */
    if (rc < 0 || px.refuse || px.opsize16)
        return -1;
    if (px.lock && !lock_allowed(insn.op))
        return -1; /* the CPU raises #UD: never a page fault to emulate */
    insn.lock = px.lock || insn.op == X86_OP_XCHG;
    if (insn.opsize != 1)
        insn.opsize = operand_size(insn.op, px.rex);
    insn.len = (uint8_t)c.used;
    *out = insn;
    return 0;
}
