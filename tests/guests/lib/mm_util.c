/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-table helpers for the PV-memory test kernels: p2m/M2P translation,
 * walking the live tables through their read-only region mappings, a page
 * allocator over the unused tail of the region, and one-line checks.
 */
#include "mm_util.h"

uint64_t mm_cur_l4_mfn;
uint64_t mm_region_pfns;

static uint64_t next_free_pfn;     /* region allocator cursor */
static uint64_t next_unmapped_pfn; /* counts down from nr_pages - 1 */

uint64_t mm_pfn_to_mfn(uint64_t pfn)
{
    const uint64_t *p2m = (const uint64_t *)lam_start_info->mfn_list;
    return pfn < lam_start_info->nr_pages ? p2m[pfn] : LAM_INVALID_MFN;
}

uint64_t mm_m2p(uint64_t mfn)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)LAM_MACH2PHYS_VIRT_START;
    uint64_t v = LAM_INVALID_MFN;
    if (mfn < LAM_MACH2PHYS_NR_ENTRIES && mm_try_read(&m2p[mfn], &v) != 0)
        v = LAM_INVALID_MFN;
    return v;
}

uint64_t mm_va_to_mfn(const void *va)
{
    return mm_pfn_to_mfn(((uint64_t)va - MM_VIRT_BASE) >> LAM_PAGE_SHIFT);
}

uint64_t mm_va_to_ma(const void *va)
{
    return (mm_va_to_mfn(va) << LAM_PAGE_SHIFT) | ((uint64_t)va & ~LAM_PAGE_MASK);
}

int mm_mfn_is_ours(uint64_t mfn)
{
    uint64_t pfn = mm_m2p(mfn);
    return pfn < lam_start_info->nr_pages && mm_pfn_to_mfn(pfn) == mfn;
}

void *mm_mfn_to_va(uint64_t mfn)
{
    uint64_t pfn = mm_m2p(mfn);
    if (pfn >= mm_region_pfns || mm_pfn_to_mfn(pfn) != mfn)
        return NULL;
    return (void *)(MM_VIRT_BASE + (pfn << LAM_PAGE_SHIFT));
}

uint64_t mm_make_va(unsigned l4, unsigned l3, unsigned l2, unsigned l1)
{
    uint64_t va =
        ((uint64_t)l4 << 39) | ((uint64_t)l3 << 30) | ((uint64_t)l2 << 21) | ((uint64_t)l1 << 12);
    if (va & (1ULL << 47))
        va |= 0xffff000000000000ULL;
    return va;
}

uint64_t mm_read_entry_ma(uint64_t ma)
{
    const uint64_t *table = mm_mfn_to_va(ma >> LAM_PAGE_SHIFT);
    return table ? table[(ma & ~LAM_PAGE_MASK) / 8] : 0;
}

uint64_t mm_entry_ma(uint64_t va, int level)
{
    uint64_t mfn = mm_cur_l4_mfn;
    for (int l = 4;; l--) {
        uint64_t ma = (mfn << LAM_PAGE_SHIFT) + 8 * mm_slot(va, l);
        if (l == level)
            return ma;
        if (!mm_mfn_to_va(mfn))
            return 0;
        uint64_t e = mm_read_entry_ma(ma);
        if (!(e & LAM_PTE_PRESENT))
            return 0;
        mfn = (e & LAM_PTE_MFN_MASK) >> LAM_PAGE_SHIFT;
    }
}

static uint64_t page_end_pfn(uint64_t va, uint64_t bytes)
{
    return (va - MM_VIRT_BASE + bytes + LAM_PAGE_SIZE - 1) >> LAM_PAGE_SHIFT;
}

void mm_init(void)
{
    extern char _image_end[];
    const struct lam_start_info *si = lam_start_info;

    mm_cur_l4_mfn = mm_va_to_mfn((void *)si->pt_base);
    /* The tables are in the region; it ends where its L1 entries stop. */
    mm_region_pfns = page_end_pfn(si->pt_base, si->nr_pt_frames * LAM_PAGE_SIZE);
    uint64_t pfn = 0;
    for (;; pfn++) {
        uint64_t ma = mm_entry_ma(MM_VIRT_BASE + (pfn << LAM_PAGE_SHIFT), 1);
        if (!ma || !(mm_read_entry_ma(ma) & LAM_PTE_PRESENT))
            break;
    }
    mm_region_pfns = pfn;

    /* Past everything the builder put there, plus its boot stack page. */
    uint64_t first = page_end_pfn((uint64_t)_image_end, 0);
    uint64_t e = page_end_pfn(si->mfn_list, si->nr_pages * 8);
    first = e > first ? e : first;
    e = page_end_pfn((uint64_t)si, LAM_PAGE_SIZE);
    first = e > first ? e : first;
    e = page_end_pfn(si->pt_base, si->nr_pt_frames * LAM_PAGE_SIZE);
    first = e > first ? e : first;
    next_free_pfn = first + 1;
    next_unmapped_pfn = si->nr_pages - 1;
    lam_printf("mm: L4 mfn %lx, region %lu pfns, free from pfn %lx, nr_pages %lu\n", mm_cur_l4_mfn,
               mm_region_pfns, next_free_pfn, si->nr_pages);
}

