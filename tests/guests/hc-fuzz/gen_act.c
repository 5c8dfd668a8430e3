/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: steps that are not hypercalls but reach the hypervisor all the
 * same. Memory touches (reads, value-preserving locked writes, and writes of
 * page-table entries into our read-only mapped tables: the writable-page-table
 * emulation), privileged instructions the hypervisor emulates or refuses, and
 * the iret hypercall with a generated return context.
 *
 * Every instruction that may fault is in the exception table; a touch writes
 * a changed value only into the playground's own tables, never through a
 * mapping the grammar made (that could be an alias of the guest's code).
 */
#include <lamina/mmu.h>
#include <lamina/traps.h>

#include "env.h"

/* --- Memory ---------------------------------------------------------------------- */

static int try_or0(uint64_t va)
{
    int fault = 0;
    __asm__ volatile("1: lock orq $0, (%1)\n\t"
                     "jmp 3f\n"
                     "2: movl $1, %0\n"
                     "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(fault)
                     : "r"(va)
                     : "memory");
    return fault;
}

static int try_write32(uint64_t va, uint32_t v)
{
    int fault = 0;
    __asm__ volatile("1: movl %2, (%1)\n\t"
                     "jmp 3f\n"
                     "2: movl $1, %0\n"
                     "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(fault)
                     : "r"(va), "r"(v)
                     : "memory");
    return fault;
}

static int try_cmpxchg(uint64_t va, uint64_t old, uint64_t new)
{
    int fault = 0;
    __asm__ volatile("1: lock cmpxchgq %3, (%1)\n\t"
                     "jmp 3f\n"
                     "2: movl $1, %0\n"
                     "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(fault), "+r"(va), "+a"(old)
                     : "r"(new)
                     : "memory");
    return fault;
}

static void touch(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t va = c->a[1], v;
    (void)w;
    switch (c->a[0]) {
    case 0:
        c->rc = mm_try_read((volatile uint64_t *)va, &v);
        break;
    case 1:
        c->rc = try_or0(va);
        break;
    case 2:
        c->rc = mm_try_write((volatile uint64_t *)va, c->a[2]);
        break;
    case 3:
        c->rc = try_write32(va, (uint32_t)c->a[2]);
        break;
    default:
        c->rc = mm_try_read((volatile uint64_t *)va, &v) ? 1 : try_cmpxchg(va, v, c->a[2]);
        break;
    }
}

/* A VA of one of the playground's tables as the region maps it (read-only). */
static uint64_t table_alias(struct hcf_worker *w)
{
    const struct hcf_env *e = &hcf_env;
    uint64_t r = hcf_below(w, 4);
    uint64_t i = 8 * hcf_below(w, 512);
    if (r == 0)
        return (uint64_t)e->play.l1 + i;
    if (r == 1)
        return (uint64_t)e->play.l2 + i;
    if (r == 2)
        return (uint64_t)e->play.l3 + i;
    return (uint64_t)e->table_va[hcf_below(w, HCF_TABLES)] + i;
}

void hcf_gen_touch(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t kind = hcf_below(w, 5);
    c->action = touch;
    c->a[0] = kind;
    if (kind <= 1) {
        uint64_t va = hcf_va(w);
        if (hcf_chance(w, 10))
            va = (va | 0xfff) - 3; /* straddles a page boundary */
        c->a[1] = va;
    } else {
        c->a[1] = table_alias(w);
        c->a[2] = hcf_chance(w, 10) ? 0 : hcf_pte(w, FRM_NOT_LIVE);
        if (kind == 3 && hcf_chance(w, 50))
            c->a[1] += 4; /* the high half of an entry */
    }
    hcf_note(w, " touch %lu %lx", (unsigned long)kind, (unsigned long)c->a[1]);
}

/* --- Privileged instructions ----------------------------------------------------- */

#define TRY(insn, ...) __asm__ volatile("1: " insn "\n2:\n\t" LAM_ASM_EXTABLE(1b, 2b) __VA_ARGS__)

static void privop(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t a = c->a[1], b = c->a[2], d = c->a[3];
    uint32_t lo = (uint32_t)b, hi = (uint32_t)(b >> 32);
    (void)w;
    switch (c->a[0]) {
    case 0:
        TRY("rdmsr", : "+a"(lo), "+d"(hi) : "c"((uint32_t)a));
        break;
    case 1:
        TRY("wrmsr", : : "c"((uint32_t)a), "a"(lo), "d"(hi));
        break;
    case 2:
        TRY("mov %%cr0, %0", : "+r"(a));
        TRY("mov %%cr2, %0", : "+r"(a));
        TRY("mov %%cr3, %0", : "+r"(a));
        TRY("mov %%cr4, %0", : "+r"(a));
        break;
    case 3: { /* CR0: toggle TS (or more), then back */
        uint64_t cr0 = 0;
        TRY("mov %%cr0, %0", : "+r"(cr0));
        uint64_t v = cr0 ^ (b & 0x8) ^ (d & 0xe0000020);
        TRY("mov %0, %%cr0", : : "r"(v));
        TRY("clts");
        break;
    }
    case 4: { /* CR4: bits flipped */
        uint64_t cr4 = 0;
        TRY("mov %%cr4, %0", : "+r"(cr4));
        uint64_t v = cr4 ^ b;
        TRY("mov %0, %%cr4", : : "r"(v));
        break;
    }
    case 5: { /* CR3 written back as it is (a flush; another value is a NEW_BASEPTR) */
        uint64_t cr3 = 0;
        TRY("mov %%cr3, %0", : "+r"(cr3));
        TRY("mov %0, %%cr3", : : "r"(cr3));
        break;
    }
    case 6: {
        uint16_t port = (uint16_t)a;
        uint32_t val = lo;
        if (hcf_env.privileged) /* the control domain owns real ports: POST only */
            port = 0x80;
        if (b & 1)
            TRY("inl %%dx, %%eax", : "+a"(val) : "d"(port));
        else if (b & 2)
            TRY("outb %%al, %%dx", : : "a"(val), "d"(port));
        else
            TRY("inb %%dx, %%al", : "+a"(val) : "d"(port));
        break;
    }
    case 7:
        TRY("sti");
        TRY("cli");
        break;
    case 8:
        TRY("wbinvd");
        break;
    case 9:
        TRY("xsetbv", : : "c"((uint32_t)a), "a"(lo), "d"(hi));
        break;
    case 10: { /* forced emulation: the hypervisor's CPUID */
        uint32_t eax = (uint32_t)a, ebx = 0, ecx = (uint32_t)b, edx = 0;
        TRY("ud2a; .ascii \"xen\"; cpuid", : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx));
        break;
    }
    case 11:
        TRY("hlt");
        break;
    case 12:
        switch (a & 7) {
        case 0:
            TRY("int $0x80");
            break;
        case 1:
            TRY("int $0x82");
            break;
        case 2:
            TRY("int $0x20");
            break;
        case 3:
            TRY("int $0xff");
            break;
        case 4:
            TRY("int $0x0e");
            break;
        case 5:
            TRY("int $0x08");
            break;
        default:
            TRY("int $0x02");
            break;
        }
        break;
    case 13: {
        uint8_t desc[16] = {0};
        TRY("sgdt %0", : "=m"(desc));
        TRY("sidt %0", : "=m"(desc));
        TRY("lgdt %0", : : "m"(desc));
        TRY("lidt %0", : : "m"(desc));
        uint16_t sel = 0;
        TRY("str %0", : "=r"(sel));
        TRY("sldt %0", : "=r"(sel));
        TRY("lldt %0", : : "r"(sel));
        break;
    }
    case 14:
        TRY("rdpmc", : "+a"(lo), "+d"(hi) : "c"((uint32_t)a));
        break;
    case 15:
        TRY("swapgs");
        break;
    case 16: { /* debug registers by instruction */
        uint64_t v = a;
        uint64_t dr7 = d & (hcf_avoid(HCF_AVOID_DB_WATCH) ? 0xffff0000ULL : 0xffff00ffULL);
        TRY("mov %%db7, %0", : "+r"(v));
        TRY("mov %%db6, %0", : "+r"(v));
        TRY("mov %0, %%db0", : : "r"(b));
        TRY("mov %0, %%db7", : : "r"(dr7));
        break;
    }
    case 17:
        TRY("invlpg (%0)", : : "r"(a) : "memory");
        break;
    case 18: {
        uint16_t msw = 0;
        TRY("smsw %0", : "=r"(msw));
        msw ^= (uint16_t)b;
        TRY("lmsw %0", : : "r"(msw));
        break;
    }
    default: {
        uint32_t aux = 0;
        TRY("rdtscp", : "+a"(lo), "+d"(hi), "+c"(aux));
        break;
    }
    }
    c->rc = lo;
}

