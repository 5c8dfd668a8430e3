/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own page-table edits: mapping frames at chosen virtual
 * addresses inside its slots (the M2P, the vmap window), and vmap itself, a
 * window of virtually contiguous mappings of scattered frames (used to
 * decompress the dom0 kernel without needing 60+ MiB of contiguous RAM).
 *
 * Every guest L4 shares the hypervisor's L3 pages for slots 256-271, so a
 * mapping made here is visible whichever page tables the CPU is on.
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <hv/panic.h>
#include <hv/spinlock.h>
#include <asm/vmap.h>
#include <asm/x86.h>
#include <asm/flushtlb.h>
#include <asm/entry.h>

#define VMAP_BASE  (HV_VIRT_BASE + (64ull << 20)) /* above the image's 32 MiB window */
#define VMAP_PAGES ((HV_VIRT_SIZE - (64ull << 20)) >> PAGE_SHIFT)

static uint64_t vmap_used[VMAP_PAGES / 64];
/* vmap_lock: the vmap_used bitmap (which window pages are handed out); the page-table
 * entries of a handed-out range belong to whoever got it. */
static spinlock_t vmap_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_VMAP);

static pte_t *hv_l1_slot(uint64_t va, pte_t table_flags, bool create)
{
    pte_t *t = (pte_t *)boot_l4;
    for (unsigned int level = 4; level > 1; level--) {
        pte_t *e = &t[pt_index(va, level)];
        if (!(*e & _PAGE_PRESENT)) {
            if (!create)
                return NULL;
            void *p = pages_zalloc(0);
            if (!p)
                return NULL;
            *e = (virt_to_mfn(p) << PAGE_SHIFT) | table_flags;
        }
        if (*e & _PAGE_PSE)
            panic("hv_map_page: %#lx is inside a superpage mapping", (unsigned long)va);
        t = mfn_to_virt(pte_mfn(*e));
    }
    return &t[pt_index(va, 1)];
}

int hv_map_page(uint64_t va, mfn_t mfn, pte_t leaf_flags, pte_t table_flags)
{
    pte_t *slot = hv_l1_slot(va, table_flags, true);
    if (!slot)
        return -1;
    *slot = (mfn << PAGE_SHIFT) | leaf_flags;
    return 0;
}

void hv_unmap_page(uint64_t va)
{
    pte_t *slot = hv_l1_slot(va, 0, false);
    if (slot) {
        *slot = 0;
        invlpg(va);
    }
}

static bool used(uint64_t i)
{
    return (vmap_used[i / 64] >> (i % 64)) & 1;
}

static void mark(uint64_t first, uint64_t n, bool on)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (on)
            vmap_used[i / 64] |= 1ull << (i % 64);
        else
            vmap_used[i / 64] &= ~(1ull << (i % 64));
    }
}

/* n frames, mfns[i] or (without mfns) first + i, with the leaf flags given. */
static void *vmap_frames(const mfn_t *mfns, mfn_t first, uint64_t n, pte_t leaf_flags)
{
    spin_lock(&vmap_lock);
    uint64_t run = 0, start = 0;
    for (uint64_t i = 0; i < VMAP_PAGES && run < n; i++) {
        if (used(i)) {
            run = 0;
            start = i + 1;
        } else {
            run++;
        }
    }
    if (run < n) {
        spin_unlock(&vmap_lock);
        return NULL;
    }
    mark(start, n, true);
    spin_unlock(&vmap_lock);
    uint64_t va = VMAP_BASE + (start << PAGE_SHIFT);
    for (uint64_t i = 0; i < n; i++)
        if (hv_map_page(va + (i << PAGE_SHIFT), mfns ? mfns[i] : first + i, leaf_flags,
                        _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)) {
            vunmap((void *)va, i);
            spin_lock(&vmap_lock);
            mark(start + i, n - i, false);
            spin_unlock(&vmap_lock);
            return NULL;
        }
    return (void *)va;
}

void *vmap(const mfn_t *mfns, uint64_t n)
{
    return vmap_frames(mfns, 0, n, _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY);
}

void *vmap_io(mfn_t first, uint64_t n)
{
    return vmap_frames(NULL, first, n,
                       _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PCD |
                           _PAGE_PWT);
}

void vunmap(void *addr, uint64_t n)
{
    uint64_t va = (uint64_t)addr;
    for (uint64_t i = 0; i < n; i++)
        hv_unmap_page(va + (i << PAGE_SHIFT));
    spin_lock(&vmap_lock);
    mark((va - VMAP_BASE) >> PAGE_SHIFT, n, false);
    spin_unlock(&vmap_lock);
}
