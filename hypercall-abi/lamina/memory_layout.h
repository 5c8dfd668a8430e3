/* SPDX-License-Identifier: MIT */
/*
 * lamina/memory_layout.h - page size and the fixed virtual layout of a 64-bit
 * PV guest's address space.
 */
#ifndef LAMINA_MEMORY_LAYOUT_H
#define LAMINA_MEMORY_LAYOUT_H

/* Machine and pseudo-physical pages are 4 KiB; guests may not use superpages. */
#define LAM_PAGE_SHIFT 12
#define LAM_PAGE_SIZE  (1UL << LAM_PAGE_SHIFT)
#define LAM_PAGE_MASK  (~(LAM_PAGE_SIZE - 1))

/*
 * L4 slots 256..271 (0xffff800000000000 .. 0xffff87ffffffffff) belong to the
 * hypervisor in every guest page table; a guest cannot map anything there.
 */
#define LAM_HYPERVISOR_VIRT_START 0xFFFF800000000000ULL
#define LAM_HYPERVISOR_VIRT_END   0xFFFF880000000000ULL

/*
 * The machine-to-phys table: one 8-byte PFN per machine frame, mapped read-only
 * (and user-accessible) into every PV guest at this address (L4 slot 256).
 * Linux reads it directly in mfn_to_pfn().
 */
#define LAM_MACH2PHYS_VIRT_START 0xFFFF800000000000ULL
#define LAM_MACH2PHYS_VIRT_END   0xFFFF804000000000ULL
#define LAM_MACH2PHYS_NR_ENTRIES ((LAM_MACH2PHYS_VIRT_END - LAM_MACH2PHYS_VIRT_START) >> 3)

/* A p2m entry with no machine frame behind it (INVALID_P2M_ENTRY). */
#define LAM_INVALID_MFN (~0ULL)

#endif /* LAMINA_MEMORY_LAYOUT_H */
