/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU state and the saved register frame.
 *
 * Each physical CPU runs the hypervisor on its own stack of STACK_SIZE bytes,
 * aligned to its size. The top of that stack holds a struct cpu_info: first
 * the register frame of the guest context that entered the hypervisor (the
 * CPU pushes the hardware part there because TSS.RSP0 points just past it;
 * the SYSCALL stub builds the same frame by hand), then the CPU's own data.
 * Any code can find its CPU's block from %rsp without segment tricks, as Xen
 * does, so guests keep full control of their FS/GS bases.
 */
#ifndef LAMINA_HV_CPU_H
#define LAMINA_HV_CPU_H

#include <stdint.h>
#include <asm/memlayout.h>
#include <lamina/traps.h>

/* Same order as the pushes in entry.S; asm-offsets.c exports the offsets. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code, vector;
    /* hardware frame */
    uint64_t rip, cs, rflags, rsp, ss;
};

struct vcpu;
struct tss64;

struct cpu_info {
    struct cpu_regs guest_regs;
    unsigned int cpu_id;
    unsigned int apic_id;
    struct vcpu *curr_vcpu;
    struct tss64 *tss;
    uint64_t syscall_scratch;     /* guest RSP saved by the SYSCALL stub */
    uint64_t stack_top;           /* = &guest_regs + 1, loaded by the SYSCALL stub */
    uint64_t *gdt;                /* this CPU's GDT: guest pages 0-13, hypervisor page 14 */
    unsigned int gdt_guest_pages; /* how many of pages 0-13 hold a guest's descriptors */
    unsigned int pad2;
    uint64_t xcr0; /* XCR0 loaded on this CPU, 0 = not yet set (context.c) */
    /* The hypercall running on this CPU (continuation.c): when its time budget ends (0 =
     * not yet checked), and whether it asked to be continued. Here rather than in a
     * per-CPU array: every hypercall writes them, and this line is already at hand. */
    uint64_t hc_deadline_tsc;
    uint32_t hc_continuation;
    uint32_t pad3;
};

/*
 * The CPU aligns the stack to 16 bytes before pushing an interrupt frame from
 * ring 3, so the end of guest_regs (TSS.RSP0) must be 16-byte aligned: the
 * part of cpu_info after it must be a multiple of 16. If it were not, every
 * interrupt taken in a guest would land 8 bytes off and corrupt the frame.
 */
_Static_assert((sizeof(struct cpu_info) - sizeof(struct cpu_regs)) % 16 == 0,
               "guest_regs must end 16-byte aligned");
_Static_assert(sizeof(struct cpu_regs) % 8 == 0, "cpu_regs is a stack of quadwords");

static inline struct cpu_info *get_cpu_info(void)
{
    uint64_t sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - sizeof(struct cpu_info));
}

#define current            (get_cpu_info()->curr_vcpu)
#define smp_processor_id() (get_cpu_info()->cpu_id)

#define NR_CPUS 64

/* Selectors. The hypervisor's descriptors sit in the last page of a 15-page GDT
 * window (LAM_FIRST_RESERVED_GDT_PAGE), and the guests' flat segments at the entry
 * numbers the PV ABI fixes (LAM_FLAT_RING3_*). */
#define GDT_HV_FIRST_ENTRY LAM_FIRST_RESERVED_GDT_ENTRY
#define HV_CS64            0xe008
#define HV_DS              0xe010
#define GUEST_CS32         LAM_FLAT_RING3_CS32
#define GUEST_DS           LAM_FLAT_RING3_DS32 /* also LAM_FLAT_RING3_SS32/SS64 */
#define GUEST_CS64         LAM_FLAT_RING3_CS64
#define HV_TSS_SEL         0xe040
/* A selector's requested privilege level. 64-bit PV guests, their kernels included,
 * run in ring 3, so every selector they load has RPL 3. */
#define SEL_RPL_MASK 3
#define GUEST_RPL    3
/* A selector's table indicator (set: an LDT selector) and where its descriptor index starts. */
#define SEL_TI_LDT      4
#define SEL_INDEX_SHIFT 3

/* Boot-time CPU setup (arch/x86/cpu.c). */
void cpu_init_boot(void);
void cpu_init_secondary(void);
void cpu_load_tables(struct cpu_info *ci);
uint64_t cpu_features_ecx(void);
/* Bit `bit` of register `reg` (CPUID_EAX...) of the leaf, if the CPU has the leaf. */
int cpu_has_feature(uint32_t leaf, int reg, int bit);

extern char cpu0_stack[];

/* Exception vectors. */
enum {
    X86_EXC_DE = 0,
    X86_EXC_DB = 1,
    X86_EXC_NMI = 2,
    X86_EXC_BP = 3,
    X86_EXC_OF = 4,
    X86_EXC_BR = 5,
    X86_EXC_UD = 6,
    X86_EXC_NM = 7,
    X86_EXC_DF = 8,
    X86_EXC_TS = 10,
    X86_EXC_NP = 11,
    X86_EXC_SS = 12,
    X86_EXC_GP = 13,
    X86_EXC_PF = 14,
    X86_EXC_MF = 16,
    X86_EXC_AC = 17,
    X86_EXC_MC = 18,
    X86_EXC_XM = 19,
    X86_EXC_VE = 20,
    X86_EXC_CP = 21,
};
#define X86_NR_EXCEPTIONS 32
#define X86_NR_VECTORS    256
#define VECTOR_SYSCALL    0x100 /* pseudo vector recorded for SYSCALL entries */
#define VECTOR_SYSENTER   0x101 /* ... and for SYSENTER entries */
#define VECTOR_INT80      0x80  /* int $0x80: a gate guest code may use (DPL 3) */
#define SYSCALL_INSN_LEN  2     /* 0f 05 */

/* An exception error code that names an IDT vector (#GP for INT n through a DPL-0 gate). */
#define X86_EC_IDT           (1u << 1)
#define X86_EC_IDT_VECTOR(v) (((v) << 3) | X86_EC_IDT)

/* Page-fault error code bits. */
#define PFEC_PRESENT (1u << 0) /* the entry was present: a protection fault */
#define PFEC_WRITE   (1u << 1)
#define PFEC_USER    (1u << 2) /* the access came from ring 3 */

#endif
