/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypervisor/arch/x86/x86_emulate/x86_decode.c and x86_emulate.c against the host CPU.
 *
 * For every instruction form the test encodes random variants (registers,
 * REX bits, SIB/disp8/disp32/RIP-relative/absolute addressing, ignored
 * prefixes, LOCK) with its own encoder, chooses registers so that the
 * memory operand lands at a random place inside a target word, executes
 * the bytes on the real CPU (a runner loads all sixteen registers and
 * RFLAGS, jumps to the bytes, and stores everything back), then decodes
 * and emulates the same bytes from the same initial state and requires
 * the same memory, registers, defined RFLAGS bits and length. Every
 * shorter prefix of each encoding must be refused. Then hand-written
 * Linux encodings and the refusals: register destinations, other opcodes,
 * operand sizes, prefixes, overlong instructions, words straddled.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_32BIT */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <asm/x86_emulate.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The CPU runner ---------------------------------------------------- */

/* Registers in encoding order, then RFLAGS: the layout the runner uses. */
struct cpu_state {
    uint64_t gpr[16];
    uint64_t rflags;
};
_Static_assert(offsetof(struct cpu_state, rflags) == 128, "runner offsets");

void cpu_run_insn(struct cpu_state *st);
extern char cpu_run_return[];
extern uint64_t runner_code;

/*
 * Loads the state, jumps to runner_code (the instruction, followed by a
 * jump back to cpu_run_return), stores the state. The instruction may use
 * any register, RSP included, so the way back uses only absolute
 * (RIP-relative) memory until the host stack pointer is restored.
 */
__asm__(".text\n"
        ".globl cpu_run_insn\n"
        ".type cpu_run_insn, @function\n"
        "cpu_run_insn:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  mov %rsp, runner_host_rsp(%rip)\n"
        "  mov %rdi, runner_state(%rip)\n"
        "  pushq 128(%rdi)\n  popfq\n"
        "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rcx\n  mov 16(%rdi), %rdx\n"
        "  mov 24(%rdi), %rbx\n  mov 40(%rdi), %rbp\n  mov 48(%rdi), %rsi\n"
        "  mov 64(%rdi), %r8\n  mov 72(%rdi), %r9\n  mov 80(%rdi), %r10\n"
        "  mov 88(%rdi), %r11\n  mov 96(%rdi), %r12\n  mov 104(%rdi), %r13\n"
        "  mov 112(%rdi), %r14\n  mov 120(%rdi), %r15\n"
        "  mov 32(%rdi), %rsp\n  mov 56(%rdi), %rdi\n"
        "  jmp *runner_code(%rip)\n"
        ".globl cpu_run_return\n"
        "cpu_run_return:\n"
        "  mov %rax, runner_rax(%rip)\n"
        "  mov %rsp, runner_rsp(%rip)\n"
        "  mov runner_host_rsp(%rip), %rsp\n"
        "  pushfq\n"
        "  mov runner_state(%rip), %rax\n"
        "  popq 128(%rax)\n"
        "  mov %rcx, 8(%rax)\n  mov %rdx, 16(%rax)\n  mov %rbx, 24(%rax)\n"
        "  mov %rbp, 40(%rax)\n  mov %rsi, 48(%rax)\n  mov %rdi, 56(%rax)\n"
        "  mov %r8, 64(%rax)\n  mov %r9, 72(%rax)\n  mov %r10, 80(%rax)\n"
        "  mov %r11, 88(%rax)\n  mov %r12, 96(%rax)\n  mov %r13, 104(%rax)\n"
        "  mov %r14, 112(%rax)\n  mov %r15, 120(%rax)\n"
        "  mov runner_rax(%rip), %rcx\n  mov %rcx, 0(%rax)\n"
        "  mov runner_rsp(%rip), %rcx\n  mov %rcx, 32(%rax)\n"
        "  cld\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n"
        ".size cpu_run_insn, . - cpu_run_insn\n"
        ".data\n"
        ".balign 8\n"
        ".globl runner_code\n"
        "runner_code: .quad 0\n"
        "runner_host_rsp: .quad 0\n"
        "runner_state: .quad 0\n"
        "runner_rax: .quad 0\n"
        "runner_rsp: .quad 0\n"
        ".text\n");

/* Code page then data page, below 2 GiB so absolute disp32 reaches them. */
static uint8_t *arena;
#define CODE (arena)
#define DATA (arena + 4096)

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
    fault_sig = sig;
    siglongjmp(fault_jmp, 1);
}

