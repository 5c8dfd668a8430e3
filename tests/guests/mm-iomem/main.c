/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * I/O memory the hypervisor keeps from dom0.
 *
 * dom0 may map frames that are not RAM, but not those the hypervisor drives
 * itself. Xen 4.17 (dom0_setup_permissions, get_page_from_l1e) refuses the
 * local APIC and the MSI window 0xfee00000-0xfeefffff (-EPERM), AMD's
 * HyperTransport window (12 GiB below 1 TiB; QEMU's -cpu max is an AMD CPU)
 * and anything at or above the CPU's physical-address limit (-EPERM; the top
 * frame number 0xffffffffff: -EINVAL); it lets dom0 only read the I/O APIC and
 * the HPET: a writable entry to them is installed read-only, and a plain
 * aligned store through it is discarded (the guest goes on), while other
 * stores fault. Every I/O mapping is made uncacheable: WB, WT and WP become UC
 * (PCD|PWT); UC-, UC and WC stay. Neighbouring frames (the next page after the
 * I/O APIC and the HPET, the PCI hole, legacy VGA, frames just below the
 * HyperTransport window) map as asked, uncacheable.
 *
 * Each frame is mapped with update_va_mapping and with mmu_update, writable and
 * read-only and with each memory type; the entry read back must have the RW
 * and memory-type bits listed (bit 52 and U, which Xen adds to kernel entries,
 * are not compared). As a domU (mm-iomem-2dom) every frame is refused:
 * -EPERM, -EINVAL for the top frame number and for cache bits in the request
 * (an unprivileged domain may not set them at all).
 */
#include <stdbool.h>

#include <lamina/cpuid.h>
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "I/O memory the hypervisor keeps from dom0";

#define TREE_SLOT   300
#define PTE_PAT     (1ull << 7)
#define TYPE_BITS   (LAM_PTE_PWT | LAM_PTE_PCD | PTE_PAT)
#define UC          (LAM_PTE_PWT | LAM_PTE_PCD)
#define CHECK_BITS  (LAM_PTE_RW | TYPE_BITS)
#define TOP_MFN     0xffffffffffull /* the largest frame number a PTE holds */
#define HT_FRAMES   (12ull << 18)   /* 12 GiB of frames */
#define ONE_TB_MFN  (1ull << 28)
#define HPET_CAP_ID 0 /* the HPET's read-only capabilities register */

static struct mm_tree tree;
static bool privileged;

/* The memory types a guest may ask for, and what an I/O mapping gets instead. */
static const struct {
    const char *name;
    uint64_t bits, installed;
} types[] = {
    {"WB", 0, UC},  {"WT", LAM_PTE_PWT, UC},  {"UC-", LAM_PTE_PCD, LAM_PTE_PCD},
    {"UC", UC, UC}, {"WC", PTE_PAT, PTE_PAT}, {"WP", PTE_PAT | LAM_PTE_PWT, UC},
};

enum access { MAP_RW, MAP_READ_ONLY, MAP_DENIED };

/* Map mfn with every memory type, writable and not, both ways; check rc and the entry. */
static void try_frame(const char *what, uint64_t mfn, enum access access, long denied_rc)
{
    lam_printf("%s: mfn %lx\n", what, (unsigned long)mfn);
    for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        for (int rw = 1; rw >= 0; rw--) {
            uint64_t flags = (rw ? MM_PTE_FLAGS : MM_PTE_RO) | types[t].bits;
            uint64_t pte = (mfn << LAM_PAGE_SHIFT) | flags;
            long want = access == MAP_DENIED ? denied_rc : 0;
            if (!privileged) /* a domU: no cache bits at all, and no I/O memory */
                want = types[t].bits || mfn == TOP_MFN ? -LAM_EINVAL : -LAM_EPERM;
            uint64_t installed = (rw && access == MAP_RW ? LAM_PTE_RW : 0) | types[t].installed;
            long rc = hypercall_update_va_mapping(tree.base, pte, LAM_UVMF_INVLPG);
            uint64_t e = tree.l1[0];
            long rc2 = mm_update(mm_tab_ma(tree.l1, 1), pte);
            uint64_t e2 = tree.l1[1];
            char name[96];
            lam_snprintf(name, sizeof(name), "  %s %s: update_va_mapping", types[t].name,
                         rw ? "RW" : "RO");
            mm_expect_rc(name, rc, want);
            lam_snprintf(name, sizeof(name), "  %s %s: mmu_update", types[t].name,
                         rw ? "RW" : "RO");
            mm_expect_rc(name, rc2, want);
            if (want == 0) {
                LAM_CHECK(((e >> LAM_PAGE_SHIFT) & TOP_MFN) == mfn && (e & CHECK_BITS) == installed,
                          "%s %s %s: entry %lx, want frame %lx bits %lx", what, types[t].name,
                          rw ? "RW" : "RO", (unsigned long)e, (unsigned long)mfn,
                          (unsigned long)installed);
                LAM_CHECK(e2 == e, "%s %s: mmu_update installed %lx, update_va_mapping %lx", what,
                          types[t].name, (unsigned long)e2, (unsigned long)e);
            }
            hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG);
            mm_update(mm_tab_ma(tree.l1, 1), 0);
        }
    }
}

