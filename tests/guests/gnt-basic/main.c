/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables v1 with the domain granting to itself (the only domain of a
 * test boot): setup_table and query_size, the owner mapping its table frame
 * read-write, map_grant_ref by VA and by PTE address (read-write, read-only,
 * avail bits, device_map), GTF_reading/GTF_writing kept exact while mapped,
 * revoke refused while mapped, unmap, copy in both directions, and the
 * adversarial cases with Xen 4.17's status codes.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"

const char lam_test_title[] = "grant tables: self-grant map, unmap, copy, errors";

#define TREE_SLOT 301
#define SELF      0 /* the test kernel is dom0 */
#define PATTERN   0x6772616e74303031ULL

/* VAs mapped by tree L1 entries: 0 grant frame, 1..4 mapping targets. */
#define VA_TABLE 0
#define VA_MAP_A 1
#define VA_MAP_B 2
#define VA_MAP_C 3
#define VA_SPARE 4

static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab; /* our grant table, frame 0 */
static uint64_t *data_a, *data_b;

static void *tree_va(unsigned int i)
{
    return (void *)(tree.base + (uint64_t)i * LAM_PAGE_SIZE);
}

static void grant(unsigned int ref, uint16_t domid, uint64_t mfn, uint16_t flags)
{
    gtab[ref].domid = domid;
    gtab[ref].frame = (uint32_t)mfn;
    __atomic_store_n(&gtab[ref].flags, flags, __ATOMIC_RELEASE);
}

static uint16_t gflags(unsigned int ref)
{
    return __atomic_load_n(&gtab[ref].flags, __ATOMIC_ACQUIRE);
}

/* Linux's revoke: cmpxchg(flags -> 0) unless the hypervisor marked the entry in use. */
static int revoke(unsigned int ref)
{
    uint16_t old = gflags(ref);
    if (old & (LAM_GTF_reading | LAM_GTF_writing))
        return -1;
    return __atomic_compare_exchange_n(&gtab[ref].flags, &old, 0, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE)
               ? 0
               : -1;
}

static int16_t map(uint64_t host_addr, uint32_t flags, uint32_t ref, uint16_t dom, uint32_t *handle,
                   uint64_t *bus)
{
    struct lam_gnttab_map_grant_ref op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1);
    mm_expect_rc("map_grant_ref hypercall", rc, 0);
    if (handle)
        *handle = op.handle;
    if (bus)
        *bus = op.dev_bus_addr;
    return op.status;
}

static int16_t unmap(uint64_t host_addr, uint64_t bus, uint32_t handle)
{
    struct lam_gnttab_unmap_grant_ref op = {
        .host_addr = host_addr, .dev_bus_addr = bus, .handle = handle, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &op, 1);
    mm_expect_rc("unmap_grant_ref hypercall", rc, 0);
    return op.status;
}

static int16_t copy(const struct lam_gnttab_copy_ptr *src, const struct lam_gnttab_copy_ptr *dst,
                    uint16_t len, uint16_t flags)
{
    struct lam_gnttab_copy op = {
        .source = *src, .dest = *dst, .len = len, .flags = flags, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_copy, &op, 1);
    mm_expect_rc("copy hypercall", rc, 0);
    return op.status;
}

