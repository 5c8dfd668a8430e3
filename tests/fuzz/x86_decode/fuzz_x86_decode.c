/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the page-table write decoder and emulator
 * (hypervisor/arch/x86/x86_emulate/x86_decode.c, x86_emulate.c).
 *
 * Input: byte 0 is the number of instruction bytes n (taken modulo 32, so
 * lengths past the 15-byte limit are tried too), then the n instruction
 * bytes, then a register file, word address and old word (missing bytes
 * read as zero). The instruction bytes are copied into an allocation of
 * exactly n bytes, so ASan reports any read past len. Besides not
 * crashing, the harness checks the contract:
 *  - a decoded instruction is at most 15 bytes and no longer than the input,
 *    and decoding exactly those bytes gives the same result, one byte less fails;
 *  - the emulator, when it accepts, changes only the operand's bytes of the
 *    word and advances RIP by the length; when it refuses, it changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <asm/x86_emulate.h>
#include "../fuzz_target.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

struct fuzz_tail {
    uint64_t gpr[16];
    uint64_t rflags, rip, word_addr, old;
    uint8_t aim; /* bit 0: put the word where the operand is, to reach the emulator */
};

static int decode_copy(const uint8_t *bytes, size_t n, struct x86_insn *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    int rc;

    CHECK(copy != NULL);
    memcpy(copy, bytes, n);
    rc = x86_decode(copy, n, out);
    free(copy);
    return rc;
}

static void check_emulation(const struct x86_insn *insn, const struct fuzz_tail *t)
{
    struct cpu_regs regs, before;
    uint64_t word = t->word_addr, new_word = 0x5a5a5a5a5a5a5a5aull, ea, changed, allowed;
    int rc;

    memset(&regs, 0, sizeof(regs));
    for (unsigned int i = 0; i < 16; i++)
        *x86_gpr_ptr(&regs, i) = t->gpr[i];
    regs.rflags = t->rflags;
    regs.rip = t->rip;
    ea = x86_insn_ea(insn, &regs);
    if (t->aim & 1)
        word = ea & ~7ull;
    before = regs;
    rc = x86_emulate_word_write(insn, word, t->old, &new_word, &regs);
    if (rc != 0) {
        CHECK(rc == -1);
        CHECK(memcmp(&regs, &before, sizeof(regs)) == 0);
        CHECK(new_word == 0x5a5a5a5a5a5a5a5aull);
        return;
    }
    CHECK((word & 7) == 0 && ea >= word && ea - word + insn->opsize <= 8);
    CHECK(regs.rip == before.rip + insn->len);
    changed = new_word ^ t->old;
    allowed = (insn->opsize == 8 ? ~0ull : (1ull << (8 * insn->opsize)) - 1) << (8 * (ea - word));
    CHECK((changed & ~allowed) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_tail tail;
    struct x86_insn insn, again;
    size_t n;

    if (size == 0)
        return 0;
    n = data[0] % 32;
    if (n > size - 1)
        n = size - 1;
    memset(&tail, 0, sizeof(tail));
    memcpy(&tail, data + 1 + n, size - 1 - n < sizeof(tail) ? size - 1 - n : sizeof(tail));

    if (decode_copy(data + 1, n, &insn) != 0)
        return 0;
    CHECK(insn.len >= 1 && insn.len <= X86_MAX_INSN_LEN && insn.len <= n);
    CHECK(insn.opsize == 1 || insn.opsize == 4 || insn.opsize == 8 || insn.opsize == 16);
    CHECK(insn.src_reg < 16 && insn.base_reg < 16 && insn.index_reg < 16);
    CHECK(decode_copy(data + 1, insn.len, &again) == 0);
    CHECK(memcmp(&insn, &again, sizeof(insn)) == 0);
    CHECK(decode_copy(data + 1, insn.len - 1u, &again) == -1);
    check_emulation(&insn, &tail);
    return 0;
}
