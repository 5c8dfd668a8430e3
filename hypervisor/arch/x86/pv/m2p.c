/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine-to-phys table: for every machine frame, the pseudo-physical
 * frame number its owner uses for it (M2P_INVALID when none). Guests read it
 * directly at M2P_VIRT_START (L4 slot 256, mapped read-only and user
 * accessible in every guest's page tables); the hypervisor writes it through
 * the direct map.
 */
#include <asm/pv/mm.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/panic.h>
#include <asm/vmap.h>
#include <asm/x86.h>
#include <asm/flushtlb.h>
#include <asm/entry.h>

uint64_t *m2p_pages[4096]; /* direct-map address of each M2P page */

static uint64_t m2p_nr_pages;

void m2p_init(void)
{
    m2p_nr_pages = (max_mfn * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
    if (m2p_nr_pages > sizeof(m2p_pages) / sizeof(m2p_pages[0]))
        panic("M2P: %lu pages is more than supported", (unsigned long)m2p_nr_pages);
    for (uint64_t i = 0; i < m2p_nr_pages; i++) {
        uint64_t *p = pages_alloc(0);
        if (!p)
            panic("out of memory allocating the M2P");
        // cppcheck-suppress nullPointerRedundantCheck ; panic() does not return
        memset(p, 0xff, PAGE_SIZE);
        m2p_pages[i] = p;
        if (hv_map_page(M2P_VIRT_START + i * PAGE_SIZE, virt_to_mfn(p),
                        _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
                        _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED))
            panic("out of memory building the M2P mapping");
    }
    flush_tlb_local();
    printk("m2p: %lu frames, %lu KiB at %#lx", (unsigned long)max_mfn,
           (unsigned long)(m2p_nr_pages * 4), (unsigned long)M2P_VIRT_START);
}

void m2p_set(mfn_t mfn, uint64_t pfn)
{
    if (mfn < max_mfn)
        m2p_pages[mfn / 512][mfn % 512] = pfn;
}

uint64_t m2p_get(mfn_t mfn)
{
    return mfn < max_mfn ? m2p_pages[mfn / 512][mfn % 512] : M2P_INVALID;
}

uint64_t m2p_virt_end(void)
{
    return M2P_VIRT_START + m2p_nr_pages * PAGE_SIZE;
}

void init_guest_l4_slots(pte_t *l4)
{
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        l4[s] = boot_l4[s];
}
