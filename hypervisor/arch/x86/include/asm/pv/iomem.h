/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * I/O memory a PV domain may map (pv/iomem.c): frames that are not RAM, in L1
 * entries, by Xen 4.17's rules for the hardware domain.
 */
#ifndef LAMINA_HV_PV_IOMEM_H
#define LAMINA_HV_PV_IOMEM_H

#include <stdbool.h>
#include <hv/domain.h>
#include <asm/frame.h>
#include <asm/page.h>

/* The largest frame number a PTE can hold: Xen 4.17 answers -EINVAL for it, not -EPERM. */
#define IOMEM_TOP_MFN ((1ull << 40) - 1)

/* Boot: frames [first, last] dom0 may not map at all / may map only read-only.
 * 0, or -ENOSPC when the table is full (the range is then not recorded). */
int iomem_deny(mfn_t first, mfn_t last);
int iomem_read_only(mfn_t first, mfn_t last);
/* A read-only range for as long as a device uses it (an MSI-X table or PBA): a slot
 * number for iomem_read_only_remove, or -ENOSPC. Callers serialise add and remove;
 * mappings made before the add keep their RW (as on Xen). */
#define IOMEM_DYN_RO_SLOTS 32
int iomem_read_only_add(mfn_t first, mfn_t last);
void iomem_read_only_remove(int slot);
/* Fill the ranges from ACPI, the e820 map and the CPU (arch/x86/iomem_setup.c; boot). */
void iomem_setup(void);
/* Forget every range (host tests). */
void iomem_reset(void);

/* May d map I/O frame mfn? 0, -EPERM, or -EINVAL for IOMEM_TOP_MFN. */
int iomem_permitted(const struct domain *d, mfn_t mfn);
/* Whether d may map every frame of [first, last]: 0 or -EPERM (domctl iomem_permission). */
int iomem_range_permitted(const struct domain *d, mfn_t first, mfn_t last);
bool iomem_is_read_only(mfn_t mfn);
/* The L1 entry as installed for a permitted I/O frame: RW dropped on read-only frames,
 * a cacheable memory type (WB, WT, WP) made uncacheable. */
pte_t iomem_adjust_l1e(pte_t e);

#endif
