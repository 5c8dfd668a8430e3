/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoder and emulator for the x86-64 instructions a PV guest uses to write
 * its own page-table entries.
 *
 * A PV guest's L1 tables are mapped read-only in its own page tables, so a
 * store to one faults. The fault handler reads the faulting instruction,
 * x86_decode() recognises it (only the memory-writing forms listed in
 * enum x86_op; anything else is refused and the fault goes back to the
 * guest), x86_insn_ea() says where it writes, and x86_emulate_word_write()
 * computes the 8-byte entry the instruction would leave behind together
 * with its effects on the guest's registers and flags. The caller validates
 * the new entry, stores it atomically (compare-exchange against `old`) and
 * only then commits the register changes.
 *
 * This unit is pure: it reads only the bytes and registers handed to it and
 * never touches guest or hypervisor memory, so it builds both freestanding
 * in the hypervisor and on the host for unit tests and fuzzing.
 * Design notes: docs/x86-emulate.md.
 */
#ifndef LAMINA_X86_EMULATE_H
#define LAMINA_X86_EMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/cpu.h>

/* Longest legal x86 instruction; the CPU raises #GP(0) beyond it. */
#define X86_MAX_INSN_LEN 15

/* Register numbers in x86 encoding order (ModRM/SIB/REX). */
enum x86_gpr {
    X86_RAX,
    X86_RCX,
    X86_RDX,
    X86_RBX,
    X86_RSP,
    X86_RBP,
    X86_RSI,
    X86_RDI,
    X86_R8,
    X86_R9,
    X86_R10,
    X86_R11,
    X86_R12,
    X86_R13,
    X86_R14,
    X86_R15,
};

/* RFLAGS bits the emulated instructions read or write. */
#define X86_FLAGS_CF (1u << 0)
#define X86_FLAGS_PF (1u << 2)
#define X86_FLAGS_AF (1u << 4)
#define X86_FLAGS_ZF (1u << 6)
#define X86_FLAGS_SF (1u << 7)
#define X86_FLAGS_DF (1u << 10)
#define X86_FLAGS_OF (1u << 11)
#define X86_FLAGS_ARITH                                                                            \
    (X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | X86_FLAGS_ZF | X86_FLAGS_SF | X86_FLAGS_OF)

enum x86_op {
    X86_OP_MOV,        /* 0x89 /r, 0xC7 /0 imm32; bytes 0x88 /r, 0xC6 /0 imm8 */
    X86_OP_XCHG,       /* 0x87 /r, 0x86 /r (always locked) */
    X86_OP_CMPXCHG,    /* 0x0F 0xB1 /r, 0x0F 0xB0 /r */
    X86_OP_CMPXCHG8B,  /* 0x0F 0xC7 /1 */
    X86_OP_CMPXCHG16B, /* 0x0F 0xC7 /1 with REX.W: decoded, never emulated */
    X86_OP_AND,        /* 0x21 /r, 0x81 /4, 0x83 /4; 0x20 /r, 0x80 /4 */
    X86_OP_OR,         /* 0x09 /r, 0x81 /1, 0x83 /1; 0x08 /r, 0x80 /1 */
    X86_OP_XOR,        /* 0x31 /r, 0x81 /6, 0x83 /6; 0x30 /r, 0x80 /6 */
    X86_OP_ADD,        /* 0x01 /r, 0x81 /0, 0x83 /0; 0x00 /r, 0x80 /0 */
    X86_OP_SUB,        /* 0x29 /r, 0x81 /5, 0x83 /5; 0x28 /r, 0x80 /5 */
    X86_OP_BTS,        /* 0x0F 0xAB /r, 0x0F 0xBA /5 imm8 */
    X86_OP_BTR,        /* 0x0F 0xB3 /r, 0x0F 0xBA /6 imm8 */
    X86_OP_BTC,        /* 0x0F 0xBB /r, 0x0F 0xBA /7 imm8 */
    X86_OP_STOS,       /* 0xAB (no REP): [rdi] <- eax/rax, rdi +/- opsize */
};

struct x86_insn {
    enum x86_op op;
    uint8_t len;    /* total bytes, prefixes included */
    uint8_t opsize; /* bytes written: 1, 4 or 8 (16 for CMPXCHG16B) */
    bool lock;      /* LOCK prefix present, or implied (XCHG) */
    /* Byte forms without REX: the source is AH/CH/DH/BH, src_reg its full register. */
    bool src_high_byte;
    /* Source operand: an immediate (sign-extended to 64 bits as the CPU
     * does; the bit number for BTx imm8) or a register (for BTx r/m,r the
     * register holds the signed bit offset). */
    bool src_is_imm;
    uint64_t imm;
    int8_t src_reg; /* enum x86_gpr, -1 if none */
    /* Memory operand: base + index * scale + disp, or next RIP + disp.
     * base_reg / index_reg are -1 when absent. */
    int8_t base_reg, index_reg;
    uint8_t scale;
    int64_t disp;
    bool rip_relative;
};

/*
 * Decode one instruction from at most len bytes. 0 on success, -1 if it is
 * not one of the memory-writing forms above (register destination, other
 * opcode, 2-byte operand, FS/GS/address-size/REP prefix, LOCK where
 * the CPU would raise #UD, truncated or longer than 15 bytes). Never reads
 * past bytes[len - 1].
 */
int x86_decode(const uint8_t *bytes, size_t len, struct x86_insn *out);

/*
 * Linear address of the memory the instruction writes, for the given
 * registers (regs->rip = address of the instruction). For BTx with a
 * register bit offset this includes the CPU's adjustment: the operand-sized
 * unit at ea + opsize * (offset >> log2(bits)).
 */
uint64_t x86_insn_ea(const struct x86_insn *insn, const struct cpu_regs *regs);

/*
 * Emulate the instruction against the naturally aligned 8-byte word at
 * word_addr whose current value is `old`: store in *new_word the value the
 * word holds afterwards (== old when a CMPXCHG fails), apply the
 * instruction's effects on the registers and RFLAGS to *regs and advance
 * regs->rip by insn->len. Returns 0, or -1 (with *regs and *new_word
 * untouched) if the instruction cannot be expressed as one word write:
 * word_addr not 8-aligned, [ea, ea + opsize) not inside the word,
 * CMPXCHG16B.
 */
int x86_emulate_word_write(const struct x86_insn *insn, uint64_t word_addr, uint64_t old,
                           uint64_t *new_word, struct cpu_regs *regs);

/* The register with encoding number reg (0-15) inside a saved frame. */
uint64_t *x86_gpr_ptr(struct cpu_regs *regs, unsigned int reg);

#endif
