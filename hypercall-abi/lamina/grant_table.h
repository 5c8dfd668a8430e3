/* SPDX-License-Identifier: MIT */
/*
 * lamina/grant_table.h - grant tables (v1) and the grant_table_op hypercall
 * (number 20): grant_table_op(cmd, ops, count).
 *
 * A domain shares a page by writing an entry in its own grant table naming the
 * grantee and the frame; the grantee then maps or copies it by reference. The
 * hypercall returns 0 when the batch was processed; each op has its own status
 * (LAM_GNTST_*).
 */
#ifndef LAMINA_GRANT_TABLE_H
#define LAMINA_GRANT_TABLE_H

#include "types.h"

/*
 * One v1 grant entry (8 bytes, 512 per page). The granter writes domid and
 * frame, then flags after a write barrier; the hypervisor sets GTF_reading /
 * GTF_writing while the grant is in use.
 */
struct lam_grant_entry_v1 {
    uint16_t flags;    /* LAM_GTF_* */
    lam_domid_t domid; /* domain allowed to use the grant */
    uint32_t frame;    /* MFN of the granted page (PV) */
};

LAM_ASSERT_SIZE(struct lam_grant_entry_v1, 8);
LAM_ASSERT_OFFSET(struct lam_grant_entry_v1, domid, 2);
LAM_ASSERT_OFFSET(struct lam_grant_entry_v1, frame, 4);

#define LAM_GRANT_ENTRIES_PER_PAGE_V1  512
#define LAM_GNTTAB_NR_RESERVED_ENTRIES 8 /* refs 0..7 reserved for the toolstack */
#define LAM_GNTTAB_RESERVED_CONSOLE    0
#define LAM_GNTTAB_RESERVED_XENSTORE   1

#define LAM_GTF_invalid         0U
#define LAM_GTF_permit_access   1U
#define LAM_GTF_accept_transfer 2U
#define LAM_GTF_transitive      3U
#define LAM_GTF_type_mask       3U
#define LAM_GTF_readonly        (1U << 2)
#define LAM_GTF_reading         (1U << 3) /* set by the hypervisor while mapped/copied */
#define LAM_GTF_writing         (1U << 4) /* set by the hypervisor while mapped writable */
#define LAM_GTF_PWT             (1U << 5)
#define LAM_GTF_PCD             (1U << 6)
#define LAM_GTF_PAT             (1U << 7)
#define LAM_GTF_sub_page        (1U << 8)

#define LAM_GNTTABOP_map_grant_ref     0
#define LAM_GNTTABOP_unmap_grant_ref   1
#define LAM_GNTTABOP_setup_table       2
#define LAM_GNTTABOP_dump_table        3
#define LAM_GNTTABOP_transfer          4
#define LAM_GNTTABOP_copy              5
#define LAM_GNTTABOP_query_size        6
#define LAM_GNTTABOP_unmap_and_replace 7
#define LAM_GNTTABOP_set_version       8
#define LAM_GNTTABOP_get_status_frames 9
#define LAM_GNTTABOP_get_version       10
#define LAM_GNTTABOP_swap_grant_ref    11
#define LAM_GNTTABOP_cache_flush       12

/* map_grant_ref flags */
#define LAM_GNTMAP_device_map       (1U << 0)
#define LAM_GNTMAP_host_map         (1U << 1)
#define LAM_GNTMAP_readonly         (1U << 2)
#define LAM_GNTMAP_application_map  (1U << 3) /* user-accessible mapping */
#define LAM_GNTMAP_contains_pte     (1U << 4) /* host_addr is the MA of an L1 entry */
#define LAM_GNTMAP_guest_avail0_bit 16        /* Xen's _GNTMAP_guest_avail0 */
#define LAM_GNTMAP_guest_avail0                                                                    \
    (1U << LAM_GNTMAP_guest_avail0_bit) /* bits 16+ go to PTE AVL bits */

/* Per-op status codes */
#define LAM_GNTST_okay              0
#define LAM_GNTST_general_error     (-1)
#define LAM_GNTST_bad_domain        (-2)
#define LAM_GNTST_bad_gntref        (-3)
#define LAM_GNTST_bad_handle        (-4)
#define LAM_GNTST_bad_virt_addr     (-5)
#define LAM_GNTST_bad_dev_addr      (-6)
#define LAM_GNTST_no_device_space   (-7)
#define LAM_GNTST_permission_denied (-8)
#define LAM_GNTST_bad_page          (-9)
#define LAM_GNTST_bad_copy_arg      (-10)
#define LAM_GNTST_address_too_big   (-11)
#define LAM_GNTST_eagain            (-12)
#define LAM_GNTST_no_space          (-13) /* maptrack full: no handle left (Xen 4.17) */

