/* SPDX-License-Identifier: GPL-2.0-only */
/* Thin wrappers around x86 instructions: port I/O, MSRs, control registers, CPUID;
 * the architectural constants that go with them. */
#ifndef LAMINA_X86_H
#define LAMINA_X86_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER                    0xc0000080
#define MSR_SYSENTER_CS             0x174
#define MSR_SYSENTER_ESP            0x175
#define MSR_SYSENTER_EIP            0x176
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
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define APIC_BASE_ENABLE (1u << 11) /* in MSR_APIC_BASE */

#define CR0_PE (1ul << 0)
#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR0_WP (1ul << 16)
#define CR0_AM (1ul << 18)
#define CR0_PG (1ul << 31)

#define CR4_PAE        (1ul << 5)
#define CR4_PGE        (1ul << 7)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_FSGSBASE   (1ul << 16)
#define CR4_OSXSAVE    (1ul << 18)
#define CR4_SMEP       (1ul << 20)
#define CR4_SMAP       (1ul << 21)

#define X86_EFLAGS_CF         (1ul << 0)
#define X86_EFLAGS_MBS        (1ul << 1) /* reserved, always set */
#define X86_EFLAGS_TF         (1ul << 8)
#define X86_EFLAGS_IF         (1ul << 9)
#define X86_EFLAGS_DF         (1ul << 10)
#define X86_EFLAGS_IOPL_SHIFT 12
#define X86_EFLAGS_IOPL       (3ul << X86_EFLAGS_IOPL_SHIFT)
#define X86_EFLAGS_NT         (1ul << 14)
#define X86_EFLAGS_RF         (1ul << 16)
#define X86_EFLAGS_VM         (1ul << 17)
#define X86_EFLAGS_AC         (1ul << 18)
#define X86_EFLAGS_ID         (1ul << 21)

/* The registers of a CPUID result, as indices into a uint32_t[CPUID_NR_REGS]. */
enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_NR_REGS };

/* CPUID leaves and the feature bits the hypervisor tests, or hides from PV guests. */
#define CPUID_LEAF_VENDOR       0x0 /* EBX, EDX, ECX: the vendor string */
#define CPUID_LEAF_FEATURES     0x1 /* ECX: CPUID1_ECX_*, EDX: CPUID1_EDX_* */
#define CPUID_LEAF_EXT_FEATURES 0x7 /* subleaf 0 EBX: CPUID7_EBX_*, ECX: CPUID7_ECX_* */
#define CPUID_LEAF_XSTATE       0xd
#define CPUID_EXT_BASE          0x80000000u /* EAX: the highest extended leaf */
#define CPUID_LEAF_EXT_INFO     0x80000001u /* EDX: CPUID_EXT_EDX_* */
#define CPUID_LEAF_ADDR_SIZES   0x80000008u /* EAX[7:0]: physical address bits */

#define CPUID0_EBX_AMD          0x68747541u /* "Auth"enticAMD */
#define CPUID0_EBX_HYGON        0x6f677948u /* "Hygo"nGenuine */
#define CPUID1_ECX_MONITOR      (1u << 3)
#define CPUID1_ECX_VMX          (1u << 5)
#define CPUID1_ECX_SMX          (1u << 6)
#define CPUID1_ECX_EST          (1u << 7)
#define CPUID1_ECX_TM2          (1u << 8)
#define CPUID1_ECX_PDCM         (1u << 15)
#define CPUID1_ECX_DCA          (1u << 18)
#define CPUID1_ECX_X2APIC       (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_XSAVE        (1u << 26)
#define CPUID1_ECX_OSXSAVE      (1u << 27)
#define CPUID1_ECX_AVX          (1u << 28)
#define CPUID1_ECX_HYPERVISOR   (1u << 31)
#define CPUID1_EDX_PSE          (1u << 3)
#define CPUID1_EDX_MCE          (1u << 7)
#define CPUID1_EDX_APIC         (1u << 9)
#define CPUID1_EDX_SEP_BIT      11 /* SYSENTER/SYSEXIT */
#define CPUID1_EDX_MTRR         (1u << 12)
#define CPUID1_EDX_MCA          (1u << 14)
#define CPUID1_EDX_PSE36        (1u << 17)
#define CPUID1_EDX_DS           (1u << 21)
#define CPUID1_EDX_ACPI         (1u << 22)
#define CPUID1_EDX_TM           (1u << 29)
#define CPUID7_EBX_FSGSBASE     (1u << 0)
#define CPUID7_EBX_SMEP_BIT     7
#define CPUID7_EBX_SMEP         (1u << CPUID7_EBX_SMEP_BIT)
#define CPUID7_EBX_INVPCID      (1u << 10)
#define CPUID7_EBX_SMAP_BIT     20
#define CPUID7_EBX_SMAP         (1u << CPUID7_EBX_SMAP_BIT)
#define CPUID7_ECX_LA57         (1u << 16)
#define CPUID_EXT_EDX_NX        (1u << 20)
#define CPUID_EXT_EDX_RDTSCP    (1u << 27)
#define CPUID_EXT_EDX_LM        (1u << 29)

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

/* A 1-, 2- or 4-byte access (size) to an I/O port, as a guest's IN/OUT asked for it. */
static inline uint32_t port_in_sized(unsigned int port, unsigned int size)
{
    return size == 1 ? inb((uint16_t)port) : size == 2 ? inw((uint16_t)port) : inl((uint16_t)port);
}
static inline void port_out_sized(unsigned int port, unsigned int size, uint32_t v)
{
    if (size == 1)
        outb((uint16_t)port, (uint8_t)v);
    else if (size == 2)
        outw((uint16_t)port, (uint16_t)v);
    else
        outl((uint16_t)port, v);
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

/* TLB flushes are in <asm/flushtlb.h>, the interrupt flag in <asm/irqflags.h>. */

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
