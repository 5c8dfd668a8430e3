/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A writable translation kept past a retype. A PV guest may
 * remove a PTE without flushing its TLB (mmu_update of an L1 entry flushes
 * nothing, on Xen as on Lamina): the translation can stay cached and keeps
 * working until the guest flushes. That is the guest's business while the frame
 * is still plain memory, but once the hypervisor lets the frame take another
 * type, no CPU may still hold a writable translation of it: through one kept
 * past set_gdt the guest writes descriptors the hypervisor never checked (a call
 * gate to ring 0, the one written here), through one kept past a pin it writes
 * page-table entries (any machine frame, writable). Xen flushes, before the type
 * changes, every CPU of the owner whose last flush is older than the frame's last
 * writable mapping (its TLB-flush clock).
 *
 * For each new type (GDT page, then L1..L4 page table): a fresh page, mapped only
 * here, is written through (the translation is cached), its PTE is cleared with
 * mmu_update, a second write shows the translation is still there (else the test
 * cannot see anything and says so), the frame is retyped, and a third write must
 * fault; a fresh read-only mapping must then show the frame without it.
 *
 * Runs as dom0 on both hypervisors, and as a boot-time domU on Lamina
 * (tlb-stale-retype-2dom).
 */
#include "mm_util.h"

const char lam_test_title[] = "no writable translation survives a retype of its frame";

#define SLOT 7 /* the quadword written through the kept translation */
/* A 64-bit call gate (type 0xc, DPL 3, present) to the hypervisor's code segment 0xe008. */
#define CALL_GATE_LOW 0x0000ec00e0081000ULL

enum kind { GDT, L1, L2, L3, L4, NR_KINDS };
static const char *const kind_name[NR_KINDS] = {
    "GDT page (set_gdt)", "L1 table (pin)", "L2 table (pin)", "L3 table (pin)", "L4 table (pin)"};

static long retype(enum kind k, uint64_t mfn)
{
    if (k == GDT)
        return hypercall_set_gdt(&mfn, 512);
    return mm_ext(LAM_MMUEXT_PIN_L1_TABLE + (k - L1), mfn);
}

static long undo(enum kind k, uint64_t mfn)
{
    if (k == GDT)
        return hypercall_set_gdt(&mfn, 0);
    return mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn);
}

/* 0: the check ran; 1: the TLB did not keep the translation (nothing to see). */
static int try_kind(enum kind k)
{
    const char *name = kind_name[k];
    volatile uint64_t *page = mm_alloc_page();
    if (!page) {
        lam_error("out of pages");
        return 0;
    }
    uint64_t mfn = mm_va_to_mfn((const void *)page);
    uint64_t pte_ma = mm_entry_ma((uint64_t)page, 1);
    lam_printf("%s: frame %lx at %p\n", name, (unsigned long)mfn, (void *)page);

    page[SLOT] = 1; /* the translation is in the TLB now */
    mm_expect_rc("clear its only PTE (mmu_update, no flush)", mm_update(pte_ma, 0), 0);
    if (mm_try_write(&page[SLOT], 2) != 0) {
        lam_printf("the TLB did not keep the translation: nothing to test\n");
        return 1;
    }
    lam_printf("ok: the translation outlived its PTE (the guest did not flush)\n");

    mm_expect_rc(name, retype(k, mfn), 0);
    lam_exception_reset();
    int fault = mm_try_write(&page[SLOT], CALL_GATE_LOW);
    if (fault)
        lam_printf("write through the kept translation: vector %u, error code %lx\n",
                   lam_last_exception.vector, (unsigned long)lam_last_exception.error_code);
    else
        lam_printf("write through the kept translation went through\n");
    mm_expect_rc("map the frame read-only",
                 hypercall_update_va_mapping((uint64_t)page, (mfn << LAM_PAGE_SHIFT) | MM_PTE_RO,
                                             LAM_UVMF_INVLPG),
                 0);
    uint64_t seen = page[SLOT];
    lam_printf("quadword %u of the frame: %lx\n", SLOT, (unsigned long)seen);
    mm_expect(fault != 0, "the write faulted: the retype flushed the translation");
    mm_expect(seen != CALL_GATE_LOW, "the frame never got the write");

    mm_expect_rc("undo the retype", undo(k, mfn), 0);
    mm_expect_rc("the page writable again", mm_page_set_rw((void *)page), 0);
    return 0;
}

void test_main(void)
{
    mm_init();
    unsigned int not_kept = 0;
    for (enum kind k = GDT; k < NR_KINDS; k++)
        not_kept += (unsigned int)try_kind(k);
    if (not_kept == NR_KINDS)
        lam_skip("this CPU did not keep a translation past its PTE: staleness cannot be seen");
}