struct lam_gnttab_map_grant_ref {
    uint64_t host_addr; /* IN: VA, or MA of a PTE with GNTMAP_contains_pte */
    uint32_t flags;     /* IN: LAM_GNTMAP_* */
    lam_grant_ref_t ref;
    lam_domid_t dom;
    int16_t status;        /* OUT: LAM_GNTST_* */
    uint32_t handle;       /* OUT: pass to unmap */
    uint64_t dev_bus_addr; /* OUT: machine address of the frame */
};

struct lam_gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    uint32_t handle;
    int16_t status; /* OUT */
    uint16_t pad;
};

struct lam_gnttab_setup_table {
    lam_domid_t dom;
    uint16_t pad0;
    uint32_t nr_frames;
    int16_t status; /* OUT */
    uint16_t pad1[3];
    lam_guest_addr_t frame_list; /* OUT: array of lam_pfn_t (MFNs) */
};

struct lam_gnttab_copy_ptr {
    union {
        lam_grant_ref_t ref;
        lam_pfn_t gmfn;
    } u;
    lam_domid_t domid;
    uint16_t offset;
    uint32_t pad;
};

#define LAM_GNTCOPY_source_gref (1U << 0)
#define LAM_GNTCOPY_dest_gref   (1U << 1)

struct lam_gnttab_copy {
    struct lam_gnttab_copy_ptr source;
    struct lam_gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags; /* LAM_GNTCOPY_* */
    int16_t status; /* OUT */
    uint16_t pad;
};

struct lam_gnttab_query_size {
    lam_domid_t dom;
    uint16_t pad0;
    uint32_t nr_frames;     /* OUT */
    uint32_t max_nr_frames; /* OUT */
    int16_t status;         /* OUT */
    uint16_t pad1;
};

struct lam_gnttab_set_version {
    uint32_t version; /* IN: 1 or 2; OUT: the version in use */
};

/* GNTTABOP_get_status_frames: v2 only; on a v1 table any nr_frames > 0 is general_error. */
struct lam_gnttab_get_status_frames {
    uint32_t nr_frames;
    lam_domid_t dom;
    int16_t status;              /* OUT */
    lam_guest_addr_t frame_list; /* OUT: array of uint64_t */
};

struct lam_gnttab_get_version {
    lam_domid_t dom;
    uint16_t pad;
    uint32_t version; /* OUT */
};

/* GNTTABOP_swap_grant_ref: swap two of the caller's entries that are not in use. */
struct lam_gnttab_swap_grant_ref {
    lam_grant_ref_t ref_a;
    lam_grant_ref_t ref_b;
    int16_t status; /* OUT: okay, bad_gntref, eagain (one of them in use) */
    uint16_t pad;
};

LAM_ASSERT_SIZE(struct lam_gnttab_map_grant_ref, 32);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, flags, 8);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, ref, 12);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, dom, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, status, 18);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, handle, 20);
LAM_ASSERT_OFFSET(struct lam_gnttab_map_grant_ref, dev_bus_addr, 24);
LAM_ASSERT_SIZE(struct lam_gnttab_unmap_grant_ref, 24);
LAM_ASSERT_OFFSET(struct lam_gnttab_unmap_grant_ref, handle, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_unmap_grant_ref, status, 20);
LAM_ASSERT_SIZE(struct lam_gnttab_setup_table, 24);
LAM_ASSERT_OFFSET(struct lam_gnttab_setup_table, nr_frames, 4);
LAM_ASSERT_OFFSET(struct lam_gnttab_setup_table, status, 8);
LAM_ASSERT_OFFSET(struct lam_gnttab_setup_table, frame_list, 16);
LAM_ASSERT_SIZE(struct lam_gnttab_copy_ptr, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy_ptr, domid, 8);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy_ptr, offset, 10);
LAM_ASSERT_SIZE(struct lam_gnttab_copy, 40);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy, dest, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy, len, 32);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy, flags, 34);
LAM_ASSERT_OFFSET(struct lam_gnttab_copy, status, 36);
LAM_ASSERT_SIZE(struct lam_gnttab_query_size, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_query_size, max_nr_frames, 8);
LAM_ASSERT_OFFSET(struct lam_gnttab_query_size, status, 12);
LAM_ASSERT_SIZE(struct lam_gnttab_set_version, 4);
LAM_ASSERT_SIZE(struct lam_gnttab_get_status_frames, 16);
LAM_ASSERT_OFFSET(struct lam_gnttab_get_status_frames, status, 6);
LAM_ASSERT_OFFSET(struct lam_gnttab_get_status_frames, frame_list, 8);
LAM_ASSERT_SIZE(struct lam_gnttab_get_version, 8);
LAM_ASSERT_OFFSET(struct lam_gnttab_get_version, version, 4);
LAM_ASSERT_SIZE(struct lam_gnttab_swap_grant_ref, 12);
LAM_ASSERT_OFFSET(struct lam_gnttab_swap_grant_ref, status, 8);

#endif /* LAMINA_GRANT_TABLE_H */
