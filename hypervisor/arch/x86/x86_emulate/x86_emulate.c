/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulation of one decoded page-table write (see x86_emulate.h).
 *
 * The instruction is executed against a copy: the operand is extracted
 * from the 8-byte word that contains it, the result is merged back into a
 * new word, and the register and flag effects go into *regs. Nothing is
 * written until the whole result is known, so a refusal leaves the
 * caller's state untouched and the caller can commit the new word with one
 * compare-exchange (a guest vCPU racing on the same entry makes that fail,
 * and the fault is simply taken again).
 *
 * Flags follow the architecture where it defines them; where it leaves
 * them undefined (AF after logic ops; OF/SF/AF/PF, and on AMD ZF, after
 * BTx) they are left unchanged, which is one of the values a CPU may
 * produce.
 */
#include <asm/x86_emulate.h>

uint64_t *x86_gpr_ptr(struct cpu_regs *regs, unsigned int reg)
{
    switch (reg & 15) {
    case X86_RAX:
        return &regs->rax;
    case X86_RCX:
        return &regs->rcx;
    case X86_RDX:
        return &regs->rdx;
    case X86_RBX:
        return &regs->rbx;
    case X86_RSP:
        return &regs->rsp;
    case X86_RBP:
        return &regs->rbp;
    case X86_RSI:
        return &regs->rsi;
    case X86_RDI:
        return &regs->rdi;
    case X86_R8:
        return &regs->r8;
    case X86_R9:
        return &regs->r9;
    case X86_R10:
        return &regs->r10;
    case X86_R11:
        return &regs->r11;
    case X86_R12:
        return &regs->r12;
    case X86_R13:
        return &regs->r13;
    case X86_R14:
        return &regs->r14;
    default:
        return &regs->r15;
    }
}

static uint64_t gpr_get(const struct cpu_regs *regs, int reg)
{
    /* x86_gpr_ptr only computes an address; the frame is not modified. */
    return *x86_gpr_ptr((struct cpu_regs *)regs, (unsigned int)reg);
}

static uint64_t size_mask(unsigned int opsize)
{
    return opsize >= 8 ? ~0ull : (1ull << (8 * opsize)) - 1;
}

static bool is_bitop(enum x86_op op)
{
    return op == X86_OP_BTS || op == X86_OP_BTR || op == X86_OP_BTC;
}

/* The signed bit offset held in a BTx source register, at operand size. */
static int64_t bit_offset_reg(const struct x86_insn *insn, const struct cpu_regs *regs)
{
    uint64_t v = gpr_get(regs, insn->src_reg);

    return insn->opsize == 8 ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v;
}

uint64_t x86_insn_ea(const struct x86_insn *insn, const struct cpu_regs *regs)
{
    uint64_t ea = (uint64_t)insn->disp;

    if (insn->rip_relative)
        ea += regs->rip + insn->len;
    if (insn->base_reg >= 0)
        ea += gpr_get(regs, insn->base_reg);
    if (insn->index_reg >= 0)
        ea += gpr_get(regs, insn->index_reg) * insn->scale;
    if (is_bitop(insn->op) && !insn->src_is_imm && insn->src_reg >= 0) {
        /* A register bit offset selects the operand-sized unit
         * floor(offset / bits) away from ea (arithmetic shift: floor). */
        int64_t unit = bit_offset_reg(insn, regs) >> (insn->opsize == 8 ? 6 : 5);

        ea += (uint64_t)unit * insn->opsize;
    }
    return ea;
}

static bool parity_even(uint64_t v)
{
    uint8_t b = (uint8_t)v;

    b ^= b >> 4;
    b ^= b >> 2;
    b ^= b >> 1;
    return !(b & 1);
}

/* Clear the arithmetic flags except those in keep, then set SF, ZF and PF from res. */
static uint64_t flags_szp(uint64_t rflags, uint64_t res, unsigned int opsize, uint64_t keep)
{
    uint64_t sign = 1ull << (8 * opsize - 1);

    rflags &= ~(uint64_t)(X86_FLAGS_ARITH & ~keep);
    if (res & sign)
        rflags |= X86_FLAGS_SF;
    if (res == 0)
        rflags |= X86_FLAGS_ZF;
    if (parity_even(res))
        rflags |= X86_FLAGS_PF;
    return rflags;
}

/* dst = a + b (sub: a - b) at opsize, with all six arithmetic flags. */
static uint64_t arith(bool sub, uint64_t a, uint64_t b, unsigned int opsize, uint64_t *rflags)
{
    uint64_t mask = size_mask(opsize), sign = 1ull << (8 * opsize - 1);
    uint64_t res, f;

    a &= mask;
    b &= mask;
    res = (sub ? a - b : a + b) & mask;
    f = flags_szp(*rflags, res, opsize, 0);
    if (sub ? a < b : res < a)
        f |= X86_FLAGS_CF;
    if ((a ^ b ^ res) & 0x10)
        f |= X86_FLAGS_AF;
    if ((sub ? (a ^ b) & (a ^ res) : ~(a ^ b) & (a ^ res)) & sign)
        f |= X86_FLAGS_OF;
    *rflags = f;
    return res;
}

/* AND/OR/XOR: CF = OF = 0, SF/ZF/PF from the result, AF left alone. */
static uint64_t logic(enum x86_op op, uint64_t a, uint64_t b, unsigned int opsize, uint64_t *rflags)
{
    uint64_t res = op == X86_OP_AND ? a & b : op == X86_OP_OR ? a | b : a ^ b;

    res &= size_mask(opsize);
    *rflags = flags_szp(*rflags, res, opsize, X86_FLAGS_AF);
    return res;
}