void hcf_gen_privop(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint32_t msrs[] = {
        0x10,       0x1b,       0x3a,       0x48,       0x49,       0x8b,       0x174,
        0x175,      0x176,      0x1d9,      0x277,      0x2ff,      0x480,      0x6e0,
        0x802,      0x830,      0xc0000080, 0xc0000081, 0xc0000082, 0xc0000084, 0xc0000100,
        0xc0000101, 0xc0000102, 0xc0000103, 0x40000000, 0x40000200, 0xffffffff, 0};
    static const uint64_t xcr0[] = {0, 1, 2, 3, 7, 5, 0x207, 0xe7, ~0ULL};
    uint64_t kind = hcf_below(w, 20);
    c->action = privop;
    c->a[0] = kind;
    c->a[1] = hcf_chance(w, 80) ? HCF_PICK(w, msrs) : hcf_int(w);
    c->a[2] = hcf_int(w);
    c->a[3] = hcf_u64(w);
    if (kind == 9) {
        c->a[1] = hcf_chance(w, 80) ? 0 : hcf_int(w);
        c->a[2] = HCF_PICK(w, xcr0);
        /* Lowering XCR0 below a saved image's components is an open bug: only x87+SSE
         * (the value it starts with) and values that must be refused. */
        if (hcf_avoid(HCF_AVOID_XCR0) && c->a[2] != 3 && (c->a[2] & 3) == 3)
            c->a[2] = 3;
        if (hcf_avoid(HCF_AVOID_XCR0) && c->a[2] == 1)
            c->a[2] = 0;
    }
    if (kind == 10)
        c->a[2] = hcf_below(w, 4);
    if (kind == 6 && hcf_chance(w, 50)) {
        /* Ports a machine reacts to: the isa-debug-exit device, reset, PIC, PIT, serial. */
        static const uint16_t ports[] = {0xf4,  0xcf9, 0x64, 0x20, 0x21,  0x40,  0x43,
                                         0x3f8, 0x3fd, 0x70, 0x71, 0x604, 0xb004};
        c->a[1] = HCF_PICK(w, ports);
    }
    /* A wrmsr to FS/GS base with a non-canonical value is the open segment-base bug. */
    if (kind == 1 && hcf_avoid(HCF_AVOID_SEGBASE) && (c->a[1] & ~3ULL) == 0xc0000100) {
        uint64_t v = c->a[2];
        if (hcf_noncanonical(v))
            c->a[2] = 0;
    }
    if (kind == 11) /* Xen blocks a PV hlt like SCHEDOP_block */
        c->flags |= HCF_GUARD_WAKE | HCF_REPAIR_MASK;
    if (kind == 7 || kind == 3 || kind == 18)
        c->flags |= HCF_REPAIR_MASK | HCF_REPAIR_FPU;
    if (kind == 16)
        c->flags |= HCF_REPAIR_MASK;
    hcf_note(w, " privop %lu %lx %lx", (unsigned long)kind, (unsigned long)c->a[1],
             (unsigned long)c->a[2]);
}