static int setup_arena(void **state)
{
    static uint8_t altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    struct sigaction sa;

    (void)state;
    arena = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (arena == MAP_FAILED)
        return -1;
    /* A fault with a test-chosen RSP can only be survived on another stack. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL) ||
        sigaction(SIGILL, &sa, NULL))
        return -1;
    return 0;
}

static int teardown_arena(void **state)
{
    (void)state;
    munmap(arena, 8192);
    return 0;
}

/* Runs bytes at CODE + at on the CPU with *st. 0, or the signal it raised. */
static int run_on_cpu(const uint8_t *bytes, size_t len, size_t at, struct cpu_state *st)
{
    static const uint8_t jmp_back[] = {0xff, 0x25, 0, 0, 0, 0}; /* jmp *0(%rip) */
    uint64_t ret = (uint64_t)(uintptr_t)cpu_run_return;
    uint8_t *p = CODE + at;

    memcpy(p, bytes, len);
    memcpy(p + len, jmp_back, sizeof(jmp_back));
    memcpy(p + len + sizeof(jmp_back), &ret, sizeof(ret));
    runner_code = (uint64_t)(uintptr_t)p;
    fault_sig = 0;
    if (sigsetjmp(fault_jmp, 1) == 0)
        cpu_run_insn(st);
    return fault_sig;
}

/* ---- Random numbers --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned int rnd_below(unsigned int n)
{
    return (unsigned int)(rnd() % n);
}

/* Values that hit the interesting edges of 32- and 64-bit arithmetic. */
static uint64_t rnd_value(void)
{
    static const uint64_t edges[] = {
        0,
        1,
        0x7f,
        0x80,
        0xff,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000ull,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        ~0ull,
        0x8000000000000067ull,
    };
    uint64_t v;

    switch (rnd_below(5)) {
    case 0:
        return edges[rnd_below(ARRAY_SIZE(edges))];
    case 1:
        return rnd() & 0xff;
    case 2:
        v = rnd_below(2) ? 1ull << rnd_below(64) : 0;
        return edges[rnd_below(ARRAY_SIZE(edges))] ^ v;
    default:
        return rnd();
    }
}

/* ---- The test's own encoder ------------------------------------------- */

struct mem_operand {
    int base, index; /* -1 when absent; index is never 4 (RSP) */
    unsigned int scale;
    int disp_size; /* 0, 1 or 4 bytes */
    bool rip;
    bool force_sib; /* encode with a SIB byte even when not needed */
};

struct form {
    const char *name;
    enum x86_op op;
    uint8_t opc[2];
    int opc_len;
    int reg_field;  /* fixed ModRM reg (/n), or -1 for a source register */
    int imm_bytes;  /* 0, 1 or 4 */
    bool lockable;  /* LOCK allowed (else #UD) */
    bool only8;     /* CMPXCHG8B: 8 bytes, no REX.W */
    bool bt_reg;    /* BTx r/m, r: the register is a bit offset */
    bool no_modrm;  /* STOS */
    uint64_t flags; /* RFLAGS bits the architecture defines afterwards */
    bool byte;      /* 1-byte operand (REX.W ignored) */
};

#define ALL_FLAGS   (X86_FLAGS_ARITH | X86_FLAGS_DF)
#define LOGIC_FLAGS (ALL_FLAGS & ~(uint64_t)X86_FLAGS_AF)
#define BT_FLAGS    (X86_FLAGS_CF | X86_FLAGS_DF)

static const struct form forms[] = {
    {"mov_rm_r", X86_OP_MOV, {0x89}, 1, -1, 0, false, false, false, false, ALL_FLAGS, false},
    {"mov_rm_imm32", X86_OP_MOV, {0xc7}, 1, 0, 4, false, false, false, false, ALL_FLAGS, false},
    {"xchg", X86_OP_XCHG, {0x87}, 1, -1, 0, true, false, false, false, ALL_FLAGS, false},
    {"cmpxchg",
     X86_OP_CMPXCHG,
     {0x0f, 0xb1},
     2,
     -1,
     0,
     true,
     false,
     false,
     false,
     ALL_FLAGS,
     false},
    {"cmpxchg8b",
     X86_OP_CMPXCHG8B,
     {0x0f, 0xc7},
     2,
     1,
     0,
     true,
     true,
     false,
     false,
     ALL_FLAGS,
     false},
    {"and_rm_r", X86_OP_AND, {0x21}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, false},
    {"or_rm_r", X86_OP_OR, {0x09}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, false},
    {"xor_rm_r", X86_OP_XOR, {0x31}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, false},
    {"add_rm_r", X86_OP_ADD, {0x01}, 1, -1, 0, true, false, false, false, ALL_FLAGS, false},
    {"sub_rm_r", X86_OP_SUB, {0x29}, 1, -1, 0, true, false, false, false, ALL_FLAGS, false},
    {"and_imm32", X86_OP_AND, {0x81}, 1, 4, 4, true, false, false, false, LOGIC_FLAGS, false},
    {"or_imm32", X86_OP_OR, {0x81}, 1, 1, 4, true, false, false, false, LOGIC_FLAGS, false},
    {"xor_imm32", X86_OP_XOR, {0x81}, 1, 6, 4, true, false, false, false, LOGIC_FLAGS, false},
    {"add_imm32", X86_OP_ADD, {0x81}, 1, 0, 4, true, false, false, false, ALL_FLAGS, false},
    {"sub_imm32", X86_OP_SUB, {0x81}, 1, 5, 4, true, false, false, false, ALL_FLAGS, false},
    {"and_imm8", X86_OP_AND, {0x83}, 1, 4, 1, true, false, false, false, LOGIC_FLAGS, false},
    {"or_imm8", X86_OP_OR, {0x83}, 1, 1, 1, true, false, false, false, LOGIC_FLAGS, false},
    {"xor_imm8", X86_OP_XOR, {0x83}, 1, 6, 1, true, false, false, false, LOGIC_FLAGS, false},
    {"add_imm8", X86_OP_ADD, {0x83}, 1, 0, 1, true, false, false, false, ALL_FLAGS, false},
    {"sub_imm8", X86_OP_SUB, {0x83}, 1, 5, 1, true, false, false, false, ALL_FLAGS, false},
    {"bts_rm_r", X86_OP_BTS, {0x0f, 0xab}, 2, -1, 0, true, false, true, false, BT_FLAGS, false},
    {"btr_rm_r", X86_OP_BTR, {0x0f, 0xb3}, 2, -1, 0, true, false, true, false, BT_FLAGS, false},
    {"btc_rm_r", X86_OP_BTC, {0x0f, 0xbb}, 2, -1, 0, true, false, true, false, BT_FLAGS, false},
    {"bts_imm8", X86_OP_BTS, {0x0f, 0xba}, 2, 5, 1, true, false, false, false, BT_FLAGS, false},
    {"btr_imm8", X86_OP_BTR, {0x0f, 0xba}, 2, 6, 1, true, false, false, false, BT_FLAGS, false},
    {"btc_imm8", X86_OP_BTC, {0x0f, 0xba}, 2, 7, 1, true, false, false, false, BT_FLAGS, false},
    {"stos", X86_OP_STOS, {0xab}, 1, -1, 0, false, false, false, true, ALL_FLAGS, false},
    /* Byte forms: Linux's set_bit/clear_bit on a constant bit are LOCK ORB/ANDB. */
    {"mov_rm8_r8", X86_OP_MOV, {0x88}, 1, -1, 0, false, false, false, false, ALL_FLAGS, true},
    {"mov_rm8_imm8", X86_OP_MOV, {0xc6}, 1, 0, 1, false, false, false, false, ALL_FLAGS, true},
    {"xchg8", X86_OP_XCHG, {0x86}, 1, -1, 0, true, false, false, false, ALL_FLAGS, true},
    {"cmpxchg8",
     X86_OP_CMPXCHG,
     {0x0f, 0xb0},
     2,
     -1,
     0,
     true,
     false,
     false,
     false,
     ALL_FLAGS,
     true},
    {"and_rm8_r8", X86_OP_AND, {0x20}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, true},
    {"or_rm8_r8", X86_OP_OR, {0x08}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, true},
    {"xor_rm8_r8", X86_OP_XOR, {0x30}, 1, -1, 0, true, false, false, false, LOGIC_FLAGS, true},
    {"add_rm8_r8", X86_OP_ADD, {0x00}, 1, -1, 0, true, false, false, false, ALL_FLAGS, true},
    {"sub_rm8_r8", X86_OP_SUB, {0x28}, 1, -1, 0, true, false, false, false, ALL_FLAGS, true},
    {"and_rm8_imm8", X86_OP_AND, {0x80}, 1, 4, 1, true, false, false, false, LOGIC_FLAGS, true},
    {"or_rm8_imm8", X86_OP_OR, {0x80}, 1, 1, 1, true, false, false, false, LOGIC_FLAGS, true},
    {"xor_rm8_imm8", X86_OP_XOR, {0x80}, 1, 6, 1, true, false, false, false, LOGIC_FLAGS, true},
    {"add_rm8_imm8", X86_OP_ADD, {0x80}, 1, 0, 1, true, false, false, false, ALL_FLAGS, true},
    {"sub_rm8_imm8", X86_OP_SUB, {0x80}, 1, 5, 1, true, false, false, false, ALL_FLAGS, true},
};

/* One generated case. */
struct variant {
    uint8_t bytes[32]; /* the encoder may overshoot 15; such cases are redrawn */
    size_t len;
    bool w, lock;
    unsigned int opsize;
    int src; /* register in ModRM reg, or -1 */
    uint64_t imm;
    struct mem_operand m;
    int64_t disp;
};

/* Legacy prefixes that 64-bit mode ignores, plus LOCK, in random order;
 * sometimes a REX that a following legacy prefix cancels. */
static size_t emit_prefixes(uint8_t *p, bool lock)
{
    static const uint8_t seg[] = {0x26, 0x2e, 0x36, 0x3e};
    size_t n = 0, nseg = rnd_below(4) == 0 ? 1 + rnd_below(2) : 0;
    size_t lock_at = rnd_below((unsigned int)nseg + 1);

    for (size_t i = 0; i <= nseg; i++) {
        if (lock && i == lock_at)
            p[n++] = 0xf0;
        if (i < nseg) {
            if (rnd_below(4) == 0)
                p[n++] = (uint8_t)(0x40 | rnd_below(16)); /* dead REX */
            p[n++] = seg[rnd_below(ARRAY_SIZE(seg))];
        }
    }
    return n;
}

/* Encode v (prefixes, REX, opcode, ModRM/SIB/disp, imm) into v->bytes. */
static void encode(const struct form *f, struct variant *v)
{
    const struct mem_operand *m = &v->m;
    uint8_t *p = v->bytes, rex = 0x40;
    int reg = f->reg_field >= 0 ? f->reg_field : (v->src >= 0 ? v->src : 0);
    size_t n = emit_prefixes(p, v->lock), rex_at;
    bool sib = m->force_sib || m->index >= 0 || m->base < 0 || (m->base & 7) == 4;
    unsigned int mod, rm;

    if (m->rip)
        sib = false;
    rex_at = n++; /* always room; dropped below when not needed */
    if (v->w)
        rex |= 8;
    if ((reg & 8) || (f->reg_field >= 0 && rnd_below(4) == 0))
        rex |= 4; /* REX.R is ignored when ModRM reg is an opcode extension */
    if (!f->no_modrm) {
        if (m->index >= 0 && (m->index & 8))
            rex |= 2;
        if (m->base >= 0 && (m->base & 8))
            rex |= 1;
    }
    for (int i = 0; i < f->opc_len; i++)
        p[n++] = f->opc[i];
    if (!f->no_modrm) {
        mod = m->disp_size == 1 ? 1 : m->disp_size == 4 ? 2 : 0;
        if (m->rip || m->base < 0)
            mod = 0; /* disp32 without base */
        rm = m->rip ? 5 : sib ? 4 : (unsigned int)(m->base & 7);
        p[n++] = (uint8_t)(mod << 6 | (unsigned int)(reg & 7) << 3 | rm);
        if (sib) {
            unsigned int ss = m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0;
            unsigned int idx = m->index >= 0 ? (unsigned int)m->index & 7 : 4;
            unsigned int base = m->base >= 0 ? (unsigned int)m->base & 7 : 5;

            p[n++] = (uint8_t)(ss << 6 | idx << 3 | base);
        }
        for (int i = 0; i < (m->rip || m->base < 0 ? 4 : m->disp_size); i++)
            p[n++] = (uint8_t)((uint64_t)v->disp >> (8 * i));
    }
    for (int i = 0; i < f->imm_bytes; i++)
        p[n++] = (uint8_t)(v->imm >> (8 * i));
    /* Keep a REX without bits sometimes: it changes nothing. */
    if (rex == 0x40 && rnd_below(2)) {
        memmove(p + rex_at, p + rex_at + 1, n - rex_at - 1);
        n--;
    } else {
        p[rex_at] = rex;
        if (rnd_below(8) == 0) { /* an earlier REX: only the last one counts */
            memmove(p + rex_at + 1, p + rex_at, n - rex_at);
            p[rex_at] = (uint8_t)(0x40 | rnd_below(16));
            n++;
        }
    }
    v->len = n;
}

/* Random addressing: base, index, scale, displacement size. */
static void pick_mem_operand(struct mem_operand *m)
{
    unsigned int kind = rnd_below(10);

    memset(m, 0, sizeof(*m));
    m->base = (int)rnd_below(16);
    m->index = -1;
    m->scale = 1u << rnd_below(4);
    m->disp_size = (int[]){0, 1, 4}[rnd_below(3)];
    m->force_sib = rnd_below(4) == 0;
    if (kind < 4) {
        m->index = (int)rnd_below(16);
        if (m->index == X86_RSP)
            m->index = -1;
    } else if (kind == 4) {
        m->rip = true;
        m->base = -1;
        m->disp_size = 4;
    } else if (kind == 5) {
        m->base = -1; /* absolute disp32, or index*scale + disp32 */
        m->index = rnd_below(2) ? (int)rnd_below(16) : -1;
        if (m->index == X86_RSP)
            m->index = -1;
        m->disp_size = 4;
    }
    if (m->base >= 0 && (m->base & 7) == 5 && m->disp_size == 0)
        m->disp_size = 1; /* mod 0 with RBP/R13 means something else */
}

static int64_t rnd_disp(int size)
{
    if (size == 0)
        return 0;
    if (size == 1)
        return (int8_t)rnd();
    return rnd_below(2) ? (int8_t)rnd() : (int32_t)(rnd() & 0xfffff) - 0x80000;
}

/* The address the CPU will write, by the test's own reading of the SDM. */
static uint64_t model_ea(const struct form *f, const struct variant *v, const uint64_t *gpr,
                         uint64_t rip)
{
    uint64_t ea;

    if (f->no_modrm)
        return gpr[X86_RDI];
    ea = (uint64_t)v->disp;
    if (v->m.rip)
        ea += rip + v->len;
    if (v->m.base >= 0)
        ea += gpr[v->m.base];
    if (v->m.index >= 0)
        ea += gpr[v->m.index] * v->m.scale;
    if (f->bt_reg) {
        int64_t off = v->w ? (int64_t)gpr[v->src] : (int32_t)(uint32_t)gpr[v->src];
        /* Floor division by the width: unit = off >> 6 (or >> 5). */
        ea += (uint64_t)(off >> (v->w ? 6 : 5)) * v->opsize;
    }
    return ea;
}

/*
 * Choose registers so that the operand lands at target. Registers not
 * needed for addressing stay random. false if this combination cannot
 * reach target (the caller draws another).
 */
static bool aim(const struct form *f, struct variant *v, uint64_t *gpr, uint64_t rip,
                uint64_t target)
{
    struct mem_operand *m = &v->m;
    uint64_t rest;

    if (f->no_modrm) {
        gpr[X86_RDI] = target;
        encode(f, v);
        return v->len <= X86_MAX_INSN_LEN;
    }
    if (m->index >= 0 && rnd_below(2))
        gpr[m->index] = (uint64_t)(int64_t)(int16_t)rnd(); /* small, maybe negative */
    v->disp = rnd_disp(m->disp_size);
    encode(f, v); /* length needed for RIP-relative */
    if (m->rip) {
        v->disp = (int64_t)(target - (rip + v->len));
    } else if (m->base >= 0) {
        /* Solve for the base, then check (it may also be index or offset). */
        v->disp = rnd_disp(m->disp_size);
        gpr[m->base] = 0;
        rest = model_ea(f, v, gpr, rip);
        gpr[m->base] = target - rest;
    } else if (m->index >= 0) {
        int64_t d = rnd_disp(4);
        uint64_t adj;

        v->disp = 0;
        gpr[m->index] = 0;
        adj = model_ea(f, v, gpr, rip);
        /* index * scale must make up the rest exactly. */
        d -= (int64_t)(((uint64_t)d - (target - adj)) & (m->scale - 1));
        v->disp = d;
        gpr[m->index] = (target - adj - (uint64_t)d) / m->scale;
    } else {
        v->disp = 0;
        v->disp = (int64_t)(target - model_ea(f, v, gpr, rip));
    }
    if (v->disp != (int64_t)(int32_t)v->disp ||
        (m->disp_size == 1 && !m->rip && m->base >= 0 && v->disp != (int8_t)v->disp) ||
        (m->disp_size == 0 && !m->rip && m->base >= 0 && v->disp != 0))
        return false;
    encode(f, v);
    return v->len <= X86_MAX_INSN_LEN && model_ea(f, v, gpr, rip) == target;
}

/* ---- Comparing CPU and emulator ---------------------------------------- */

static void dump_case(const char *what, const struct variant *v, uint64_t seed)
{
    char hex[3 * X86_MAX_INSN_LEN + 1] = "";

    for (size_t i = 0; i < v->len; i++)
        sprintf(hex + 3 * i, "%02x ", v->bytes[i]);
    print_message("%s: bytes %s(seed %#llx)\n", what, hex, (unsigned long long)seed);
}

static void regs_from_state(struct cpu_regs *r, const struct cpu_state *st, uint64_t rip)
{
    memset(r, 0, sizeof(*r));
    for (unsigned int i = 0; i < 16; i++)
        *x86_gpr_ptr(r, i) = st->gpr[i];
    r->rflags = st->rflags;
    r->rip = rip;
}

/* Decode from an exact-size heap copy, so ASan sees any read past len. */
static int decode_exact(const uint8_t *bytes, size_t len, struct x86_insn *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, bytes, len);
    rc = x86_decode(copy, len, out);
    free(copy);
    return rc;
}