static void check_setup(void)
{
    struct lam_gnttab_set_version ver = {.version = 1};
    mm_expect_rc("set_version(1)", hypercall_grant_table_op(LAM_GNTTABOP_set_version, &ver, 1), 0);
    mm_expect(ver.version == 1, "set_version reports version 1");
    ver.version = 3;
    mm_expect_rc("set_version(3)", hypercall_grant_table_op(LAM_GNTTABOP_set_version, &ver, 1),
                 -LAM_EINVAL);

    uint64_t frames[2] = {0, 0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("setup_table status", st.status, LAM_GNTST_okay);
    mm_expect(frames[0] != 0 && frames[1] == 0, "setup_table returned one frame");

    struct lam_gnttab_query_size qs = {.dom = LAM_DOMID_SELF, .status = 99};
    mm_expect_rc("query_size", hypercall_grant_table_op(LAM_GNTTABOP_query_size, &qs, 1), 0);
    mm_expect_rc("query_size status", qs.status, LAM_GNTST_okay);
    lam_printf("query_size: nr_frames %u max %u\n", qs.nr_frames, qs.max_nr_frames);
    mm_expect(qs.nr_frames >= 1 && qs.max_nr_frames >= qs.nr_frames, "query_size counts");
    qs.dom = 77;
    qs.status = 99;
    mm_expect_rc("query_size(d77)", hypercall_grant_table_op(LAM_GNTTABOP_query_size, &qs, 1), 0);
    mm_expect_rc("query_size of a missing domain", qs.status, LAM_GNTST_bad_domain);
    st.nr_frames = 100000;
    st.status = 99;
    mm_expect_rc("setup_table(huge)", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1),
                 0);
    mm_expect_rc("setup_table beyond the limit", st.status, LAM_GNTST_general_error);

    /* The owner maps its table read-write, as Linux does after setup_table. */
    mm_expect_rc(
        "map the grant frame RW",
        mm_update(mm_tab_ma(tree.l1, VA_TABLE), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)tree_va(VA_TABLE));
    gtab = tree_va(VA_TABLE);
    for (unsigned int i = 8; i < 64; i++)
        gtab[i].flags = 0;
}

static void check_map_va(void)
{
    uint64_t mfn_a = mm_va_to_mfn(data_a), bus = 0;
    uint32_t h = 0;
    data_a[0] = PATTERN;
    grant(10, SELF, mfn_a, LAM_GTF_permit_access);

    mm_expect_rc("map RW by VA",
                 map((uint64_t)tree_va(VA_MAP_A), LAM_GNTMAP_host_map, 10, SELF, &h, &bus),
                 LAM_GNTST_okay);
    mm_expect(bus == mfn_a << LAM_PAGE_SHIFT, "dev_bus_addr is the frame's machine address");
    mm_expect((gflags(10) & (LAM_GTF_reading | LAM_GTF_writing)) ==
                  (LAM_GTF_reading | LAM_GTF_writing),
              "RW mapping sets GTF_reading|GTF_writing");
    uint64_t pte = tree.l1[VA_MAP_A];
    lam_printf("grant PTE 0x%lx\n", (unsigned long)pte);
    mm_expect((pte & LAM_PTE_MFN_MASK) == bus && (pte & LAM_PTE_RW) && (pte & LAM_PTE_PRESENT),
              "L1 entry maps the granted frame RW");
    volatile uint64_t *va = tree_va(VA_MAP_A);
    uint64_t v = 0;
    mm_expect(mm_try_read(va, &v) == 0 && v == PATTERN, "read through the grant mapping");
    mm_expect(mm_try_write(va + 1, ~PATTERN) == 0 && data_a[1] == ~PATTERN,
              "write through the mapping reaches the granted page");

    /* Adversarial, while mapped. */
    mm_expect(revoke(10) != 0 && (gflags(10) & LAM_GTF_type_mask) == LAM_GTF_permit_access,
              "revoke refused while mapped (busy bits seen)");
    mm_expect_rc("unmap with a wrong handle", unmap((uint64_t)va, 0, h + 4096),
                 LAM_GNTST_bad_handle);
    mm_expect_rc("unmap at an address that is not the mapping",
                 unmap((uint64_t)tree_va(VA_SPARE), 0, h), LAM_GNTST_general_error);
    /*
     * Bit 62 marks grant entries where the hypervisor uses it (Lamina; Xen
     * debug builds). There a guest may not write it; where grant entries do
     * not carry it (Xen release builds) it is an ordinary software bit.
     */
    long forge = mm_update(mm_tab_ma(tree.l1, VA_SPARE),
                           (mfn_a << LAM_PAGE_SHIFT) | MM_PTE_FLAGS | LAM_PTE_GNTTAB);
    if (pte & LAM_PTE_GNTTAB) {
        mm_expect_rc("forge bit 62 with mmu_update", forge, -LAM_EINVAL);
        mm_expect_rc("mmu_update over a live grant entry",
                     mm_update(mm_tab_ma(tree.l1, VA_MAP_A), 0), -LAM_EINVAL);
        mm_expect(tree.l1[VA_MAP_A] == pte, "grant entry unchanged by the refused update");
    } else {
        mm_expect_rc("bit 62 is a software bit here", forge, 0);
        mm_expect_rc("clear it again", mm_update(mm_tab_ma(tree.l1, VA_SPARE), 0), 0);
    }

    /* A second mapping of the same grant: the bits stay until the last unmap. */
    uint32_t h2 = 0;
    mm_expect_rc("second RO mapping (by PTE address)",
                 map(mm_tab_ma(tree.l1, VA_MAP_B),
                     LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte | LAM_GNTMAP_readonly, 10, SELF,
                     &h2, NULL),
                 LAM_GNTST_okay);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)tree_va(VA_MAP_B));
    mm_expect(mm_try_read(tree_va(VA_MAP_B), &v) == 0 && v == PATTERN, "read the RO mapping");
    mm_expect(mm_try_write(tree_va(VA_MAP_B), 1) != 0, "write through the RO mapping faults");
    mm_expect(!(tree.l1[VA_MAP_B] & LAM_PTE_RW), "RO mapping's entry is read-only");

    mm_expect_rc("unmap the RW mapping", unmap((uint64_t)va, 0, h), LAM_GNTST_okay);
    mm_expect(tree.l1[VA_MAP_A] == 0, "unmap cleared the L1 entry");
    mm_expect((gflags(10) & (LAM_GTF_reading | LAM_GTF_writing)) == LAM_GTF_reading,
              "GTF_writing cleared, GTF_reading kept for the RO mapping");
    mm_expect_rc("unmap the same handle again", unmap((uint64_t)va, 0, h), LAM_GNTST_bad_handle);
    mm_expect_rc("unmap the RO mapping by PTE address", unmap(mm_tab_ma(tree.l1, VA_MAP_B), 0, h2),
                 LAM_GNTST_okay);
    mm_expect((gflags(10) & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "no busy bits once unmapped");
    mm_expect(revoke(10) == 0 && gflags(10) == 0, "revoke succeeds once unmapped");
    mm_expect_rc("map a revoked grant", map((uint64_t)va, LAM_GNTMAP_host_map, 10, SELF, &h, NULL),
                 LAM_GNTST_general_error);
}