/* --- The iret hypercall ------------------------------------------------------------- */

long hcf_iret_try(const struct lam_iret_context *ctx, uint64_t *slot);
extern char hcf_iret_landing[];

static void iret(struct hcf_worker *w, struct hcf_call *c)
{
    struct lam_iret_context *ctx = (struct lam_iret_context *)c->a[0];
    struct hcf_cpu_state *s = &hcf_cpu[w->id];
    ctx->rax = (uint64_t)&s->iret_saved_rsp;
    __atomic_store_n(&s->in_iret, 1, __ATOMIC_SEQ_CST);
    c->rc = hcf_iret_try(ctx, &s->iret_saved_rsp);
    __atomic_store_n(&s->in_iret, 0, __ATOMIC_SEQ_CST);
}

/*
 * Only kernel-mode returns: a user-mode return (CS RPL 3) needs a user address space
 * the fuzzer does not keep (it would crash the guest, not the host), and a 32-bit code
 * selector the guest accepted would run the landing pad as 32-bit code. At most one of
 * {selectors, RIP, RSP} is bad at a time, so a fault has a stack to be delivered on.
 */
void hcf_gen_iret(struct hcf_worker *w, struct hcf_call *c)
{
    struct lam_iret_context *ctx = hcf_alloc(w, sizeof(*ctx), 16);
    uint64_t what = hcf_below(w, 4);
    uint16_t cs = hcf_selector(w);
    uint16_t ss = hcf_selector(w);
    uint64_t rip = hcf_code_va(w, (uint64_t)hcf_iret_landing, 1);
    ctx->r11 = hcf_u64(w);
    ctx->rcx = hcf_u64(w);
    ctx->flags = hcf_chance(w, 70) ? 0 : (hcf_chance(w, 50) ? LAM_VGCF_in_syscall : hcf_u64(w));
    ctx->rip = (uint64_t)hcf_iret_landing;
    ctx->cs = LAM_FLAT_KERNEL_CS & ~3ULL;
    ctx->ss = LAM_FLAT_KERNEL_SS;
    ctx->rsp = (uint64_t)w->area + 2 * LAM_PAGE_SIZE - 128;
    /* TF, AC, NT, IOPL, VM, RF, ID and reserved bits; IF unmasks events (repaired). */
    ctx->rflags = 0x2 | (hcf_chance(w, 50) ? 0 : hcf_u64(w) & 0x3f7bd5); /* not DF */
    if (hcf_avoid(HCF_AVOID_IRET_CTX) && (what == 1 || what == 2))
        what = 0; /* the draws are made; the context stays a good one */
    if (what == 1) {
        if ((cs & 3) == 3 || cs == LAM_FLAT_RING3_CS32 || (cs & ~3) == (LAM_FLAT_RING3_CS32 & ~3))
            cs &= ~3; /* keep it a kernel return; 0xe020 is then refused or faults */
        if ((cs & ~3) == (LAM_FLAT_RING3_CS32 & ~3))
            cs = 0xe008;
        ctx->cs = cs;
        ctx->ss = ss;
    } else if (what == 2) {
        ctx->rip = rip;
    } else if (what == 3) {
        ctx->rsp = hcf_int(w);
        ctx->rflags &= ~0x300ULL; /* nothing is delivered on that stack: no IF, no TF */
    }
    hcf_note(w, " iret %lu cs %lx ss %lx rip %lx rsp %lx rflags %lx", (unsigned long)what,
             (unsigned long)ctx->cs, (unsigned long)ctx->ss, (unsigned long)ctx->rip,
             (unsigned long)ctx->rsp, (unsigned long)ctx->rflags);
    c->action = iret;
    c->a[0] = (uint64_t)ctx;
    c->flags |= HCF_REPAIR_MASK;
}
