/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmuext_op: pin/unpin at every level, NEW_BASEPTR to a copy of the running
 * L4 and back, NEW_USER_BASEPTR (a table, then 0), the TLB flush and invlpg
 * flavours, SET_LDT 0,0, the done count of a failing batch; and memory_op:
 * machphys_mapping, memory_map (-ENOSYS for a PV dom0) / machine_memory_map, current /
 * maximum reservation, decrease_reservation of an unmapped page and
 * populate_physmap to get a page back.
 */
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "mmuext_op and memory_op";

static const char *const level_names[] = {"PIN_L1", "PIN_L2", "PIN_L3", "PIN_L4"};

static void check_pin_levels(void)
{
    char what[64];
    for (unsigned lvl = 0; lvl < 4; lvl++) {
        void *page = mm_alloc_page();
        uint64_t mfn = mm_va_to_mfn(page);
        mm_expect_rc("make the page read-only", mm_page_set_ro(page), 0);
        lam_snprintf(what, sizeof(what), "%s of an empty table", level_names[lvl]);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_PIN_L1_TABLE + lvl, mfn), 0);
        lam_snprintf(what, sizeof(what), "writable mapping of a %s page", level_names[lvl]);
        mm_expect_rc(what, mm_page_set_rw(page), -LAM_EBUSY);
        lam_snprintf(what, sizeof(what), "UNPIN after %s", level_names[lvl]);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), 0);
        lam_snprintf(what, sizeof(what), "page writable again after %s/UNPIN", level_names[lvl]);
        mm_expect_rc(what, mm_page_set_rw(page), 0);
    }
}

/* A copy of the running L4 (guest slots only: the hypervisor fills 256-271). */
static uint64_t *copy_l4(void)
{
    uint64_t *copy = mm_alloc_page();
    const uint64_t *cur = mm_mfn_to_va(mm_cur_l4_mfn);
    if (!copy || !cur)
        return NULL;
    for (unsigned i = 0; i < 512; i++)
        if (i < 256 || i > 271)
            copy[i] = cur[i];
    return copy;
}

static void check_baseptr(void)
{
    static volatile uint64_t marker = 0x1122334455667788ULL;
    uint64_t orig = mm_cur_l4_mfn;
    uint64_t *l4 = copy_l4(), *user = mm_alloc_page();
    if (!l4 || !user) {
        lam_fail("no pages for the L4 copy");
        return;
    }
    uint64_t mfn = mm_va_to_mfn(l4), umfn = mm_va_to_mfn(user);
    mm_expect_rc("copy of the L4 read-only", mm_page_set_ro(l4), 0);
    mm_expect_rc("user L4 read-only", mm_page_set_ro(user), 0);
    mm_expect_rc("PIN_L4 the copy", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, mfn), 0);
    mm_expect_rc("PIN_L4 the user table", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, umfn), 0);
    mm_expect_rc("NEW_BASEPTR to the copy", mm_new_baseptr(mfn), 0);
    mm_expect(marker == 0x1122334455667788ULL, "data readable on the new L4");
    mm_expect(mm_m2p(mfn) == ((uint64_t)l4 - MM_VIRT_BASE) >> LAM_PAGE_SHIFT,
              "M2P mapped on the new L4 (hypervisor slots filled)");
    mm_expect(l4[256] != 0, "the copy's slot 256 was filled by the hypervisor");
    mm_expect_rc("NEW_USER_BASEPTR to a pinned L4", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, umfn), 0);
    mm_expect_rc("NEW_USER_BASEPTR 0", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, 0), 0);
    mm_expect_rc("NEW_BASEPTR back", mm_new_baseptr(orig), 0);
    mm_expect_rc("UNPIN the copy", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), 0);
    mm_expect_rc("UNPIN the user table", mm_ext(LAM_MMUEXT_UNPIN_TABLE, umfn), 0);
    mm_expect_rc("copy writable again (no references left)", mm_page_set_rw(l4), 0);
    mm_expect_rc("user table writable again", mm_page_set_rw(user), 0);
}

