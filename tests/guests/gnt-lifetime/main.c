/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The life of a granted frame against its mappings (the XSA-218/224/268/295 class: unmap
 * races, a page freed while still mapped). Runs as dom0 on both hypervisors and as the
 * unprivileged boot-time domU d1 on Lamina (gnt-lifetime-2dom, dom0 = domu-attack).
 * - A frame of ours that no page table maps is granted to ourselves and mapped three
 *   ways (read-write by VA, read-only by PTE address, a device mapping); then we give it
 *   back with decrease_reservation. Xen 4.17 drops the allocation and keeps the frame
 *   alive until the last mapping goes; Lamina refuses the extent while anything but the
 *   allocation references the frame (docs/differences.md). Either way the mappings must
 *   keep showing the same frame (no use after free), each unmap succeeds, and afterwards
 *   the frame is ours to give back (Lamina) or gone (Xen).
 * - As d1 only: everything that names dom0 is refused (setup_table, query_size,
 *   get_version, get_status_frames of dom0; maps and copies of dom0's references; copies
 *   by frame into dom0; event channels in dom0), and then d1 dies holding mappings: a
 *   read-write host mapping, a device mapping, a mapping of its own grant-table frame,
 *   and an orphan: a host mapping whose L1 table was unhooked (its type gone) so no unmap
 *   can reach it any more. Until d1 dies the orphan's frame keeps its writable type (it
 *   cannot become a page table). The hypervisor must release all of it: dom0 sees d1
 *   reaped, and d1's frame audit balances (gnt-lifetime-2dom_LAMINA_LOG_EXPECT).
 */
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/memory.h>
#include <lamina/mmu.h>
#include "mm_util.h"

const char lam_test_title[] =
    "grant tables: a granted frame freed, foreign ops, dying with mappings";

#define TREE_SLOT   304
#define ORPHAN_SLOT 305
#define PATTERN     0x6c69666574696d65ULL

static struct mm_tree tree, orphan;
static volatile struct lam_grant_entry_v1 *gtab;
static uint16_t self_id;
static uint64_t table_mfn;

static void *tva(const struct mm_tree *t, unsigned int i)
{
    return (void *)(t->base + (uint64_t)i * LAM_PAGE_SIZE);
}

static void grant(unsigned int ref, uint16_t domid, uint64_t mfn, uint16_t flags)
{
    gtab[ref].domid = domid;
    gtab[ref].frame = (uint32_t)mfn;
    __atomic_store_n(&gtab[ref].flags, flags, __ATOMIC_RELEASE);
}

static int16_t map(uint64_t host_addr, uint32_t flags, uint32_t ref, uint16_t dom, uint32_t *handle)
{
    struct lam_gnttab_map_grant_ref op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom, .status = 99};
    mm_expect_rc("map_grant_ref hypercall",
                 hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1), 0);
    if (handle)
        *handle = op.handle;
    return op.status;
}

static int16_t unmap(uint64_t host_addr, uint64_t bus, uint32_t handle)
{
    struct lam_gnttab_unmap_grant_ref op = {
        .host_addr = host_addr, .dev_bus_addr = bus, .handle = handle, .status = 99};
    mm_expect_rc("unmap_grant_ref hypercall",
                 hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &op, 1), 0);
    return op.status;
}

static long decrease(uint64_t mfn)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)&mfn, .nr_extents = 1, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(LAM_XENMEM_decrease_reservation, &r);
}

static void check_freed_while_mapped(void)
{
    uint64_t pfn = mm_alloc_unmapped_pfn();
    if (!pfn) {
        lam_error("no unmapped frame");
        return;
    }
    uint64_t f = mm_pfn_to_mfn(pfn);
    grant(10, self_id, f, LAM_GTF_permit_access);
    uint32_t hw, hr, hd;
    volatile uint64_t *w = tva(&tree, 1), *r = tva(&tree, 2);
    mm_expect_rc("map it read-write", map((uint64_t)w, LAM_GNTMAP_host_map, 10, self_id, &hw),
                 LAM_GNTST_okay);
    mm_expect_rc("map it read-only by PTE address",
                 map(mm_tab_ma(tree.l1, 2),
                     LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte | LAM_GNTMAP_readonly, 10,
                     self_id, &hr),
                 LAM_GNTST_okay);
    mm_expect_rc("device map", map(0, LAM_GNTMAP_device_map, 10, self_id, &hd), LAM_GNTST_okay);
    w[0] = PATTERN;
    long rc = decrease(f);
    lam_printf("decrease_reservation of the mapped frame: %ld (Xen 1, Lamina 0)\n", rc);
    mm_expect(rc == 0 || rc == 1, "decrease_reservation answers 0 or 1");
    uint64_t v = 0;
    w[1] = PATTERN + 1;
    mm_expect(mm_try_read(r, &v) == 0 && v == PATTERN, "the read-only mapping still shows it");
    mm_expect(r[1] == PATTERN + 1, "... and a write through the other mapping");
    mm_expect_rc("unmap the device mapping", unmap(0, f << LAM_PAGE_SHIFT, hd), LAM_GNTST_okay);
    mm_expect_rc("unmap read-only", unmap(mm_tab_ma(tree.l1, 2), 0, hr), LAM_GNTST_okay);
    mm_expect(w[0] == PATTERN, "the read-write mapping is still the frame");
    mm_expect_rc("unmap read-write", unmap((uint64_t)w, 0, hw), LAM_GNTST_okay);
    mm_expect(mm_try_read(w, &v) != 0, "nothing mapped there any more");
    mm_expect((gtab[10].flags & (LAM_GTF_reading | LAM_GTF_writing)) == 0, "no busy bits");
    long rc2 = decrease(f);
    lam_printf("decrease_reservation once unmapped: %ld\n", rc2);
    mm_expect(rc + rc2 == 1, "the frame was given back exactly once");
    grant(10, 0, 0, 0);
}