static bool check_one(const struct form *f, uint64_t seed)
{
    struct variant v;
    struct cpu_state init, cpu;
    struct cpu_regs emu;
    struct x86_insn insn;
    uint64_t word_off, target, rip, before[512], expect[512], new_word = 0;
    size_t at = rnd_below(64);
    unsigned int tries = 0;

    rng_state = seed;
    memset(&v, 0, sizeof(v));
    do {
        if (++tries > 1000)
            fail_msg("%s: could not aim an operand", f->name);
        v.w = f->only8 ? false : rnd_below(2);
        v.opsize = f->byte ? 1 : f->only8 || v.w ? 8 : 4;
        v.lock = f->lockable && rnd_below(2);
        v.src = f->reg_field < 0 && !f->no_modrm ? (int)rnd_below(16) : -1;
        v.imm = rnd_value();
        pick_mem_operand(&v.m);
        for (int i = 0; i < 16; i++)
            init.gpr[i] = rnd_value();
        if (f->bt_reg)
            init.gpr[v.src] =
                rnd_below(3) ? (uint64_t)(int64_t)(int16_t)(rnd() % 600 - 300) : rnd_value();
        /* Target word in the data page away from its edges, operand anywhere inside. */
        for (unsigned int i = 0; i < 512; i++)
            ((uint64_t *)DATA)[i] = before[i] = rnd_value();
        word_off = 8 * (1 + rnd_below(510));
        target = (uint64_t)(uintptr_t)(DATA + word_off) + rnd_below(9 - v.opsize);
        rip = (uint64_t)(uintptr_t)(CODE + at);
        /* Compare-exchange: make the comparison succeed half the time. */
        if (f->op == X86_OP_CMPXCHG && rnd_below(2)) {
            uint64_t cur = 0;
            memcpy(&cur, (uint8_t *)(uintptr_t)target, v.opsize);
            init.gpr[X86_RAX] = v.opsize == 8 ? cur : (rnd() << (8 * v.opsize)) | cur;
        } else if (f->op == X86_OP_CMPXCHG8B && rnd_below(2)) {
            uint64_t cur;
            memcpy(&cur, (uint8_t *)(uintptr_t)target, 8);
            init.gpr[X86_RAX] = (rnd() << 32) | (uint32_t)cur;
            init.gpr[X86_RDX] = (rnd() << 32) | (cur >> 32);
        }
    } while (!aim(f, &v, init.gpr, rip, target));
    /* Random arithmetic flags and DF; IF and the reserved bit 1 as the CPU has them. */
    init.rflags = 0x202 | (rnd() & (X86_FLAGS_ARITH | X86_FLAGS_DF));

    cpu = init;
    if (run_on_cpu(v.bytes, v.len, at, &cpu) != 0) {
        dump_case("CPU faulted", &v, seed);
        return false;
    }

    if (decode_exact(v.bytes, v.len, &insn) != 0) {
        dump_case("decode refused", &v, seed);
        return false;
    }
    for (size_t k = 0; k < v.len; k++) {
        struct x86_insn t;
        if (decode_exact(v.bytes, k, &t) != -1) {
            dump_case("decoded a truncated prefix", &v, seed);
            return false;
        }
    }
    regs_from_state(&emu, &init, rip);
    if (insn.len != v.len || insn.op != f->op || insn.opsize != v.opsize ||
        insn.lock != (v.lock || f->op == X86_OP_XCHG) || x86_insn_ea(&insn, &emu) != target) {
        dump_case("decoded fields differ", &v, seed);
        return false;
    }
    memcpy(expect, before, sizeof(expect));
    if (x86_emulate_word_write(&insn, (uint64_t)(uintptr_t)(DATA + word_off), before[word_off / 8],
                               &new_word, &emu) != 0) {
        dump_case("emulation refused", &v, seed);
        return false;
    }
    expect[word_off / 8] = new_word;
    if (memcmp(expect, DATA, sizeof(expect)) != 0) {
        dump_case("memory differs", &v, seed);
        print_message("cpu %#llx emulator %#llx old %#llx\n",
                      (unsigned long long)((uint64_t *)DATA)[word_off / 8],
                      (unsigned long long)new_word, (unsigned long long)before[word_off / 8]);
        return false;
    }
    for (unsigned int i = 0; i < 16; i++) {
        if (*x86_gpr_ptr(&emu, i) != cpu.gpr[i]) {
            dump_case("register differs", &v, seed);
            print_message("reg %u: cpu %#llx emulator %#llx\n", i, (unsigned long long)cpu.gpr[i],
                          (unsigned long long)*x86_gpr_ptr(&emu, i));
            return false;
        }
    }
    if ((emu.rflags ^ cpu.rflags) & f->flags) {
        dump_case("flags differ", &v, seed);
        print_message("cpu %#llx emulator %#llx (init %#llx)\n", (unsigned long long)cpu.rflags,
                      (unsigned long long)emu.rflags, (unsigned long long)init.rflags);
        return false;
    }
    if (emu.rip != rip + v.len) {
        dump_case("rip not advanced", &v, seed);
        return false;
    }
    return true;
}