/* Store forms through a read-only-forced mapping; labels 1/2 as in mm_try_write. */
#define STORE(name, insn)                                                                          \
    static int name(volatile void *p)                                                              \
    {                                                                                              \
        int fault = 0;                                                                             \
        __asm__ volatile("1: " insn "\n\t"                                                         \
                         "jmp 3f\n"                                                                \
                         "2: movl $1, %0\n"                                                        \
                         "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)                                          \
                         : "+r"(fault)                                                             \
                         : "r"(p), "r"(0x5a5a5a5a5a5a5a5aull)                                      \
                         : "memory", "rax");                                                       \
        return fault;                                                                              \
    }
STORE(store8, "movq %2, (%1)")
STORE(store4, "movl %k2, 4(%1)")
STORE(store1, "movb %b2, 1(%1)")
STORE(store8_unaligned, "movq %2, 4(%1)")
STORE(xchg8, "xchg %2, (%1)")

/* A writable entry to a read-only frame: stores through it, as Xen 4.17 treats them. */
static void stores_to_read_only(const char *what, uint64_t mfn)
{
    volatile uint64_t *p = (volatile uint64_t *)tree.base;
    uint64_t before = 0, after = 0;
    mm_expect_rc("  map it writable (installed read-only)",
                 hypercall_update_va_mapping(tree.base, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS,
                                             LAM_UVMF_INVLPG),
                 0);
    mm_expect(mm_try_read(p + HPET_CAP_ID, &before) == 0, "  it reads");
    lam_printf("  %s word 0: %lx\n", what, (unsigned long)before);
    static const struct {
        const char *what;
        int (*store)(volatile void *);
        int faults;
    } stores[] = {
        {"aligned 8-byte MOV: discarded", store8, 0},
        {"aligned 4-byte MOV: discarded", store4, 0},
        {"1-byte MOV: discarded", store1, 0},
        {"unaligned 8-byte MOV: #PF", store8_unaligned, 1},
        {"XCHG (reads too): #PF", xchg8, 1},
    };
    for (unsigned i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        lam_exception_reset();
        int fault = stores[i].store(p);
        lam_printf("  %s: fault %d vector %u error %lx\n", stores[i].what, fault,
                   lam_last_exception.vector, (unsigned long)lam_last_exception.error_code);
        LAM_CHECK(fault == stores[i].faults, "%s: %s: fault %d", what, stores[i].what, fault);
        if (fault)
            LAM_CHECK(lam_last_exception.vector == 14 && (lam_last_exception.error_code & 3) == 3,
                      "%s: %s: vector %u error %lx, want #PF present|write", what, stores[i].what,
                      lam_last_exception.vector, (unsigned long)lam_last_exception.error_code);
    }
    mm_expect(mm_try_read(p + HPET_CAP_ID, &after) == 0 && after == before,
              "  word 0 unchanged by the discarded stores");
    mm_expect_rc("  unmap it", hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG), 0);
}

/* The CPU's physical-address limit and whether it has AMD's HyperTransport window. */
static uint64_t phys_limit_mfn(bool *amd_ht)
{
    struct lam_cpuid c;
    lam_cpuid(0, 0, &c);
    bool amd = (c.ebx == 0x68747541 && c.edx == 0x69746e65 && c.ecx == 0x444d4163) ||
               (c.ebx == 0x6f677948 && c.edx == 0x6e65476e && c.ecx == 0x656e6975);
    lam_cpuid(1, 0, &c);
    unsigned family = (c.eax >> 8) & 0xf;
    if (family == 0xf)
        family += (c.eax >> 20) & 0xff;
    lam_cpuid(0x80000008, 0, &c);
    unsigned bits = c.eax & 0xff;
    lam_printf("CPU: %s family 0x%x, %u physical address bits\n", amd ? "AMD/Hygon" : "not AMD",
               family, bits);
    *amd_ht = amd && family < 0x17 && bits >= 40; /* below family 17h: 12 GiB under 1 TiB */
    return 1ull << (bits - LAM_PAGE_SHIFT);
}

void test_main(void)
{
    mm_init();
    privileged = lam_start_info->flags & LAM_SIF_PRIVILEGED;
    lam_printf("running as %s\n", privileged ? "dom0" : "a domU");
    bool amd_ht;
    uint64_t limit = phys_limit_mfn(&amd_ht);
    mm_expect_rc("tree under L4 slot 300", mm_tree_build(&tree, TREE_SLOT), 0);

    try_frame("local APIC", 0xfee00, MAP_DENIED, -LAM_EPERM);
    try_frame("MSI window, second page", 0xfee01, MAP_DENIED, -LAM_EPERM);
    try_frame("MSI window, last page", 0xfeeff, MAP_DENIED, -LAM_EPERM);
    try_frame("I/O APIC", 0xfec00, MAP_READ_ONLY, 0);
    try_frame("HPET", 0xfed00, MAP_READ_ONLY, 0);
    try_frame("page after the I/O APIC", 0xfec01, MAP_RW, 0);
    try_frame("page after the HPET", 0xfed01, MAP_RW, 0);
    try_frame("PCI hole at 3.5 GiB", 0xe0000, MAP_RW, 0);
    try_frame("legacy VGA", 0xa0, MAP_RW, 0);
    if (amd_ht) {
        try_frame("just below the HyperTransport window", ONE_TB_MFN - HT_FRAMES - 1, MAP_RW, 0);
        try_frame("HyperTransport window, first page", ONE_TB_MFN - HT_FRAMES, MAP_DENIED,
                  -LAM_EPERM);
    }
    try_frame("highest frame the CPU can address", limit - 1, amd_ht ? MAP_DENIED : MAP_RW,
              -LAM_EPERM);
    try_frame("first frame past the CPU's limit", limit, MAP_DENIED, -LAM_EPERM);
    try_frame("36-bit frame number, all ones", 0xfffffffffull,
              0xfffffffffull < limit ? MAP_RW : MAP_DENIED, -LAM_EPERM);
    try_frame("top frame number", TOP_MFN, MAP_DENIED, -LAM_EINVAL);
    if (privileged) {
        stores_to_read_only("HPET", 0xfed00);
        stores_to_read_only("I/O APIC", 0xfec00);
    }
    mm_expect_rc("release the tree", mm_tree_destroy(&tree), 0);
}
