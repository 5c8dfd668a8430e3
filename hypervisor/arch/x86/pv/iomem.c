/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which I/O memory a PV domain may map, and how: Xen 4.17's rules
 * (dom0_setup_permissions, get_page_from_l1e), so dom0 sees the same answers.
 *
 * A domU may map no frame that is not RAM. dom0 may map any frame below the
 * CPU's physical-address limit except those the hypervisor keeps for itself
 * (the denied ranges, filled at boot: arch/x86/iomem_setup.c), and some only
 * read (the read-only ranges): a writable entry to one is installed without
 * RW. Refusals are -EPERM, but -EINVAL for the top frame number
 * (IOMEM_TOP_MFN), as Xen.
 *
 * An I/O mapping never gets a cacheable memory type: with the PV PAT (WB WT
 * UC- UC WC WP UC UC), an entry asking for WB, WT or WP is installed as UC
 * (PCD|PWT, PAT clear); UC-, UC and WC stay. Xen does the same unless booted
 * with mmio-relax.
 *
 * Pure logic over two small tables (host-tested with pv/pagetype.c).
 */
#include <asm/pv/iomem.h>
#include <asm/mm.h>
#include <hv/errcodes.h>

#define IOMEM_MAX_RANGES 32

struct iomem_ranges {
    unsigned int nr;
    struct {
        mfn_t first, last;
    } r[IOMEM_MAX_RANGES];
};

static struct iomem_ranges denied, read_only;

/* Ranges made read-only while a device uses them (MSI-X tables and PBAs): set and
 * cleared by one writer at a time (the caller's lock), read by any CPU without a
 * lock. A slot holds first + 1 (0: empty), stored after last, so a reader that
 * sees the first sees its last. */
static struct {
    mfn_t first1, last;
} dyn_ro[IOMEM_DYN_RO_SLOTS];

static int add(struct iomem_ranges *set, mfn_t first, mfn_t last)
{
    if (set->nr == IOMEM_MAX_RANGES)
        return -ENOSPC;
    set->r[set->nr].first = first;
    set->r[set->nr].last = last;
    set->nr++;
    return 0;
}

static bool contains(const struct iomem_ranges *set, mfn_t mfn)
{
    for (unsigned int i = 0; i < set->nr; i++)
        if (mfn >= set->r[i].first && mfn <= set->r[i].last)
            return true;
    return false;
}

int iomem_deny(mfn_t first, mfn_t last)
{
    return add(&denied, first, last);
}

int iomem_read_only(mfn_t first, mfn_t last)
{
    return add(&read_only, first, last);
}

void iomem_reset(void)
{
    denied.nr = 0;
    read_only.nr = 0;
    for (unsigned int i = 0; i < IOMEM_DYN_RO_SLOTS; i++)
        __atomic_store_n(&dyn_ro[i].first1, 0, __ATOMIC_RELEASE);
}

int iomem_read_only_add(mfn_t first, mfn_t last)
{
    for (unsigned int i = 0; i < IOMEM_DYN_RO_SLOTS; i++)
        if (!__atomic_load_n(&dyn_ro[i].first1, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&dyn_ro[i].last, last, __ATOMIC_RELEASE);
            __atomic_store_n(&dyn_ro[i].first1, first + 1, __ATOMIC_RELEASE);
            return (int)i;
        }
    return -ENOSPC;
}

void iomem_read_only_remove(int slot)
{
    if (slot >= 0 && slot < IOMEM_DYN_RO_SLOTS)
        __atomic_store_n(&dyn_ro[slot].first1, 0, __ATOMIC_RELEASE);
}

static bool dyn_read_only(mfn_t mfn)
{
    for (unsigned int i = 0; i < IOMEM_DYN_RO_SLOTS; i++) {
        mfn_t f = __atomic_load_n(&dyn_ro[i].first1, __ATOMIC_ACQUIRE);
        if (f && mfn >= f - 1 && mfn <= __atomic_load_n(&dyn_ro[i].last, __ATOMIC_ACQUIRE))
            return true;
    }
    return false;
}

int iomem_permitted(const struct domain *d, mfn_t mfn)
{
    if (d->is_privileged && mfn < max_phys_mfn() && !contains(&denied, mfn))
        return 0;
    return mfn == IOMEM_TOP_MFN ? -EINVAL : -EPERM;
}

int iomem_range_permitted(const struct domain *d, mfn_t first, mfn_t last)
{
    if (!d->is_privileged || last >= max_phys_mfn() || first > last)
        return -EPERM;
    for (unsigned int i = 0; i < denied.nr; i++)
        if (first <= denied.r[i].last && last >= denied.r[i].first)
            return -EPERM;
    return 0;
}

bool iomem_is_read_only(mfn_t mfn)
{
    return contains(&read_only, mfn) || dyn_read_only(mfn);
}

pte_t iomem_adjust_l1e(pte_t e)
{
    if (iomem_is_read_only(pte_mfn(e)))
        e &= ~_PAGE_RW;
    switch (e & (_PAGE_PAT | _PAGE_PCD | _PAGE_PWT)) {
    case 0:                     /* WB */
    case _PAGE_PWT:             /* WT */
    case _PAGE_PAT | _PAGE_PWT: /* WP */
        return (e & ~_PAGE_PAT) | _PAGE_PCD | _PAGE_PWT;
    default: /* UC-, UC, WC and the UC aliases */
        return e;
    }
}