static void check_map_variants(void)
{
    uint64_t mfn_a = mm_va_to_mfn(data_a), bus = 0;
    uint32_t h = 0;
    grant(11, SELF, mfn_a, LAM_GTF_permit_access);

    /* Avail bits 16-18 of the flags land in PTE bits 9-11. */
    mm_expect_rc(
        "map with avail bits",
        map(mm_tab_ma(tree.l1, VA_MAP_C),
            LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte | LAM_GNTMAP_application_map | (5u << 16),
            11, SELF, &h, NULL),
        LAM_GNTST_okay);
    uint64_t pte = tree.l1[VA_MAP_C];
    mm_expect(((pte >> 9) & 7) == 5 && (pte & LAM_PTE_USER), "avail bits and U in the entry");
    mm_expect_rc("unmap it", unmap(mm_tab_ma(tree.l1, VA_MAP_C), 0, h), LAM_GNTST_okay);

    /* device_map only: no PTE, just the frame's bus address and a pin. */
    mm_expect_rc("device_map", map(0, LAM_GNTMAP_device_map, 11, SELF, &h, &bus), LAM_GNTST_okay);
    mm_expect(bus == mfn_a << LAM_PAGE_SHIFT, "device_map dev_bus_addr");
    mm_expect(gflags(11) & LAM_GTF_writing, "device_map RW sets GTF_writing");
    mm_expect_rc("unmap device_map", unmap(0, bus, h), LAM_GNTST_okay);
    mm_expect((gflags(11) & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "device unmap cleared the busy bits");
}

static void check_map_errors(void)
{
    uint64_t va = (uint64_t)tree_va(VA_MAP_A), mfn_a = mm_va_to_mfn(data_a);
    uint32_t h;

    mm_expect_rc("map a reference never granted", map(va, LAM_GNTMAP_host_map, 12, SELF, &h, NULL),
                 LAM_GNTST_general_error);
    mm_expect_rc("map from a domain that does not exist",
                 map(va, LAM_GNTMAP_host_map, 11, 77, &h, NULL), LAM_GNTST_bad_domain);
    grant(13, 5, mfn_a, LAM_GTF_permit_access);
    mm_expect_rc("map a grant made to another domain",
                 map(va, LAM_GNTMAP_host_map, 13, SELF, &h, NULL), LAM_GNTST_general_error);
    grant(14, SELF, mfn_a, LAM_GTF_permit_access | LAM_GTF_readonly);
    mm_expect_rc("map RW a read-only grant", map(va, LAM_GNTMAP_host_map, 14, SELF, &h, NULL),
                 LAM_GNTST_general_error);
    mm_expect((gflags(14) & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "refused map left no busy bits");
    mm_expect_rc("map an out-of-range reference",
                 map(va, LAM_GNTMAP_host_map, 1u << 24, SELF, &h, NULL), LAM_GNTST_bad_gntref);
    mm_expect_rc("map without host_map or device_map", map(va, 0, 11, SELF, &h, NULL),
                 LAM_GNTST_bad_gntref);
    grant(15, SELF, 0, LAM_GTF_permit_access);
    mm_expect_rc("grant of a frame the granter does not own (mfn 0)",
                 map(va, LAM_GNTMAP_host_map, 15, SELF, &h, NULL), LAM_GNTST_bad_page);
    grant(16, SELF, 0xfffffff0u, LAM_GTF_permit_access);
    mm_expect_rc("grant of an out-of-range frame", map(va, LAM_GNTMAP_host_map, 16, SELF, &h, NULL),
                 LAM_GNTST_bad_page);
    mm_expect((gflags(15) | gflags(16)) == LAM_GTF_permit_access,
              "bad-page maps left no busy bits");
    grant(17, SELF, mm_va_to_mfn(tree.l1), LAM_GTF_permit_access);
    mm_expect_rc("map RW a grant of a page table", map(va, LAM_GNTMAP_host_map, 17, SELF, &h, NULL),
                 LAM_GNTST_general_error);
    mm_expect(gflags(17) == LAM_GTF_permit_access, "refused page-table map left no busy bits");
    uint64_t unmapped_va = mm_make_va(TREE_SLOT, 1, 0, 0); /* no L2 entry there */
    mm_expect_rc("map at a VA with no L1",
                 map(unmapped_va, LAM_GNTMAP_host_map, 11, SELF, &h, NULL),
                 LAM_GNTST_general_error);
    mm_expect_rc("map at a misaligned PTE address",
                 map(mm_tab_ma(tree.l1, VA_MAP_A) + 3,
                     LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte, 11, SELF, &h, NULL),
                 LAM_GNTST_general_error);
    mm_expect_rc(
        "map at a PTE address in a frame that is not an L1",
        map(mm_va_to_ma(data_b), LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte, 11, SELF, &h, NULL),
        LAM_GNTST_general_error);
    mm_expect((gflags(11) & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "failed host mappings left no busy bits");
}

static void check_copy(void)
{
    uint64_t mfn_a = mm_va_to_mfn(data_a), mfn_b = mm_va_to_mfn(data_b);
    for (unsigned int i = 0; i < 512; i++) {
        data_a[i] = PATTERN + i;
        data_b[i] = 0;
    }
    grant(20, SELF, mfn_a, LAM_GTF_permit_access | LAM_GTF_readonly);
    grant(21, SELF, mfn_b, LAM_GTF_permit_access);
    struct lam_gnttab_copy_ptr g20 = {.u.ref = 20, .domid = SELF, .offset = 8};
    struct lam_gnttab_copy_ptr g21 = {.u.ref = 21, .domid = SELF, .offset = 16};
    struct lam_gnttab_copy_ptr fa = {.u.gmfn = mfn_a, .domid = LAM_DOMID_SELF, .offset = 0};
    struct lam_gnttab_copy_ptr fb = {.u.gmfn = mfn_b, .domid = LAM_DOMID_SELF, .offset = 64};

    mm_expect_rc("copy grant -> frame", copy(&g20, &fb, 32, LAM_GNTCOPY_source_gref),
                 LAM_GNTST_okay);
    mm_expect(data_b[8] == PATTERN + 1 && data_b[11] == PATTERN + 4 && data_b[12] == 0,
              "copied bytes landed at the destination offset");
    mm_expect_rc("copy frame -> grant", copy(&fa, &g21, 8, LAM_GNTCOPY_dest_gref), LAM_GNTST_okay);
    mm_expect(data_b[2] == PATTERN, "frame -> grant copy landed");
    mm_expect_rc("copy grant -> grant",
                 copy(&g20, &g21, 4096 - 16, LAM_GNTCOPY_source_gref | LAM_GNTCOPY_dest_gref),
                 LAM_GNTST_okay);
    mm_expect(data_b[2] == PATTERN + 1 && data_b[511] == PATTERN + 510, "grant -> grant copy");
    mm_expect(gflags(20) == (LAM_GTF_permit_access | LAM_GTF_readonly) &&
                  gflags(21) == LAM_GTF_permit_access,
              "no busy bits after the copies");

    /* Adversarial. */
    mm_expect_rc("copy across a page boundary", copy(&g20, &fb, 4096 - 32, LAM_GNTCOPY_source_gref),
                 LAM_GNTST_bad_copy_arg);
    mm_expect_rc("copy into a read-only grant", copy(&fa, &g20, 8, LAM_GNTCOPY_dest_gref),
                 LAM_GNTST_general_error);
    mm_expect(gflags(20) == (LAM_GTF_permit_access | LAM_GTF_readonly),
              "refused copy left no busy bits");
    struct lam_gnttab_copy_ptr f0 = {.u.gmfn = 0, .domid = LAM_DOMID_SELF};
    mm_expect_rc("copy from a frame we do not own", copy(&f0, &fb, 8, 0), LAM_GNTST_bad_page);
    struct lam_gnttab_copy_ptr fother = {.u.gmfn = mfn_a, .domid = SELF};
    mm_expect_rc("copy by frame naming a domain id", copy(&fother, &fb, 8, 0),
                 LAM_GNTST_permission_denied);
    struct lam_gnttab_copy_ptr gbad = {.u.ref = 1u << 24, .domid = SELF};
    mm_expect_rc("copy from an out-of-range reference",
                 copy(&gbad, &fb, 8, LAM_GNTCOPY_source_gref), LAM_GNTST_bad_gntref);
    struct lam_gnttab_copy_ptr gdom = {.u.ref = 20, .domid = 77};
    mm_expect_rc("copy from a missing domain", copy(&gdom, &fb, 8, LAM_GNTCOPY_source_gref),
                 LAM_GNTST_bad_domain);
    struct lam_gnttab_copy_ptr fpt = {.u.gmfn = mm_va_to_mfn(tree.l1), .domid = LAM_DOMID_SELF};
    mm_expect_rc("copy into a page-table frame", copy(&fa, &fpt, 8, 0), LAM_GNTST_general_error);
}

void test_main(void)
{
    mm_init();
    data_a = mm_alloc_page();
    data_b = mm_alloc_page();
    if (!data_a || !data_b) {
        lam_error("no free pages");
        return;
    }
    long rc = mm_tree_build(&tree, TREE_SLOT);
    if (rc) {
        lam_error("tree build failed: %ld", rc);
        return;
    }
    check_setup();
    check_map_va();
    check_map_variants();
    check_map_errors();
    check_copy();
    mm_expect_rc("unmap the grant frame", mm_update(mm_tab_ma(tree.l1, VA_TABLE), 0), 0);
    mm_expect_rc("tree teardown", mm_tree_destroy(&tree), 0);
}