static void check_flushes(void)
{
    static unsigned long mask = 1;
    uint64_t va = (uint64_t)lam_start_info;
    mm_expect_rc("TLB_FLUSH_LOCAL", mm_ext(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0), 0);
    mm_expect_rc("TLB_FLUSH_ALL", mm_ext(LAM_MMUEXT_TLB_FLUSH_ALL, 0), 0);
    mm_expect_rc("TLB_FLUSH_MULTI", mm_ext2(LAM_MMUEXT_TLB_FLUSH_MULTI, 0, (uint64_t)&mask), 0);
    mm_expect_rc("INVLPG_LOCAL", mm_ext(LAM_MMUEXT_INVLPG_LOCAL, va), 0);
    mm_expect_rc("INVLPG_ALL", mm_ext(LAM_MMUEXT_INVLPG_ALL, va), 0);
    mm_expect_rc("INVLPG_MULTI", mm_ext2(LAM_MMUEXT_INVLPG_MULTI, va, (uint64_t)&mask), 0);
    mm_expect_rc("INVLPG_LOCAL of an unmapped address", mm_ext(LAM_MMUEXT_INVLPG_LOCAL, 0x1000), 0);
    mm_expect_rc("SET_LDT 0,0", mm_ext2(LAM_MMUEXT_SET_LDT, 0, 0), 0);
    mm_expect_rc("unknown mmuext command", mm_ext(0x7f, 0), -LAM_ENOSYS);
}

static void check_ext_done(void)
{
    void *page = mm_alloc_page();
    uint64_t mfn = mm_va_to_mfn(page);
    mm_page_set_ro(page);
    struct lam_mmuext_op ops[3] = {{.cmd = LAM_MMUEXT_PIN_L1_TABLE},
                                   {.cmd = LAM_MMUEXT_UNPIN_TABLE},
                                   {.cmd = LAM_MMUEXT_TLB_FLUSH_LOCAL}};
    ops[0].arg1.mfn = mfn;
    ops[1].arg1.mfn = mm_va_to_mfn(lam_start_info); /* never pinned */
    unsigned done = 0;
    long rc = hypercall_mmuext_op(ops, 3, &done, LAM_DOMID_SELF);
    mm_expect_rc("mmuext batch with a bad second op", rc, -LAM_EINVAL);
    lam_printf("mmuext done count %u\n", done);
    mm_expect(done == 1, "mmuext done count is 1");
    mm_expect_rc("the first op took effect: UNPIN it", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), 0);
    mm_expect_rc("page writable again", mm_page_set_rw(page), 0);
}

