/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A translation kept past the frame's reuse. A guest clears the
 * only PTE of one of its pages without flushing (the translation stays cached,
 * as mmu_update of an L1 entry flushes nothing on Xen or Lamina), gives the
 * frame back with decrease_reservation, and the hypervisor hands it out again:
 * here to the same guest (populate_physmap), in general to another domain or to
 * the hypervisor itself. Through the kept translation the guest would read and
 * write memory that is no longer its own. Xen does not flush when a frame is
 * freed but when it is allocated again: every CPU whose last flush is older than
 * the frame's release is flushed first (its TLB-flush clock).
 *
 * The frame is asked for again until it comes back (the allocators of both
 * hypervisors hand out the frame freed last); then a write through the kept
 * translation must fault, and a fresh mapping of the frame must show the zeroes
 * populate_physmap gave it, not the write.
 *
 * Runs as dom0 on both hypervisors, and as a boot-time domU on Lamina
 * (tlb-stale-realloc-2dom).
 */
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "no translation survives its frame's reuse";

#define SLOT  9
#define MARK  0x7374616c65212121ULL /* "stale!!!" */
#define TRIES 64                    /* frames asked for before giving up on getting ours back */

static uint64_t others[TRIES];

static long reservation(unsigned int cmd, uint64_t *list, unsigned long n)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)list, .nr_extents = n, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(cmd, &r);
}

void test_main(void)
{
    mm_init();
    volatile uint64_t *page = mm_alloc_page();
    if (!page) {
        lam_error("out of pages");
        return;
    }
    uint64_t pfn = ((uint64_t)page - MM_VIRT_BASE) >> LAM_PAGE_SHIFT;
    uint64_t mfn = mm_va_to_mfn((const void *)page);
    uint64_t pte_ma = mm_entry_ma((uint64_t)page, 1);
    lam_printf("page %p: pfn %lx, frame %lx\n", (void *)page, (unsigned long)pfn,
               (unsigned long)mfn);

    page[SLOT] = 1; /* the translation is in the TLB now */
    mm_expect_rc("clear its only PTE (mmu_update, no flush)", mm_update(pte_ma, 0), 0);
    if (mm_try_write(&page[SLOT], 2) != 0) {
        lam_skip("this CPU did not keep the translation past its PTE: staleness cannot be seen");
        return;
    }
    lam_printf("ok: the translation outlived its PTE (the guest did not flush)\n");

    uint64_t gone = mfn;
    mm_expect_rc("decrease_reservation of the frame",
                 reservation(LAM_XENMEM_decrease_reservation, &gone, 1), 1);
    uint64_t got = 0;
    unsigned int n = 0;
    for (; n < TRIES; n++) {
        got = pfn;
        long rc = reservation(LAM_XENMEM_populate_physmap, &got, 1);
        if (rc != 1) {
            lam_error("populate_physmap: rc %ld", rc);
            break;
        }
        if (got == mfn)
            break;
        others[n] = got;
    }
    lam_printf("populate_physmap handed out %u other frame(s) before %s\n", n,
               got == mfn ? "ours" : "giving up");
    if (got != mfn) {
        lam_error("the freed frame %lx did not come back in %u tries", (unsigned long)mfn, TRIES);
        return;
    }
    ((uint64_t *)lam_start_info->mfn_list)[pfn] = mfn; /* our p2m: pfn has the frame again */

    lam_exception_reset();
    int fault = mm_try_write(&page[SLOT], MARK);
    if (fault)
        lam_printf("write through the kept translation: vector %u, error code %lx\n",
                   lam_last_exception.vector, (unsigned long)lam_last_exception.error_code);
    else
        lam_printf("write through the kept translation went through\n");
    mm_expect_rc("map the frame again", mm_page_set_rw((void *)page), 0);
    uint64_t seen = page[SLOT];
    lam_printf("quadword %u of the frame: %lx\n", SLOT, (unsigned long)seen);
    mm_expect(fault != 0, "the write faulted: handing the frame out again flushed the translation");
    mm_expect(seen != MARK, "the frame never got the write");

    if (n)
        mm_expect_rc("give the other frames back",
                     reservation(LAM_XENMEM_decrease_reservation, others, n), (long)n);
}
