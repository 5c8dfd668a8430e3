/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_gdt and update_descriptor against what a hostile guest may hand them (the XSA-243/244
 * class): descriptors with DPL 0-2 (raised to 3, read back from the frame), system
 * descriptors (TSS, LDT, interrupt gate: refused), a misaligned address, frames that are
 * page tables, another's or past RAM, more entries than the guest part of the GDT holds, a
 * writable frame or the running L4 as a GDT frame, and a GDT frame made writable or pinned
 * as a page table while in use. Selectors past the GDT limit and the hypervisor's ring-0
 * code selector must #GP. Each answer is Xen 4.17's; the call gate is printed only (Xen
 * accepts 64-bit call gates, Lamina refuses them: docs/differences.md).
 */
#include <lamina/traps.h>

#include "mm_util.h"

const char lam_test_title[] = "set_gdt and update_descriptor against hostile input";

#define ENTRIES        512
#define FIRST_RESERVED 7168 /* FIRST_RESERVED_GDT_ENTRY: 14 pages of guest descriptors */
#define SEL(i)         (((i) << 3) | 3)
#define DATA_DPL0      0x00cf92000000ffffull
#define DATA_DPL1      0x00cfb2000000ffffull
#define DPL_MASK       (3ull << 45)
#define TSS_DESC       0x0000890000000067ull
#define LDT_DESC       0x0000820000000fffull
#define INTR_GATE      0x00008e0000000000ull

static int load_ds(uint16_t sel, unsigned int *vec, uint64_t *err)
{
    int f = 0;
    lam_exception_reset();
    __asm__ volatile("1: mov %w1, %%ds\n"
                     "   jmp 3f\n"
                     "2: movl $1, %0\n"
                     "3: xor %%eax, %%eax\n"
                     "   mov %%eax, %%ds\n" LAM_ASM_EXTABLE(1b, 2b)
                     : "+m"(f)
                     : "r"((uint32_t)sel)
                     : "rax", "memory");
    *vec = lam_last_exception.vector;
    *err = lam_last_exception.error_code;
    return f;
}

static void expect_ds(const char *what, uint16_t sel, int want_fault)
{
    unsigned int vec;
    uint64_t err;
    int f = load_ds(sel, &vec, &err);
    lam_printf("DS <- 0x%x (%s): %s vector %u error 0x%lx\n", sel, what, f ? "faulted" : "loaded",
               f ? vec : 0, f ? (unsigned long)err : 0ul);
    if (want_fault)
        LAM_CHECK(f && vec == 13 && err == (sel & ~3u), "DS <- 0x%x (%s): expected #GP(0x%x)", sel,
                  what, sel & ~3u);
    else
        LAM_CHECK(!f, "DS <- 0x%x (%s): faulted (vector %u)", sel, what, vec);
}