static void check_foreign(void)
{
    struct lam_gnttab_setup_table st = {.dom = 0, .nr_frames = 1, .status = 99};
    uint64_t frames[1];
    st.frame_list = (uint64_t)frames;
    mm_expect_rc("setup_table of dom0", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1),
                 0);
    mm_expect_rc("... permission_denied", st.status, LAM_GNTST_permission_denied);
    struct lam_gnttab_query_size qs = {.dom = 0, .status = 99};
    mm_expect_rc("query_size of dom0", hypercall_grant_table_op(LAM_GNTTABOP_query_size, &qs, 1),
                 0);
    mm_expect_rc("... permission_denied", qs.status, LAM_GNTST_permission_denied);
    struct lam_gnttab_get_version gv = {.dom = 0};
    mm_expect_rc("get_version of dom0", hypercall_grant_table_op(LAM_GNTTABOP_get_version, &gv, 1),
                 -LAM_EPERM);
    struct lam_gnttab_get_status_frames gs = {.dom = 0, .status = 99};
    gs.frame_list = (uint64_t)frames;
    mm_expect_rc("get_status_frames of dom0",
                 hypercall_grant_table_op(LAM_GNTTABOP_get_status_frames, &gs, 1), 0);
    mm_expect_rc("... permission_denied", gs.status, LAM_GNTST_permission_denied);
    for (uint32_t ref = 0; ref < 16; ref++) {
        int16_t s =
            map((uint64_t)tva(&tree, 3), LAM_GNTMAP_host_map | LAM_GNTMAP_readonly, ref, 0, NULL);
        if (s != LAM_GNTST_general_error)
            lam_fail("map dom0's reference %u: %d", ref, s);
        s = map(0, LAM_GNTMAP_device_map | LAM_GNTMAP_readonly, ref, 0, NULL);
        if (s != LAM_GNTST_general_error)
            lam_fail("device-map dom0's reference %u: %d", ref, s);
    }
    uint64_t *mine = mm_alloc_page();
    struct lam_gnttab_copy c = {.source = {.u.ref = 0, .domid = 0},
                                .dest = {.u.gmfn = mm_va_to_mfn(mine), .domid = LAM_DOMID_SELF},
                                .len = 8,
                                .flags = LAM_GNTCOPY_source_gref,
                                .status = 99};
    mm_expect_rc("copy from dom0's reference 0", hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1),
                 0);
    mm_expect_rc("... general_error", c.status, LAM_GNTST_general_error);
    c = (struct lam_gnttab_copy){.source = {.u.gmfn = mm_va_to_mfn(mine), .domid = LAM_DOMID_SELF},
                                 .dest = {.u.gmfn = table_mfn, .domid = 0},
                                 .len = 8,
                                 .status = 99};
    mm_expect_rc("copy by frame into dom0", hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1), 0);
    mm_expect_rc("... permission_denied", c.status, LAM_GNTST_permission_denied);
    c.dest.domid = LAM_DOMID_SELF;
    c.dest.u.gmfn = 0x100; /* a frame that is not ours */
    c.status = 99;
    mm_expect_rc("copy by frame into a frame not ours",
                 hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1), 0);
    mm_expect_rc("... bad_page", c.status, LAM_GNTST_bad_page);
    mm_expect_rc("map from DOMID_IO",
                 map((uint64_t)tva(&tree, 3), LAM_GNTMAP_host_map, 0, 0x7ff1, NULL),
                 LAM_GNTST_bad_domain);

    struct lam_evtchn_alloc_unbound au = {.dom = 0, .remote_dom = self_id};
    mm_expect_rc("alloc_unbound in dom0",
                 hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au), -LAM_EPERM);
    struct lam_evtchn_status es = {.dom = 0, .port = 1};
    mm_expect_rc("status of dom0's port", hypercall_event_channel_op(LAM_EVTCHNOP_status, &es),
                 -LAM_EPERM);
    struct lam_evtchn_reset rs = {.dom = 0};
    mm_expect_rc("reset dom0's ports", hypercall_event_channel_op(LAM_EVTCHNOP_reset, &rs),
                 -LAM_EPERM);
    for (uint32_t p = 1; p < 8; p++) {
        struct lam_evtchn_bind_interdomain b = {.remote_dom = 0, .remote_port = p};
        long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b);
        if (rc != -LAM_EINVAL)
            lam_fail("bind dom0's port %u (not offered to us): %ld", p, rc);
    }
}