static void check_memory_info(void)
{
    struct lam_machphys_mapping mp = {0};
    mm_expect_rc("machphys_mapping", hypercall_memory_op(LAM_XENMEM_machphys_mapping, &mp), 0);
    lam_printf("machphys: v_start %lx v_end %lx max_mfn %lx\n", mp.v_start, mp.v_end, mp.max_mfn);
    mm_expect(mp.v_start == LAM_MACH2PHYS_VIRT_START && mp.v_end > mp.v_start,
              "M2P at 0xffff800000000000");
    mm_expect(mp.max_mfn >= mm_cur_l4_mfn && (mp.v_end - mp.v_start) / 8 > mp.max_mfn,
              "max_mfn covers our frames and fits the mapping");

    /* Xen 4.17 keeps no pseudo-physical e820 for a PV dom0: memory_map is -ENOSYS. */
    static struct lam_e820_entry e820[64];
    struct lam_memory_map map = {.nr_entries = 64, .buffer = (uint64_t)e820};
    mm_expect_rc("memory_map (PV dom0)", hypercall_memory_op(LAM_XENMEM_memory_map, &map),
                 -LAM_ENOSYS);
    map.nr_entries = 64;
    mm_expect_rc("machine_memory_map", hypercall_memory_op(LAM_XENMEM_machine_memory_map, &map), 0);
    uint64_t ram = 0;
    for (unsigned i = 0; i < map.nr_entries && i < 64; i++) {
        uint64_t addr = ((uint64_t)e820[i].addr_hi << 32) | e820[i].addr_lo;
        uint64_t size = ((uint64_t)e820[i].size_hi << 32) | e820[i].size_lo;
        lam_printf("  e820 %lx+%lx type %u\n", addr, size, e820[i].type);
        if (e820[i].type == LAM_E820_RAM)
            ram += size;
    }
    mm_expect(map.nr_entries >= 1 && map.nr_entries < 64, "machine map has entries");
    mm_expect(ram >= lam_start_info->nr_pages * LAM_PAGE_SIZE, "machine map covers our RAM");
    struct lam_memory_map small = {.nr_entries = 0, .buffer = (uint64_t)e820};
    mm_expect_rc("machine_memory_map with room for 0 entries",
                 hypercall_memory_op(LAM_XENMEM_machine_memory_map, &small), -LAM_EINVAL);

    uint16_t self = LAM_DOMID_SELF;
    long cur = hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
    long max = hypercall_memory_op(LAM_XENMEM_maximum_reservation, &self);
    lam_printf("current_reservation %ld maximum_reservation %ld\n", cur, max);
    mm_expect(cur == (long)lam_start_info->nr_pages, "current_reservation is nr_pages");
    mm_expect(max >= cur, "maximum_reservation at least current");
}

static long reservation(unsigned cmd, uint64_t *extent)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)extent, .nr_extents = 1, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(cmd, &r);
}

static void check_balloon(void)
{
    uint16_t self = LAM_DOMID_SELF;
    uint64_t pfn = mm_alloc_unmapped_pfn(), mfn = mm_pfn_to_mfn(pfn);
    long before = hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
    uint64_t ext = mfn;
    lam_printf("balloon: pfn %lx mfn %lx\n", pfn, mfn);
    mm_expect_rc("decrease_reservation of an unmapped page",
                 reservation(LAM_XENMEM_decrease_reservation, &ext), 1);
    mm_expect(hypercall_memory_op(LAM_XENMEM_current_reservation, &self) == before - 1,
              "current_reservation dropped by one");
    mm_expect(!mm_mfn_is_ours(mfn), "the frame is no longer ours");
    ext = mfn;
    mm_expect_rc("decrease_reservation of it again (not ours)",
                 reservation(LAM_XENMEM_decrease_reservation, &ext), 0);
    ((uint64_t *)lam_start_info->mfn_list)[pfn] = LAM_INVALID_MFN;

    ext = pfn;
    mm_expect_rc("populate_physmap of the pfn", reservation(LAM_XENMEM_populate_physmap, &ext), 1);
    uint64_t nmfn = ext;
    lam_printf("balloon: new mfn %lx\n", nmfn);
    mm_expect(hypercall_memory_op(LAM_XENMEM_current_reservation, &self) == before,
              "current_reservation restored");
    mm_expect(mm_m2p(nmfn) == pfn, "M2P of the new frame is the pfn");
    ((uint64_t *)lam_start_info->mfn_list)[pfn] = nmfn;

    /* Use it through a window page. */
    uint64_t *win = mm_alloc_page();
    uint64_t wpte = (mm_va_to_mfn(win) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS;
    mm_expect_rc("map the new frame",
                 hypercall_update_va_mapping(
                     (unsigned long)win, (nmfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS, LAM_UVMF_INVLPG),
                 0);
    win[3] = 0xfeedULL;
    mm_expect(win[3] == 0xfeedULL, "the new frame is usable");
    mm_expect_rc("restore the window",
                 hypercall_update_va_mapping((unsigned long)win, wpte, LAM_UVMF_INVLPG), 0);
}

void test_main(void)
{
    mm_init();
    check_pin_levels();
    check_baseptr();
    check_flushes();
    check_ext_done();
    check_memory_info();
    check_balloon();
}
