/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU descriptor tables and system-call MSRs.
 *
 * The GDT is a 15-page window: pages 0-13 are reserved for the guest's own
 * GDT frames (set_gdt), page 14 holds the hypervisor's descriptors at the
 * entry numbers the PV ABI fixes, so guests use the same flat selectors
 * (0xe033 code, 0xe02b data) on Lamina as on Xen.
 */
#include <asm/cpu.h>
#include <asm/cpu_ident.h>
#include <asm/entry.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/panic.h>
#include <hv/spinlock.h>
#include <asm/x86.h>
#include <asm/entry.h>
#include <asm/protect.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

#define GDT_PAGES (LAM_FIRST_RESERVED_GDT_PAGE + 1) /* the guest's 14 and ours */
#define IST_DF    1 /* IST n: the top of page n - 1 of the CPU's stack block (memlayout.h) */
#define IST_NMI   2
#define IST_MC    3
#define IST_DB    4

/* CPU 0's stack lives in the image (aligned to its size so get_cpu_info() works). */
char cpu0_stack[STACK_SIZE] __attribute__((aligned(STACK_SIZE), section(".bss.stack_aligned")));

_Static_assert(IST_DB <= IST_STACK_PAGES, "an IST stack page for each IST vector");

static struct idt_gate idt[X86_NR_VECTORS] __attribute__((aligned(16)));

static void idt_set(unsigned int vec, uint64_t handler, unsigned int dpl, unsigned int ist)
{
    idt[vec] = (struct idt_gate){
        .offset_lo = handler & 0xffff,
        .selector = HV_CS64,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(0x80 | (dpl << 5) | 0xe), /* present, 64-bit interrupt gate */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_hi = (uint32_t)(handler >> 32),
    };
}

/* Gates are interrupt gates: IF is clear on entry, C code re-enables when safe. */
static void idt_build(void)
{
    for (unsigned int v = 0; v < X86_NR_VECTORS; v++)
        idt_set(v, vector_table[v], 0, 0);
    /* int3, into and int $0x80 are allowed from guest code (0x80 goes straight to the
     * guest's trap-table entry, as on Xen); other vectors raise #GP when a guest uses
     * INT n, and the #GP path checks the guest's own trap table DPL. */
    idt_set(X86_EXC_BP, vector_table[X86_EXC_BP], 3, 0);
    idt_set(X86_EXC_OF, vector_table[X86_EXC_OF], 3, 0);
    idt_set(VECTOR_INT80, vector_table[VECTOR_INT80], 3, 0);
    /* Stacks of their own: these may arrive where the stack is not ours or not usable. #DB
     * in particular can arrive on the first instruction of the SYSCALL entry, with the
     * guest's RSP still loaded (a data breakpoint hit by a MOV SS or POP SS right before
     * the SYSCALL is delivered after it: XSA-260, CVE-2018-8897); without a stack switch
     * the CPU would write its frame wherever the guest pointed RSP. */
    idt_set(X86_EXC_DF, vector_table[X86_EXC_DF], 0, IST_DF);
    idt_set(X86_EXC_NMI, vector_table[X86_EXC_NMI], 0, IST_NMI);
    idt_set(X86_EXC_MC, vector_table[X86_EXC_MC], 0, IST_MC);
    idt_set(X86_EXC_DB, vector_table[X86_EXC_DB], 0, IST_DB);
}

static uint64_t seg_desc(uint64_t flags_access)
{
    return flags_access;
}

static void gdt_fill(uint64_t *gdt, struct tss64 *tss)
{
    uint64_t *hv = gdt + GDT_HV_FIRST_ENTRY;
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

    hv[(HV_CS64 >> 3) & 0x1ff] = seg_desc(0x00af9a000000ffffull);
    hv[(HV_DS >> 3) & 0x1ff] = seg_desc(0x00cf92000000ffffull);
    hv[(GUEST_CS32 >> 3) & 0x1ff] = seg_desc(0x00cffa000000ffffull);
    hv[(GUEST_DS >> 3) & 0x1ff] = seg_desc(0x00cff2000000ffffull);
    hv[(GUEST_CS64 >> 3) & 0x1ff] = seg_desc(0x00affa000000ffffull);
    /* 64-bit available TSS, 16 bytes */
    hv[(HV_TSS_SEL >> 3) & 0x1ff] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                                    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    hv[((HV_TSS_SEL >> 3) & 0x1ff) + 1] = base >> 32;
}

