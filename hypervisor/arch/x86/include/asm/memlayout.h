/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's virtual and physical memory layout.
 *
 * The hypervisor lives entirely inside the 16 L4 slots 256-271
 * (0xffff800000000000 - 0xffff87ffffffffff) that the x86-64 PV ABI reserves
 * for it; every guest L4 gets a copy of those slots, so the hypervisor stays
 * mapped while it runs on a guest's page tables. The lower half and the top
 * of the address space belong to guests.
 *
 *   slot 256  0xffff800000000000  machine-to-phys table, read-only to guests
 *   slot 261  0xffff82d040000000  hypervisor image (text, data, bss, stacks)
 *             0xffff82e000000000  frame table (one struct page_info per frame)
 *   slot 262+ 0xffff830000000000  direct map of all machine memory
 *
 * This file is included from assembly and C.
 */
#ifndef LAMINA_HV_MEMLAYOUT_H
#define LAMINA_HV_MEMLAYOUT_H

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

/* Physical address the image is loaded at by the multiboot loader (2 MiB aligned). */
#define HV_PHYS_BASE 0x200000
/* Virtual address of the image. */
#define HV_VIRT_BASE 0xffff82d040000000
#define HV_VIRT_SIZE 0x40000000 /* 1 GiB window in slot 261 */
/* Virtual minus physical for symbols in the image. */
#define HV_VIRT_OFFSET (HV_VIRT_BASE - HV_PHYS_BASE)

#define M2P_VIRT_START       0xffff800000000000
#define M2P_VIRT_END         0xffff804000000000 /* 256 GiB: enough for 32 Ti frames */
#define FRAMETABLE_VIRT_BASE 0xffff82e000000000
#define DIRECTMAP_VIRT_BASE  0xffff830000000000
#define DIRECTMAP_VIRT_END   0xffff880000000000

/* The end of the lower canonical half; the upper half (and the hypervisor) start at
 * 0xffff800000000000. */
#define LOWER_HALF_END 0x800000000000

#define HV_SLOT_FIRST 256
#define HV_SLOT_LAST  271

/* Per-CPU hypervisor stacks: aligned to their size so the per-CPU block at the top can be
 * found from %rsp. Pages 0-3 hold the stacks of the exceptions that always switch stacks
 * (IST: #DF, NMI, #MC, #DB; page n is IST n + 1), pages 4-7 the CPU's own stack with struct
 * cpu_info at its top, so that get_cpu_info() works from any of them, as on Xen. */
#define STACK_ORDER        3
#define STACK_SIZE         (PAGE_SIZE << STACK_ORDER)
#define IST_STACK_PAGES    4
#define PRIMARY_STACK_SIZE (STACK_SIZE - IST_STACK_PAGES * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include <stdint.h>
/* Physical to direct-map virtual and back. */
#define __va(pa) ((void *)((uintptr_t)(pa) + DIRECTMAP_VIRT_BASE))
#define __pa(va) ((uint64_t)(uintptr_t)(va)-DIRECTMAP_VIRT_BASE)
/* Image symbol to its physical address. */
#define sym_phys(sym) ((uint64_t)(uintptr_t)(sym)-HV_VIRT_OFFSET)
#endif

#endif
