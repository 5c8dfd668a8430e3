/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMEP and SMAP (see <asm/protect.h>): switching them on, and a boot
 * self-test that shows the CPU really enforces them.
 *
 * The self-test maps one page with U set at a lower-half address of the idle
 * page tables (L4 slot 1, where nothing else lives and no guest looks), then
 * from the hypervisor: calls into it (a RET): with SMEP the fetch faults;
 * loads from and stores to it without STAC: with SMAP both fault; and copies
 * through copy_from_guest/copy_to_guest, which must work (they STAC). Then
 * the page and its tables go again. The result is logged; a protection that
 * CR4 claims but the CPU does not enforce stops the boot.
 */
#include <asm/protect.h>
#include <asm/flushtlb.h>
#include <asm/guest_access.h>
#include <asm/irqflags.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <hv/console.h>
#include <hv/panic.h>

bool cpu_smap_on, cpu_smep_on;
bool opt_smep = true, opt_smap = true;

extern uint64_t boot_l4[];

/* #PF error code bits. */
#define PFEC_PRESENT (1u << 0)
#define PFEC_WRITE   (1u << 1)
#define PFEC_USER    (1u << 2)
#define PFEC_FETCH   (1u << 4)
#define PFEC_BASIC   (PFEC_PRESENT | PFEC_WRITE | PFEC_USER | PFEC_FETCH)

static int has_smep(void)
{
    return cpu_has_feature(CPUID_LEAF_EXT_FEATURES, CPUID_EBX, CPUID7_EBX_SMEP_BIT);
}

static int has_smap(void)
{
    return cpu_has_feature(CPUID_LEAF_EXT_FEATURES, CPUID_EBX, CPUID7_EBX_SMAP_BIT);
}

void protect_init(void)
{
    cpu_smep_on = opt_smep && has_smep();
    cpu_smap_on = opt_smap && has_smap();
}

uint64_t protect_cr4_bits(void)
{
    return (cpu_smep_on ? CR4_SMEP : 0) | (cpu_smap_on ? CR4_SMAP : 0);
}

void protect_check_entry_ac(void)
{
    if (cpu_smap_on && (local_save_flags() & X86_EFLAGS_AC))
        panic("EFLAGS.AC set on entry to the hypervisor: an entry path lacks its CLAC");
}

/* ---- boot self-test ---- */

#define PROBE_L4_SLOT 1
#define PROBE_VA      ((uint64_t)PROBE_L4_SLOT << 39) /* 512 GiB: lower half, canonical */
#define PROBE_MARKER  0x70616d732d6d616cull           /* "lam-smap" */
#define PROBE_RET     0xc3                            /* the page's first byte: RET */

static void *probe_tables[3]; /* L3, L2, L1 */
static void *probe_page;

/* The exec probe: armed while probe_exec runs; the fault hook records and resumes. */
static volatile bool exec_probe_armed, exec_probe_faulted;
static volatile uint32_t exec_probe_error;

bool protect_probe_fault(struct cpu_regs *regs)
{
    if (!exec_probe_armed || regs->vector != X86_EXC_PF || regs->rip != PROBE_VA)
        return false;
    exec_probe_faulted = true;
    exec_probe_error = regs->error_code;
    /* Resume as if the RET had run: pop the return address CALL pushed. */
    regs->rip = *(const uint64_t *)regs->rsp;
    regs->rsp += 8;
    return true;
}

static void probe_map(void)
{
    if (read_cr3() != hv_virt_to_phys(boot_l4))
        panic("protect: self-test expects the idle page tables");
    if (boot_l4[PROBE_L4_SLOT] & _PAGE_PRESENT)
        panic("protect: L4 slot %u is in use", PROBE_L4_SLOT);
    for (unsigned int i = 0; i < 3; i++)
        if (!(probe_tables[i] = pages_zalloc(0)))
            panic("protect: no memory for the self-test");
    if (!(probe_page = pages_zalloc(0)))
        panic("protect: no memory for the self-test");
    *(uint8_t *)probe_page = PROBE_RET;
    ((uint64_t *)probe_page)[1] = PROBE_MARKER;

    const pte_t table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
    pte_t *l3 = probe_tables[0], *l2 = probe_tables[1], *l1 = probe_tables[2];
    l1[pt_index(PROBE_VA, 1)] = (virt_to_mfn(probe_page) << PAGE_SHIFT) | table | _PAGE_DIRTY;
    l2[pt_index(PROBE_VA, 2)] = (virt_to_mfn(l1) << PAGE_SHIFT) | table;
    l3[pt_index(PROBE_VA, 3)] = (virt_to_mfn(l2) << PAGE_SHIFT) | table;
    boot_l4[PROBE_L4_SLOT] = (virt_to_mfn(l3) << PAGE_SHIFT) | table;
    flush_tlb_local();
}

