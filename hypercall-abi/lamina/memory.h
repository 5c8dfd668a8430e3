/* SPDX-License-Identifier: MIT */
/*
 * lamina/memory.h - the memory_op hypercall (number 12): memory_op(cmd, arg).
 *
 * Reservation operations return the number of extents completed (which may
 * be fewer than asked); the others return 0 or a negative error.
 */
#ifndef LAMINA_MEMORY_H
#define LAMINA_MEMORY_H

#include "types.h"

#define LAM_XENMEM_increase_reservation 0  /* struct lam_memory_reservation */
#define LAM_XENMEM_decrease_reservation 1  /* struct lam_memory_reservation */
#define LAM_XENMEM_maximum_ram_page     2  /* returns the highest machine frame */
#define LAM_XENMEM_current_reservation  3  /* arg -> lam_domid_t; returns pages */
#define LAM_XENMEM_maximum_reservation  4  /* arg -> lam_domid_t; returns pages */
#define LAM_XENMEM_machphys_mfn_list    5  /* frames backing the M2P */
#define LAM_XENMEM_populate_physmap     6  /* struct lam_memory_reservation */
#define LAM_XENMEM_add_to_physmap       7  /* translated guests only */
#define LAM_XENMEM_memory_map           9  /* struct lam_memory_map: the domain's e820 */
#define LAM_XENMEM_machine_memory_map   10 /* struct lam_memory_map: the host e820 (dom0) */
#define LAM_XENMEM_exchange             11 /* struct lam_memory_exchange */
#define LAM_XENMEM_machphys_mapping     12 /* struct lam_machphys_mapping */
#define LAM_XENMEM_set_memory_map       13 /* toolstack: set a domain's e820 */
#define LAM_XENMEM_maximum_gpfn         14 /* arg -> lam_domid_t; (shared_info max_pfn or 1) - 1 */
#define LAM_XENMEM_remove_from_physmap  15 /* translated guests only */
#define LAM_XENMEM_add_to_physmap_batch 23 /* translated guests only */
#define LAM_XENMEM_claim_pages          24
#define LAM_XENMEM_get_vnumainfo        26
#define LAM_XENMEM_acquire_resource     28

/*
 * Extent request for increase/decrease_reservation and populate_physmap.
 * extent_start is a guest array of nr_extents frame numbers (PFNs for populate
 * on input, MFNs out / in for increase / decrease); each extent is
 * 2^extent_order pages.
 */
struct lam_memory_reservation {
    lam_guest_addr_t extent_start; /* array of lam_pfn_t */
    lam_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags; /* bits 0-7: address_bits limit (0 = none); LAM_XENMEMF_* */
    lam_domid_t domid;  /* LAM_DOMID_SELF or, privileged, another domain */
    uint16_t pad[3];
};

#define LAM_XENMEMF_address_bits(x)    ((x)&0xFFU)
#define LAM_XENMEMF_populate_on_demand (1U << 16)
#define LAM_XENMEMF_exact_node_request (1U << 17)

/* Trade in_.nr_extents extents of ours for out.nr_extents others; returns 0 or error. */
struct lam_memory_exchange {
    struct lam_memory_reservation in;
    struct lam_memory_reservation out;
    lam_ulong_t nr_exchanged; /* OUT: input extents successfully exchanged */
};

/* Where the M2P table is mapped and how many MFNs it covers. */
struct lam_machphys_mapping {
    lam_ulong_t v_start, v_end; /* start and end virtual addresses */
    lam_ulong_t max_mfn;        /* highest MFN the table covers */
};

/*
 * e820-style memory map. nr_entries is IN the buffer capacity, OUT the number
 * written. Each entry is 20 bytes, packed: u64 addr, u64 size, u32 type; the
 * entry type below spells it with 32-bit halves so it has no padding.
 */
struct lam_memory_map {
    uint32_t nr_entries;
    uint32_t pad;
    lam_guest_addr_t buffer; /* array of struct lam_e820_entry */
};

struct lam_e820_entry {
    uint32_t addr_lo, addr_hi;
    uint32_t size_lo, size_hi;
    uint32_t type; /* LAM_E820_* */
};

#define LAM_E820_RAM      1
#define LAM_E820_RESERVED 2
#define LAM_E820_ACPI     3
#define LAM_E820_NVS      4
#define LAM_E820_UNUSABLE 5

LAM_ASSERT_SIZE(struct lam_memory_reservation, 32);
LAM_ASSERT_OFFSET(struct lam_memory_reservation, nr_extents, 8);
LAM_ASSERT_OFFSET(struct lam_memory_reservation, extent_order, 16);
LAM_ASSERT_OFFSET(struct lam_memory_reservation, mem_flags, 20);
LAM_ASSERT_OFFSET(struct lam_memory_reservation, domid, 24);
LAM_ASSERT_SIZE(struct lam_memory_exchange, 72);
LAM_ASSERT_OFFSET(struct lam_memory_exchange, out, 32);
LAM_ASSERT_OFFSET(struct lam_memory_exchange, nr_exchanged, 64);
LAM_ASSERT_SIZE(struct lam_machphys_mapping, 24);
LAM_ASSERT_SIZE(struct lam_memory_map, 16);
LAM_ASSERT_OFFSET(struct lam_memory_map, buffer, 8);
LAM_ASSERT_SIZE(struct lam_e820_entry, 20);

#endif /* LAMINA_MEMORY_H */
