/* SPDX-License-Identifier: GPL-2.0-only */
/* Thin wrappers around x86 instructions: port I/O, MSRs, control registers, CPUID. */
#ifndef LAMINA_X86_H
#define LAMINA_X86_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER                    0xc0000080
#define MSR_STAR                    0xc0000081
#define MSR_LSTAR                   0xc0000082
#define MSR_CSTAR                   0xc0000083
#define MSR_FMASK                   0xc0000084
#define MSR_FS_BASE                 0xc0000100
#define MSR_GS_BASE                 0xc0000101
#define MSR_KERNEL_GS_BASE          0xc0000102
#define MSR_APIC_BASE               0x1b
#define MSR_PAT                     0x277
#define MSR_TSC_DEADLINE            0x6e0
#define MSR_TSC_AUX                 0xc0000103
#define MSR_UCODE_REV               0x8b
#define MSR_AMD_DE_CFG              0xc0011029
#define AMD_DE_CFG_LFENCE_SERIALISE (1ull << 1)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

#define CR0_PE (1ul << 0)
#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR0_WP (1ul << 16)
#define CR0_PG (1ul << 31)

#define CR4_PAE        (1ul << 5)
#define CR4_PGE        (1ul << 7)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_FSGSBASE   (1ul << 16)
#define CR4_OSXSAVE    (1ul << 18)
#define CR4_SMEP       (1ul << 20)
#define CR4_SMAP       (1ul << 21)

#define X86_EFLAGS_CF   (1ul << 0)
#define X86_EFLAGS_TF   (1ul << 8)
#define X86_EFLAGS_IF   (1ul << 9)
#define X86_EFLAGS_DF   (1ul << 10)
#define X86_EFLAGS_IOPL (3ul << 12)
#define X86_EFLAGS_NT   (1ul << 14)
#define X86_EFLAGS_RF   (1ul << 16)
#define X86_EFLAGS_VM   (1ul << 17)
#define X86_EFLAGS_AC   (1ul << 18)
#define X86_EFLAGS_ID   (1ul << 21)

/* A 48-bit canonical address: bits 63..47 all equal. A segment base, RIP or stack pointer
 * that is not faults when loaded (WRMSR, IRET): check guest values before they get there. */
static inline bool is_canonical_address(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* RDMSR/WRMSR of an MSR the CPU may not have: 0 on success, -1 if it raised #GP (the
 * exception table resumes after the instruction). *val is 0 after a failed read. */
static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    int failed = 0;
    __asm__ volatile("1: rdmsr\n"
                     "   jmp 3f\n"
                     "2: mov $1, %2\n"
                     "3:\n"
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"
                     : "+a"(lo), "+d"(hi), "+r"(failed)
                     : "c"(msr));
    *val = failed ? 0 : ((uint64_t)hi << 32) | lo;
    return failed ? -1 : 0;
}
static inline int wrmsr_safe(uint32_t msr, uint64_t v)
{
    int failed = 0;
    __asm__ volatile("1: wrmsr\n"
                     "   jmp 3f\n"
                     "2: mov $1, %0\n"
                     "3:\n"
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"
                     : "+r"(failed)
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
    return failed ? -1 : 0;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
                               uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    cpuid_count(leaf, 0, a, b, c, d);
}

#define DEFINE_CR(n)                                                                               \
    static inline uint64_t read_cr##n(void)                                                        \
    {                                                                                              \
        uint64_t v;                                                                                \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(uint64_t v)                                                     \
    {                                                                                              \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                                 \
    }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}
static inline void local_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void local_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    __asm__ volatile("pushf; pop %0" : "=r"(f));
    return f;
}
static inline unsigned long local_irq_save(void)
{
    unsigned long f = local_save_flags();
    local_irq_disable();
    return f;
}
static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_EFLAGS_IF)
        local_irq_enable();
}
static inline void halt(void)
{
    __asm__ volatile("hlt" ::: "memory");
}
/* Enable interrupts and halt atomically (sti's one-instruction shadow). */
static inline void safe_halt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

#endif