/* Write a 32-bit or 64-bit result to a register as the CPU does (32-bit
 * writes zero the upper half). */
static void reg_write(struct cpu_regs *regs, int reg, uint64_t v, unsigned int opsize)
{
    *x86_gpr_ptr(regs, (unsigned int)reg) = v & size_mask(opsize);
}

/* Byte registers are merged, not zero-extended; `high` selects AH/CH/DH/BH. */
static void reg_write_byte(struct cpu_regs *regs, int reg, uint64_t v, bool high)
{
    uint64_t *p = x86_gpr_ptr(regs, (unsigned int)reg);
    unsigned int shift = high ? 8 : 0;
    *p = (*p & ~(0xffull << shift)) | ((v & 0xff) << shift);
}

static void reg_write_sized(const struct x86_insn *insn, struct cpu_regs *regs, int reg, uint64_t v,
                            bool high)
{
    if (insn->opsize == 1)
        reg_write_byte(regs, reg, v, high);
    else
        reg_write(regs, reg, v, insn->opsize);
}

/*
 * The operand-level effect of insn: *val is the memory operand before,
 * and after, the instruction. Registers and flags go to *r.
 */
static int emulate_operand(const struct x86_insn *insn, uint64_t *val, struct cpu_regs *r)
{
    unsigned int opsize = insn->opsize, bits = 8 * opsize;
    uint64_t mask = size_mask(opsize), cur = *val;
    uint64_t src = insn->src_is_imm     ? insn->imm
                   : insn->src_reg >= 0 ? gpr_get(r, insn->src_reg) >> (insn->src_high_byte ? 8 : 0)
                                        : 0;
    uint64_t bit;

    switch (insn->op) {
    case X86_OP_MOV:
        *val = src & mask;
        return 0;
    case X86_OP_STOS:
        *val = src & mask;
        r->rdi += r->rflags & X86_FLAGS_DF ? -(uint64_t)opsize : opsize;
        return 0;
    case X86_OP_XCHG:
        *val = src & mask;
        reg_write_sized(insn, r, insn->src_reg, cur, insn->src_high_byte);
        return 0;
    case X86_OP_CMPXCHG:
        /* Flags as CMP accumulator, operand; then store or load. */
        arith(true, r->rax, cur, opsize, &r->rflags);
        if (r->rflags & X86_FLAGS_ZF)
            *val = src & mask;
        else
            reg_write_sized(insn, r, X86_RAX, cur, false);
        return 0;
    case X86_OP_CMPXCHG8B:
        /* Only ZF is written. */
        if ((uint32_t)r->rax == (uint32_t)cur && (uint32_t)r->rdx == (uint32_t)(cur >> 32)) {
            r->rflags |= X86_FLAGS_ZF;
            *val = (r->rcx << 32) | (uint32_t)r->rbx;
        } else {
            r->rflags &= ~(uint64_t)X86_FLAGS_ZF;
            reg_write(r, X86_RAX, cur, 4);
            reg_write(r, X86_RDX, cur >> 32, 4);
        }
        return 0;
    case X86_OP_AND:
    case X86_OP_OR:
    case X86_OP_XOR:
        *val = logic(insn->op, cur, src, opsize, &r->rflags);
        return 0;
    case X86_OP_ADD:
    case X86_OP_SUB:
        *val = arith(insn->op == X86_OP_SUB, cur, src, opsize, &r->rflags);
        return 0;
    case X86_OP_BTS:
    case X86_OP_BTR:
    case X86_OP_BTC:
        /* The unit was chosen by x86_insn_ea; here only the bit within it. */
        bit = 1ull << (src & (bits - 1));
        r->rflags = (r->rflags & ~(uint64_t)X86_FLAGS_CF) | (cur & bit ? X86_FLAGS_CF : 0);
        *val = insn->op == X86_OP_BTS ? cur | bit : insn->op == X86_OP_BTR ? cur & ~bit : cur ^ bit;
        return 0;
    default:
        /* CMPXCHG16B compares and writes 16 bytes: not one word. */
        return -1;
    }
}

int x86_emulate_word_write(const struct x86_insn *insn, uint64_t word_addr, uint64_t old,
                           uint64_t *new_word, struct cpu_regs *regs)
{
    struct cpu_regs r = *regs;
    uint64_t ea, offset, mask, val;
    unsigned int shift;

    if ((word_addr & 7) || (insn->opsize != 1 && insn->opsize != 4 && insn->opsize != 8))
        return -1;
    if ((insn->src_reg >= 16) || insn->base_reg >= 16 || insn->index_reg >= 16)
        return -1;
    if (!insn->src_is_imm && insn->src_reg < 0 && insn->op != X86_OP_CMPXCHG8B)
        return -1; /* a register-source form without its register */
    ea = x86_insn_ea(insn, regs);
    offset = ea - word_addr; /* wraps to huge when ea < word_addr */
    if (offset > 8u - insn->opsize)
        return -1;

    shift = (unsigned int)offset * 8;
    mask = size_mask(insn->opsize) << shift;
    val = (old & mask) >> shift;
    if (emulate_operand(insn, &val, &r) < 0)
        return -1;
    r.rip += insn->len;
    *new_word = (old & ~mask) | ((val << shift) & mask);
    *regs = r;
    return 0;
}