#define CPU_CASES 3000

static void test_against_cpu(void **state)
{
    const struct form *f = *state;
    unsigned int failures = 0;

    for (uint64_t i = 0; i < CPU_CASES; i++) {
        uint64_t seed = 0x9e3779b97f4a7c15ull * (i + 1) ^ (uint64_t)(uintptr_t)(f - forms) << 40;

        if (!check_one(f, seed | 1) && ++failures >= 5)
            break;
    }
    assert_int_equal(failures, 0);
}

/* ---- Hand-written encodings ---------------------------------------------- */

static struct x86_insn decode_ok(const uint8_t *b, size_t n)
{
    struct x86_insn insn;

    assert_int_equal(decode_exact(b, n, &insn), 0);
    assert_int_equal(insn.len, n);
    return insn;
}

#define DECODE_OK(...)                                                                             \
    decode_ok((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
#define DECODE_FAILS(...)                                                                          \
    do {                                                                                           \
        const uint8_t b_[] = {__VA_ARGS__};                                                        \
        struct x86_insn i_;                                                                        \
        assert_int_equal(decode_exact(b_, sizeof(b_), &i_), -1);                                   \
    } while (0)

/* What Linux's PTE helpers compile to. */
static void test_linux_encodings(void **state)
{
    struct x86_insn i;

    (void)state;
    i = DECODE_OK(0x48, 0x89, 0x37); /* mov %rsi,(%rdi): native_set_pte */
    assert_int_equal(i.op, X86_OP_MOV);
    assert_int_equal(i.opsize, 8);
    assert_int_equal(i.src_reg, X86_RSI);
    assert_int_equal(i.base_reg, X86_RDI);
    assert_int_equal(i.index_reg, -1);
    assert_false(i.lock);
    i = DECODE_OK(0x48, 0x87, 0x07); /* xchg %rax,(%rdi): ptep_get_and_clear */
    assert_int_equal(i.op, X86_OP_XCHG);
    assert_true(i.lock);
    i = DECODE_OK(0xf0, 0x48, 0x0f, 0xb3, 0x07); /* lock btr %rax,(%rdi) */
    assert_int_equal(i.op, X86_OP_BTR);
    assert_false(i.src_is_imm);
    assert_int_equal(i.src_reg, X86_RAX);
    assert_true(i.lock);
    i = DECODE_OK(0xf0, 0x48, 0x0f, 0xba, 0x37, 0x01); /* lock btrq $1,(%rdi) */
    assert_int_equal(i.op, X86_OP_BTR);
    assert_true(i.src_is_imm);
    assert_int_equal(i.imm, 1);
    i = DECODE_OK(0xf0, 0x49, 0x0f, 0xb1, 0x14, 0xc4); /* lock cmpxchg %rdx,(%r12,%rax,8) */
    assert_int_equal(i.op, X86_OP_CMPXCHG);
    assert_int_equal(i.base_reg, X86_R12);
    assert_int_equal(i.index_reg, X86_RAX);
    assert_int_equal(i.scale, 8);
    i = DECODE_OK(0x4c, 0x89, 0x05, 0xf0, 0xff, 0xff, 0xff); /* mov %r8,-0x10(%rip) */
    assert_true(i.rip_relative);
    assert_int_equal(i.src_reg, X86_R8);
    assert_int_equal(i.disp, -16);
    i = DECODE_OK(0x48, 0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff); /* movq $-1,8(%rsp) */
    assert_int_equal(i.base_reg, X86_RSP);
    assert_true(i.src_is_imm);
    assert_int_equal(i.imm, ~0ull);
    i = DECODE_OK(0x40, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00); /* mov %eax,0x1000 */
    assert_int_equal(i.base_reg, -1);
    assert_int_equal(i.index_reg, -1);
    assert_int_equal(i.disp, 0x1000);
    i = DECODE_OK(0x41, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00);
    assert_int_equal(i.base_reg, -1); /* SIB base 5 with mod 0 has no base, even with REX.B */
    assert_int_equal(i.index_reg, -1);
    i = DECODE_OK(0x4a, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00);
    assert_int_equal(i.index_reg, X86_R12); /* index 4 + REX.X is r12, not "none" */
    assert_int_equal(i.opsize, 8);
    i = DECODE_OK(0x41, 0x89, 0x45, 0x00); /* mov %eax,0(%r13): mod 1 needed for r13 */
    assert_int_equal(i.base_reg, X86_R13);
    i = DECODE_OK(0x41, 0x89, 0x05, 0, 0, 0, 0); /* rm 5 + REX.B, mod 0: still RIP-relative */
    assert_true(i.rip_relative);
    i = DECODE_OK(0x48, 0x3e, 0x89, 0x07); /* REX before a legacy prefix is ignored */
    assert_int_equal(i.opsize, 4);
    i = DECODE_OK(0xf0, 0x80, 0x27, 0xfd); /* lock andb $0xfd,(%rdi): clear_bit */
    assert_int_equal(i.op, X86_OP_AND);
    assert_int_equal(i.opsize, 1);
    assert_int_equal(i.imm, (uint64_t)-3);
    i = DECODE_OK(0x88, 0x27); /* mov %ah,(%rdi) */
    assert_int_equal(i.src_reg, X86_RAX);
    assert_true(i.src_high_byte);
    i = DECODE_OK(0x40, 0x88, 0x27); /* mov %spl,(%rdi): any REX selects SPL, not AH */
    assert_int_equal(i.src_reg, X86_RSP);
    assert_false(i.src_high_byte);
    i = DECODE_OK(0x48, 0xab); /* stosq */
    assert_int_equal(i.op, X86_OP_STOS);
    assert_int_equal(i.opsize, 8);
}

/* Register destinations are not memory writes. */
static void test_refuses_register_forms(void **state)
{
    (void)state;
    DECODE_FAILS(0x48, 0x89, 0xc7);
    DECODE_FAILS(0x48, 0xc7, 0xc0, 1, 0, 0, 0);
    DECODE_FAILS(0x48, 0x87, 0xc0);
    DECODE_FAILS(0x48, 0x0f, 0xb1, 0xd0);
    DECODE_FAILS(0x0f, 0xc7, 0xc8);
    DECODE_FAILS(0x48, 0x21, 0xc0);
    DECODE_FAILS(0x48, 0x81, 0xc0, 1, 0, 0, 0);
    DECODE_FAILS(0x48, 0x83, 0xe8, 1);
    DECODE_FAILS(0x48, 0x0f, 0xab, 0xc0);
    DECODE_FAILS(0x48, 0x0f, 0xba, 0xe8, 3);
}

static void test_refuses_other_opcodes(void **state)
{
    (void)state;
    DECODE_FAILS(0xc6, 0x0f, 1);                /* c6 /1 */
    DECODE_FAILS(0x80, 0x17, 1);                /* adc r/m8, imm8 */
    DECODE_FAILS(0x80, 0x3f, 1);                /* cmp r/m8, imm8 */
    DECODE_FAILS(0x38, 0x07);                   /* cmp r/m8 */
    DECODE_FAILS(0x84, 0x07);                   /* test r/m8 */
    DECODE_FAILS(0x10, 0x07);                   /* adc r/m8 */
    DECODE_FAILS(0xfe, 0x07);                   /* inc r/m8 */
    DECODE_FAILS(0x0f, 0xc0, 0x07);             /* xadd r/m8 */
    DECODE_FAILS(0x48, 0x8b, 0x07);             /* a load */
    DECODE_FAILS(0x48, 0x39, 0x07);             /* cmp */
    DECODE_FAILS(0x48, 0x85, 0x07);             /* test */
    DECODE_FAILS(0x48, 0x11, 0x07);             /* adc */
    DECODE_FAILS(0x48, 0x19, 0x07);             /* sbb */
    DECODE_FAILS(0x48, 0x81, 0x17, 1, 0, 0, 0); /* adc imm */
    DECODE_FAILS(0x48, 0x81, 0x1f, 1, 0, 0, 0); /* sbb imm */
    DECODE_FAILS(0x48, 0x81, 0x3f, 1, 0, 0, 0); /* cmp imm */
    DECODE_FAILS(0x48, 0x83, 0x3f, 1);          /* cmp imm8 */
    DECODE_FAILS(0x48, 0xc7, 0x0f, 1, 0, 0, 0); /* c7 /1 */
    DECODE_FAILS(0x48, 0x0f, 0xba, 0x27, 1);    /* bt: reads only */
    DECODE_FAILS(0x48, 0x0f, 0xa3, 0x07);       /* bt r */
    DECODE_FAILS(0x48, 0x0f, 0xc1, 0x07);       /* xadd */
    DECODE_FAILS(0x0f, 0xc7, 0x37);             /* vmptrld */
    DECODE_FAILS(0xaa);                         /* stosb */
    DECODE_FAILS(0x48, 0xff, 0x07);             /* inc */
    DECODE_FAILS(0x48, 0xf7, 0x1f);             /* neg */
    DECODE_FAILS(0x90);
    DECODE_FAILS(0x0f, 0x0b); /* ud2 */
}

/* 2-byte operands, FS/GS, address size, REP, misplaced LOCK. */
static void test_refuses_prefixes(void **state)
{
    (void)state;
    DECODE_FAILS(0x66, 0x89, 0x07);
    DECODE_FAILS(0x66, 0x0f, 0xb1, 0x17);
    DECODE_FAILS(0x66, 0x0f, 0xc7, 0x0f);
    DECODE_FAILS(0x66, 0x83, 0x27, 1);
    DECODE_FAILS(0xf0, 0x88, 0x07); /* lock mov byte: #UD */
    DECODE_FAILS(0x64, 0x48, 0x89, 0x07);
    DECODE_FAILS(0x65, 0x48, 0x89, 0x07);
    DECODE_FAILS(0x67, 0x48, 0x89, 0x07);
    DECODE_FAILS(0xf3, 0x48, 0xab); /* rep stosq */
    DECODE_FAILS(0xf2, 0xf0, 0x48, 0x0f, 0xb1, 0x17);
    DECODE_FAILS(0xf0, 0x48, 0x89, 0x07); /* lock mov: #UD */
    DECODE_FAILS(0xf0, 0x48, 0xc7, 0x07, 1, 0, 0, 0);
    DECODE_FAILS(0xf0, 0x48, 0xab);
}

static void test_length_limit(void **state)
{
    uint8_t b[32];
    struct x86_insn insn;

    (void)state;
    for (size_t pre = 0; pre < 20; pre++) {
        memset(b, 0x3e, pre);
        b[pre] = 0x48;
        b[pre + 1] = 0x89;
        b[pre + 2] = 0x07;
        /* Legal up to 15 bytes in all; beyond that the CPU raises #GP. */
        assert_int_equal(decode_exact(b, pre + 3, &insn), pre + 3 <= 15 ? 0 : -1);
        if (pre + 3 <= 15)
            assert_int_equal(insn.len, pre + 3);
    }
    assert_int_equal(decode_exact(b, 0, &insn), -1);
}

/* ---- Emulation edges ---------------------------------------------------- */

static struct cpu_regs regs_with_rdi(uint64_t rdi)
{
    struct cpu_regs r;

    memset(&r, 0, sizeof(r));
    r.rdi = rdi;
    r.rsi = 0x1122334455667788ull;
    r.rip = 0x1000;
    r.rflags = 0x202;
    return r;
}

/* A refusal leaves the registers and the new word untouched. */
static void expect_refused(const struct x86_insn *insn, uint64_t word, struct cpu_regs r)
{
    struct cpu_regs orig = r;
    uint64_t nw = 0xdeadbeef;

    assert_int_equal(x86_emulate_word_write(insn, word, 0, &nw, &r), -1);
    assert_memory_equal(&r, &orig, sizeof(r));
    assert_int_equal(nw, 0xdeadbeef);
}

static void test_straddling_refused(void **state)
{
    struct x86_insn q = DECODE_OK(0x48, 0x89, 0x37); /* mov %rsi,(%rdi) */
    struct x86_insn d = DECODE_OK(0x89, 0x37);       /* mov %esi,(%rdi) */
    struct x86_insn bt = DECODE_OK(0x48, 0x0f, 0xab, 0x07);
    struct cpu_regs r;
    uint64_t nw;

    (void)state;
    for (uint64_t off = 1; off < 8; off++)
        expect_refused(&q, 0x8000, regs_with_rdi(0x8000 + off));
    for (uint64_t off = 5; off < 8; off++)
        expect_refused(&d, 0x8000, regs_with_rdi(0x8000 + off));
    expect_refused(&q, 0x8000, regs_with_rdi(0x7ff8)); /* below the word */
    expect_refused(&q, 0x8000, regs_with_rdi(0x8008)); /* just after */
    expect_refused(&q, 0x8004, regs_with_rdi(0x8004)); /* word not aligned */
    expect_refused(&q, 0, regs_with_rdi(~0ull - 3));   /* wraps around */

    /* 32-bit store at offset 4: the high half only. */
    r = regs_with_rdi(0x8004);
    assert_int_equal(x86_emulate_word_write(&d, 0x8000, 0xaaaaaaaabbbbbbbbull, &nw, &r), 0);
    assert_int_equal(nw, 0x55667788bbbbbbbbull);
    assert_int_equal(r.rip, 0x1000 + d.len);

    /* BTS with register offset 64 selects the next word: refused here. */
    r = regs_with_rdi(0x8000);
    r.rax = 64;
    expect_refused(&bt, 0x8000, r);
    assert_int_equal(x86_insn_ea(&bt, &r), 0x8008);
    r.rax = (uint64_t)-1; /* bit 63 of the previous word */
    assert_int_equal(x86_insn_ea(&bt, &r), 0x7ff8);
    assert_int_equal(x86_emulate_word_write(&bt, 0x7ff8, 0, &nw, &r), 0);
    assert_int_equal(nw, 1ull << 63);
    assert_false(r.rflags & X86_FLAGS_CF);
}

static void test_cmpxchg16b_refused(void **state)
{
    struct x86_insn i = DECODE_OK(0xf0, 0x48, 0x0f, 0xc7, 0x0f); /* lock cmpxchg16b (%rdi) */

    (void)state;
    assert_int_equal(i.op, X86_OP_CMPXCHG16B);
    assert_int_equal(i.opsize, 16);
    expect_refused(&i, 0x8000, regs_with_rdi(0x8000));
}

/* CMPXCHG failing: the word is unchanged and RAX gets the old value. */
static void test_cmpxchg_failure(void **state)
{
    struct x86_insn i = DECODE_OK(0xf0, 0x48, 0x0f, 0xb1, 0x37);
    struct cpu_regs r = regs_with_rdi(0x8000);
    uint64_t nw = 0;

    (void)state;
    r.rax = 5;
    assert_int_equal(x86_emulate_word_write(&i, 0x8000, 7, &nw, &r), 0);
    assert_int_equal(nw, 7);
    assert_int_equal(r.rax, 7);
    assert_false(r.rflags & X86_FLAGS_ZF);
    r.rax = 7;
    assert_int_equal(x86_emulate_word_write(&i, 0x8000, 7, &nw, &r), 0);
    assert_int_equal(nw, r.rsi);
    assert_true(r.rflags & X86_FLAGS_ZF);
}

int main(void)
{
    struct CMUnitTest tests[ARRAY_SIZE(forms) + 8];
    char names[ARRAY_SIZE(forms)][48];
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        snprintf(names[i], sizeof(names[i]), "cpu_%s", forms[i].name);
        tests[n++] = (struct CMUnitTest){
            .name = names[i],
            .test_func = test_against_cpu,
            .initial_state = (void *)&forms[i],
        };
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_linux_encodings);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuses_register_forms);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuses_other_opcodes);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuses_prefixes);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_length_limit);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_straddling_refused);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cmpxchg16b_refused);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cmpxchg_failure);
    return _cmocka_run_group_tests("x86_emulate", tests, n, setup_arena, teardown_arena);
}