/* Leave mappings behind and die with them (d1 only). */
static void die_holding(void)
{
    uint64_t *a = mm_alloc_page(), *b = mm_alloc_page();
    uint64_t pfn = mm_alloc_unmapped_pfn();
    if (!a || !b || !pfn) {
        lam_error("no pages");
        return;
    }
    uint64_t f = mm_pfn_to_mfn(pfn);
    grant(20, self_id, mm_va_to_mfn(a), LAM_GTF_permit_access);
    grant(21, self_id, table_mfn, LAM_GTF_permit_access);
    grant(22, self_id, f, LAM_GTF_permit_access);
    grant(23, self_id, mm_va_to_mfn(b), LAM_GTF_permit_access | LAM_GTF_readonly);
    mm_expect_rc("keep a read-write mapping",
                 map((uint64_t)tva(&tree, 4), LAM_GNTMAP_host_map, 20, self_id, NULL),
                 LAM_GNTST_okay);
    mm_expect_rc("keep a mapping of our grant-table frame",
                 map((uint64_t)tva(&tree, 5), LAM_GNTMAP_host_map, 21, self_id, NULL),
                 LAM_GNTST_okay);
    mm_expect_rc("keep a device mapping", map(0, LAM_GNTMAP_device_map, 20, self_id, NULL),
                 LAM_GNTST_okay);
    mm_expect_rc("keep a read-only device mapping",
                 map(0, LAM_GNTMAP_device_map | LAM_GNTMAP_readonly, 23, self_id, NULL),
                 LAM_GNTST_okay);

    /* The orphan: map f read-write into the second tree, then unhook its L1. */
    long rc = mm_tree_build(&orphan, ORPHAN_SLOT);
    mm_expect_rc("second tree", rc, 0);
    uint32_t h;
    volatile uint64_t *o = tva(&orphan, 7);
    mm_expect_rc("map f read-write in the second tree",
                 map((uint64_t)o, LAM_GNTMAP_host_map, 22, self_id, &h), LAM_GNTST_okay);
    o[0] = PATTERN;
    mm_expect_rc("unhook the L1 holding the mapping", mm_update(mm_tab_ma(orphan.l2, 0), 0), 0);
    mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0);
    uint64_t v;
    mm_expect(mm_try_read(o, &v) != 0, "the address maps nothing now");
    mm_expect_rc("unmap by the address", unmap((uint64_t)o, 0, h), LAM_GNTST_general_error);
    mm_expect_rc("unmap by the entry's address (no longer an L1)",
                 unmap(mm_tab_ma(orphan.l1, 7), 0, h), LAM_GNTST_general_error);
    mm_expect_rc("the orphan's frame cannot become a page table",
                 mm_ext(LAM_MMUEXT_PIN_L1_TABLE, f), -LAM_EINVAL);
    mm_expect((gtab[22].flags & LAM_GTF_writing) != 0, "the orphan still pins the grant");
    lam_printf("dying with 5 mappings, one of them orphaned\n");
}

void test_main(void)
{
    mm_init();
    self_id = (lam_start_info->flags & LAM_SIF_PRIVILEGED) ? 0 : 1;
    long rc = mm_tree_build(&tree, TREE_SLOT);
    if (rc) {
        lam_error("tree build failed: %ld", rc);
        return;
    }
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    table_mfn = frames[0];
    mm_expect_rc("map the grant frame",
                 mm_update(mm_tab_ma(tree.l1, 0), (table_mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    gtab = tva(&tree, 0);
    for (unsigned int i = 8; i < 32; i++)
        gtab[i].flags = 0;

    check_freed_while_mapped();
    if (self_id == 0)
        return; /* dom0 ends the machine: nothing to die with */
    check_foreign();
    die_holding();
}