static void *alloc_or_panic(unsigned int order, const char *what)
{
    void *p = pages_zalloc(order);
    if (!p)
        panic("out of memory allocating %s", what);
    return p;
}

/*
 * SYSENTER from long mode exists on Intel-like CPUs only; on AMD and Hygon it raises #UD
 * (and an emulator may raise #GP(0) for an unset SYSENTER_CS). As Xen (which drops SEP for
 * them), program the SYSENTER MSRs only where the instruction works in long mode.
 */
static bool cpu_has_long_mode_sysenter(void)
{
    uint32_t a, vendor, c, d;
    cpuid(CPUID_LEAF_VENDOR, &a, &vendor, &c, &d);
    if (vendor == CPUID0_EBX_AMD || vendor == CPUID0_EBX_HYGON)
        return false;
    return cpu_has_feature(CPUID_LEAF_FEATURES, CPUID_EDX, CPUID1_EDX_SEP_BIT);
}

/*
 * Load GDT, IDT, TSS and the SYSCALL MSRs for the CPU whose stack we are on. LDTR is loaded
 * null: after reset it describes 64 KiB at linear address 0, which is guest memory, so an LDT
 * selector would load a descriptor the guest wrote there (a call gate into ring 0, a DPL 0
 * code segment); null, every LDT selector faults with #GP, as on Xen.
 */
void cpu_load_tables(struct cpu_info *ci)
{
    uint64_t *gdt = alloc_or_panic(4, "GDT"); /* 16 pages, 15 used */
    struct tss64 *tss = alloc_or_panic(0, "TSS");
    char *stub = alloc_or_panic(1, "SYSCALL stub"); /* code page + data page */

    ci->stack_top = (uint64_t)(&ci->guest_regs + 1);
    ci->gdt = gdt;
    ci->tss = tss;
    tss->rsp[0] = ci->stack_top;
    uint64_t block = (uint64_t)ci & ~(uint64_t)(STACK_SIZE - 1);
    for (unsigned int ist = IST_DF; ist <= IST_DB; ist++)
        tss->ist[ist - 1] = block + ist * PAGE_SIZE;
    tss->iomap_base = sizeof(*tss); /* no I/O bitmap: every port access from ring 3 faults */
    gdt_fill(gdt, tss);

    struct desc_ptr gdtr = {.limit = GDT_PAGES * PAGE_SIZE - 1, .base = (uint64_t)gdt};
    struct desc_ptr idtr = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%ds\n\t"
                     "mov %2, %%es\n\t"
                     "mov %2, %%ss\n\t"
                     "lidt %3\n\t"
                     "ltr %w4\n\t"
                     "lldt %w5"
                     :
                     : "m"(gdtr), "i"(HV_CS64), "r"(HV_DS), "m"(idtr), "r"(HV_TSS_SEL), "r"(0)
                     : "rax", "memory");

    /* Per-CPU copy of the SYSCALL stub with this CPU's stack in its data slot. */
    size_t stub_len = (uintptr_t)syscall_stub_end - (uintptr_t)syscall_stub_start;
    memcpy(stub, syscall_stub_start, stub_len);
    *(uint64_t *)(stub + ((uintptr_t)syscall_stub_stack - (uintptr_t)syscall_stub_start)) =
        ci->stack_top;
    *(uint64_t *)(stub + ((uintptr_t)syscall_stub_target - (uintptr_t)syscall_stub_start)) =
        (uint64_t)syscall_common;
    *(uint64_t *)(stub + ((uintptr_t)syscall_stub_compat_target - (uintptr_t)syscall_stub_start)) =
        (uint64_t)syscall_compat_common;

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR,
          ((uint64_t)(GUEST_CS32 & ~(unsigned int)SEL_RPL_MASK) << 48) | ((uint64_t)HV_CS64 << 32));
    wrmsr(MSR_LSTAR, (uint64_t)stub);
    wrmsr(MSR_CSTAR,
          (uint64_t)stub + ((uintptr_t)syscall_stub_compat - (uintptr_t)syscall_stub_start));
    wrmsr(MSR_FMASK, X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_IOPL |
                         X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_RF);
    /* do_syscall relies on SYSCALL clearing AC (SMAP) and IF instead of checking on every
     * hypercall: make sure the CPU took the mask. */
    if ((rdmsr(MSR_FMASK) & (X86_EFLAGS_AC | X86_EFLAGS_IF)) != (X86_EFLAGS_AC | X86_EFLAGS_IF))
        panic("CPU %u: MSR_FMASK does not clear AC and IF on SYSCALL", smp_processor_id());
    if (cpu_has_long_mode_sysenter()) {
        wrmsr(MSR_SYSENTER_CS, HV_CS64); /* SS = HV_CS64 + 8 = HV_DS */
        wrmsr(MSR_SYSENTER_ESP, ci->stack_top);
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
    }
}