void test_main(void)
{
    mm_init();
    uint64_t *gdt = mm_alloc_page();
    uint64_t gdt_ma = mm_va_to_ma(gdt), gdt_mfn = mm_va_to_mfn(gdt);

    /* A GDT frame the guest can still write is refused; so is the running L4. */
    mm_expect_rc("set_gdt of a writable-mapped frame", hypercall_set_gdt(&gdt_mfn, ENTRIES),
                 -LAM_EINVAL);
    uint64_t l4 = mm_cur_l4_mfn;
    mm_expect_rc("set_gdt of the running L4", hypercall_set_gdt(&l4, ENTRIES), -LAM_EINVAL);
    mm_expect_rc("set_gdt past FIRST_RESERVED_GDT_ENTRY",
                 hypercall_set_gdt(&gdt_mfn, FIRST_RESERVED + 1), -LAM_EINVAL);

    mm_expect_rc("GDT page read-only", mm_page_set_ro(gdt), 0);
    mm_expect_rc("set_gdt of one read-only page", hypercall_set_gdt(&gdt_mfn, ENTRIES), 0);

    /* In use: it cannot become writable or a page table. */
    mm_expect_rc("map the GDT frame writable", mm_page_set_rw(gdt), -LAM_EBUSY);
    mm_expect_rc("pin the GDT frame as an L1", mm_ext(LAM_MMUEXT_PIN_L1_TABLE, gdt_mfn),
                 -LAM_EINVAL);

    /* DPL 0 and 1 data descriptors are taken with DPL 3 and work. */
    mm_expect_rc("update_descriptor: data, DPL 0",
                 hypercall_update_descriptor(gdt_ma + 8, DATA_DPL0), 0);
    mm_expect_rc("update_descriptor: data, DPL 1",
                 hypercall_update_descriptor(gdt_ma + 16, DATA_DPL1), 0);
    lam_printf("entries 1, 2 read back: 0x%lx 0x%lx\n", (unsigned long)gdt[1],
               (unsigned long)gdt[2]);
    mm_expect((gdt[1] & DPL_MASK) == DPL_MASK && (gdt[1] & ~DPL_MASK) == (DATA_DPL0 & ~DPL_MASK),
              "the DPL 0 descriptor is stored with DPL 3");
    mm_expect((gdt[2] & DPL_MASK) == DPL_MASK, "the DPL 1 descriptor is stored with DPL 3");
    expect_ds("entry 1", SEL(1), 0);
    expect_ds("entry 2", SEL(2), 0);

    /* System descriptors: refused, the entry unchanged. */
    mm_expect_rc("update_descriptor: 64-bit TSS",
                 hypercall_update_descriptor(gdt_ma + 24, TSS_DESC), -LAM_EINVAL);
    mm_expect_rc("update_descriptor: LDT", hypercall_update_descriptor(gdt_ma + 24, LDT_DESC),
                 -LAM_EINVAL);
    mm_expect_rc("update_descriptor: interrupt gate",
                 hypercall_update_descriptor(gdt_ma + 24, INTR_GATE | (0xe033ull << 16)),
                 -LAM_EINVAL);
    mm_expect(gdt[3] == 0, "the refused entry is still 0");
    uint64_t target = (uint64_t)(uintptr_t)test_main;
    uint64_t gate = (target & 0xffff) | ((uint64_t)LAM_FLAT_KERNEL_CS << 16) | (0xecull << 40) |
                    (((target >> 16) & 0xffff) << 48);
    long rc = hypercall_update_descriptor(gdt_ma + 32, gate);
    lam_printf("update_descriptor: 64-bit call gate, DPL 3: rc %ld (Xen accepts, Lamina "
               "refuses)\n",
               rc);
    hypercall_update_descriptor(gdt_ma + 32, 0);

    /* Bad addresses. */
    mm_expect_rc("update_descriptor misaligned",
                 hypercall_update_descriptor(gdt_ma + 12, DATA_DPL0), -LAM_EINVAL);
    mm_expect_rc("update_descriptor into the running L4",
                 hypercall_update_descriptor(mm_cur_l4_mfn << LAM_PAGE_SHIFT, 0), -LAM_EINVAL);
    mm_expect_rc("update_descriptor past RAM",
                 hypercall_update_descriptor(0x7ffffffff000ull, DATA_DPL0), -LAM_EINVAL);
    uint64_t foreign = 0;
    while (mm_mfn_is_ours(foreign))
        foreign++;
    mm_expect_rc("update_descriptor into a frame not ours",
                 hypercall_update_descriptor(foreign << LAM_PAGE_SHIFT, DATA_DPL0), -LAM_EINVAL);

    /* Selectors: past the limit, and the hypervisor's ring-0 code segment. */
    expect_ds("past the GDT limit", SEL(ENTRIES), 1);
    expect_ds("the hypervisor's ring-0 CS", 0xe008 | 3, 1);

    /* Give the frame back. */
    mm_expect_rc("set_gdt with no entries", hypercall_set_gdt(&gdt_mfn, 0), 0);
    mm_expect_rc("the frame is writable again", mm_page_set_rw(gdt), 0);
    mm_expect_rc("update_descriptor of a plain page",
                 hypercall_update_descriptor(gdt_ma + 8, DATA_DPL0), 0);
    lam_printf("plain page entry 1: 0x%lx\n", (unsigned long)gdt[1]);
}