void *mm_alloc_page(void)
{
    if (next_free_pfn >= mm_region_pfns)
        return NULL;
    void *p = (void *)(MM_VIRT_BASE + (next_free_pfn++ << LAM_PAGE_SHIFT));
    memset(p, 0, LAM_PAGE_SIZE);
    return p;
}

uint64_t mm_alloc_unmapped_pfn(void)
{
    if (next_unmapped_pfn < mm_region_pfns)
        return 0;
    return next_unmapped_pfn--;
}

static long page_set(void *page, uint64_t flags)
{
    uint64_t pte = (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
    return hypercall_update_va_mapping((unsigned long)page, pte, LAM_UVMF_INVLPG);
}

long mm_page_set_ro(void *page)
{
    return page_set(page, MM_PTE_RO);
}

long mm_page_set_rw(void *page)
{
    return page_set(page, MM_PTE_FLAGS);
}

long mm_update_dom(uint64_t ptr, uint64_t val, unsigned foreigndom)
{
    struct lam_mmu_update req = {.ptr = ptr, .val = val};
    return hypercall_mmu_update(&req, 1, NULL, foreigndom);
}

long mm_update(uint64_t ptr, uint64_t val)
{
    return mm_update_dom(ptr, val, LAM_DOMID_SELF);
}

long mm_ext2(unsigned cmd, uint64_t arg1, uint64_t arg2)
{
    struct lam_mmuext_op op = {.cmd = cmd};
    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return hypercall_mmuext_op(&op, 1, NULL, LAM_DOMID_SELF);
}

long mm_ext(unsigned cmd, uint64_t arg1)
{
    return mm_ext2(cmd, arg1, 0);
}

long mm_new_baseptr(uint64_t mfn)
{
    long rc = mm_ext(LAM_MMUEXT_NEW_BASEPTR, mfn);
    if (rc == 0)
        mm_cur_l4_mfn = mfn;
    return rc;
}

void mm_expect_rc(const char *what, long got, long want)
{
    if (got == want)
        lam_printf("ok: %s: rc %ld\n", what, got);
    else
        lam_fail("%s: rc %ld, expected %ld", what, got, want);
}

void mm_expect_err(const char *what, long got)
{
    if (got < 0)
        lam_printf("ok: %s: rc %ld\n", what, got);
    else
        lam_fail("%s: rc %ld, expected an error", what, got);
}

void mm_expect(int cond, const char *what)
{
    if (cond)
        lam_printf("ok: %s\n", what);
    else
        lam_fail("%s", what);
}

uint64_t mm_tab_ma(const uint64_t *table, unsigned i)
{
    return mm_va_to_ma(table) + 8 * i;
}

long mm_tree_build(struct mm_tree *t, unsigned slot)
{
    long rc;
    t->slot = slot;
    t->base = mm_make_va(slot, 0, 0, 0);
    t->l3 = mm_alloc_page();
    t->l2 = mm_alloc_page();
    t->l1 = mm_alloc_page();
    if (!t->l3 || !t->l2 || !t->l1)
        return -LAM_ENOMEM;
    /* Link bottom-up while the pages are still plain memory. */
    t->l3[0] = (mm_va_to_mfn(t->l2) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    t->l2[0] = (mm_va_to_mfn(t->l1) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    if ((rc = mm_page_set_ro(t->l1)) || (rc = mm_page_set_ro(t->l2)) ||
        (rc = mm_page_set_ro(t->l3)))
        return rc;
    uint64_t l4e_ma = (mm_cur_l4_mfn << LAM_PAGE_SHIFT) + 8 * slot;
    return mm_update(l4e_ma, (mm_va_to_mfn(t->l3) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS);
}

long mm_tree_destroy(struct mm_tree *t)
{
    long rc;
    uint64_t l4e_ma = (mm_cur_l4_mfn << LAM_PAGE_SHIFT) + 8 * t->slot;
    if ((rc = mm_update(l4e_ma, 0)) || (rc = mm_page_set_rw(t->l3)) ||
        (rc = mm_page_set_rw(t->l2)) || (rc = mm_page_set_rw(t->l1)))
        return rc;
    return 0;
}

int mm_try_read(const volatile uint64_t *p, uint64_t *out)
{
    uint64_t v = 0;
    int fault = 0;
    __asm__ volatile("1: movq (%2), %0\n\t"
                     "jmp 3f\n"
                     "2: movl $1, %1\n"
                     "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(v), "+r"(fault)
                     : "r"(p)
                     : "memory");
    *out = v;
    return fault ? -1 : 0;
}

int mm_try_write(volatile uint64_t *p, uint64_t val)
{
    int fault = 0;
    __asm__ volatile("1: movq %2, (%1)\n\t"
                     "jmp 3f\n"
                     "2: movl $1, %0\n"
                     "3:\n\t" LAM_ASM_EXTABLE(1b, 2b)
                     : "+r"(fault)
                     : "r"(p), "r"(val)
                     : "memory");
    return fault ? -1 : 0;
}