int cpu_has_feature(uint32_t leaf, int reg, int bit)
{
    uint32_t r[CPUID_NR_REGS];
    cpuid(leaf & CPUID_EXT_BASE, &r[CPUID_EAX], &r[CPUID_EBX], &r[CPUID_ECX], &r[CPUID_EDX]);
    if (r[CPUID_EAX] < leaf)
        return 0;
    cpuid_count(leaf, 0, &r[CPUID_EAX], &r[CPUID_EBX], &r[CPUID_ECX], &r[CPUID_EDX]);
    return (r[reg] >> bit) & 1;
}

static void cpu_init_control_regs(void)
{
    /* No CR4.PGE: guests may set the global bit in their PTEs (as on Xen), and with
     * PGE off it cannot keep one domain's translations alive across a switch. SMEP and
     * SMAP as the boot CPU decided (protect.c): never run, and touch only through the
     * guest-access helpers, guest (user) pages. */
    uint64_t prot = protect_cr4_bits();
    if (((prot & CR4_SMEP) &&
         !cpu_has_feature(CPUID_LEAF_EXT_FEATURES, CPUID_EBX, CPUID7_EBX_SMEP_BIT)) ||
        ((prot & CR4_SMAP) &&
         !cpu_has_feature(CPUID_LEAF_EXT_FEATURES, CPUID_EBX, CPUID7_EBX_SMAP_BIT)))
        panic("CPU %u lacks SMEP or SMAP, which the boot CPU has", smp_processor_id());
    uint64_t cr4 = (read_cr4() & ~(CR4_PGE | CR4_SMEP | CR4_SMAP)) | CR4_OSFXSR | CR4_OSXMMEXCPT;
    write_cr4(cr4 | prot);
    /* AM as on Xen: alignment checks for ring-3 code that sets EFLAGS.AC, which is every
     * PV guest (kernels too); guests see the bit when they read CR0. */
    write_cr0((read_cr0() | CR0_MP | CR0_NE | CR0_WP | CR0_AM) & ~(CR0_EM | CR0_TS));
}

void cpu_init_boot(void)
{
    protect_init();
    idt_build();
    cpu_init_control_regs();
    cpu_ident_init();
}

/* A secondary CPU: the IDT is shared, the control registers are per CPU. */
void cpu_init_secondary(void)
{
    cpu_init_control_regs();
    cpu_ident_init_secondary();
}

/* For the spinlocks' holder_cpu (hv/spinlock.h). */
unsigned int spin_this_cpu(void)
{
    return smp_processor_id();
}