static void probe_unmap(void)
{
    boot_l4[PROBE_L4_SLOT] = 0;
    flush_tlb_local();
    for (unsigned int i = 0; i < 3; i++)
        pages_free(probe_tables[i], 0);
    pages_free(probe_page, 0);
}

/* Load a quadword without opening user access; false if it faulted. */
static bool probe_load(uint64_t va, uint64_t *out)
{
    uint64_t v = 0;
    unsigned int faulted = 0;
    __asm__ volatile("1: mov (%2), %0\n"
                     "   jmp 3f\n"
                     "2: mov $1, %1\n"
                     "3:\n"
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"
                     : "+r"(v), "+r"(faulted)
                     : "r"(va)
                     : "memory");
    *out = v;
    return !faulted;
}

/* Store a quadword without opening user access; false if it faulted. */
static bool probe_store(uint64_t va, uint64_t val)
{
    unsigned int faulted = 0;
    __asm__ volatile("1: mov %2, (%1)\n"
                     "   jmp 3f\n"
                     "2: mov $1, %0\n"
                     "3:\n"
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"
                     : "+r"(faulted)
                     : "r"(va), "r"(val)
                     : "memory");
    return !faulted;
}

/* Call the RET at va; false if the fetch faulted (the hook resumed after the CALL). */
static bool probe_exec(uint64_t va)
{
    exec_probe_faulted = false;
    exec_probe_armed = true;
    __asm__ volatile("call *%0" : : "r"(va) : "memory");
    exec_probe_armed = false;
    return !exec_probe_faulted;
}

static void selftest_smep(void)
{
    if (probe_exec(PROBE_VA))
        panic("protect: CR4.SMEP is set but the hypervisor ran code from a user page");
    if ((exec_probe_error & PFEC_BASIC) != (PFEC_PRESENT | PFEC_FETCH))
        panic("protect: the user-page fetch faulted with error code %#x, not present|fetch",
              exec_probe_error);
}

static void selftest_smap(void)
{
    uint64_t v = 0, stored = 0x5e1f7e57ull;

    if (probe_load(PROBE_VA + 8, &v))
        panic("protect: CR4.SMAP is set but a load from a user page worked without STAC");
    if ((hv_fixup_error_code & PFEC_BASIC) != PFEC_PRESENT)
        panic("protect: the user-page load faulted with error code %#x", hv_fixup_error_code);
    if (probe_store(PROBE_VA + 16, stored) || ((uint64_t *)probe_page)[2])
        panic("protect: CR4.SMAP is set but a store to a user page worked without STAC");
    if ((hv_fixup_error_code & PFEC_BASIC) != (PFEC_PRESENT | PFEC_WRITE))
        panic("protect: the user-page store faulted with error code %#x", hv_fixup_error_code);
    /* The guest-access helpers open the window: the same accesses work through them. */
    if (copy_from_guest(&v, PROBE_VA + 8, sizeof(v)) || v != PROBE_MARKER)
        panic("protect: copy_from_guest cannot read a user page with SMAP on");
    if (copy_to_guest(PROBE_VA + 16, &stored, sizeof(stored)) ||
        ((uint64_t *)probe_page)[2] != stored)
        panic("protect: copy_to_guest cannot write a user page with SMAP on");
    if (local_save_flags() & X86_EFLAGS_AC)
        panic("protect: the guest-access helpers left EFLAGS.AC set");
}

static const char *state(bool on, int cpu_has, const char *off_by_option)
{
    return on ? "on" : cpu_has ? off_by_option : "off (the CPU lacks it)";
}

void protect_selftest(void)
{
    const char *smep = state(cpu_smep_on, has_smep(), "off (smep=0)");
    const char *smap = state(cpu_smap_on, has_smap(), "off (smap=0)");

    if (!cpu_smep_on && !cpu_smap_on) {
        printk("protect: SMEP %s, SMAP %s: nothing to check", smep, smap);
        return;
    }
    probe_map();
    if (cpu_smep_on)
        selftest_smep();
    if (cpu_smap_on)
        selftest_smap();
    probe_unmap();
    printk("protect: SMEP %s, SMAP %s; boot self-test passed:%s%s", smep, smap,
           cpu_smep_on ? " a fetch from a user page faults" : "",
           cpu_smap_on ? (cpu_smep_on ? "; a load and a store to one fault unless through the "
                                        "guest-access helpers (STAC/CLAC)"
                                      : " a load and a store to a user page fault unless through "
                                        "the guest-access helpers (STAC/CLAC)")
                       : "");
}
