/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every frame-taking operation, aimed at frames that are not ours: the
 * hypervisor's own page tables (the frames its L4 slots 256-271 name, which
 * every guest L4 carries and the guest can read), and our grant-table frame
 * after we gave it back (decrease_reservation: no longer ours to use, though
 * the hypervisor keeps it). For each: mmu_update into it as a table and as
 * MACHPHYS_UPDATE, pin at every level, unpin, NEW_BASEPTR and
 * NEW_USER_BASEPTR, a mapping read-only and writable, set_gdt,
 * update_descriptor, register_vcpu_info, decrease_reservation. Every one
 * must be refused with Xen 4.17's answer, and nothing may change: the
 * hypervisor's tables are compared before and after (through our read-only
 * view of our L4, the slot entries must be the same).
 */
#include <lamina/grant_table.h>
#include <lamina/memory.h>
#include <lamina/vcpu.h>

#include "mm_util.h"

const char lam_test_title[] = "frame operations on the hypervisor's tables and given-back frames";

#define TREE_SLOT 300
#define MAX_HV    4

static struct mm_tree tree;

static long decrease(uint64_t mfn)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)&mfn, .nr_extents = 1, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(LAM_XENMEM_decrease_reservation, &r);
}

static void attack(const char *name, uint64_t mfn, long machphys_rc)
{
    char what[112];
    uint64_t ma = mfn << LAM_PAGE_SHIFT;
#define EXPECT(desc, call, want)                                                                   \
    do {                                                                                           \
        lam_snprintf(what, sizeof(what), "%s: %s", name, desc);                                    \
        mm_expect_rc(what, call, want);                                                            \
    } while (0)
    EXPECT("mmu_update entry 0 := 0", mm_update(ma, 0), -LAM_EINVAL);
    EXPECT("mmu_update entry 511 := a page of ours",
           mm_update(ma + 8 * 511, (mm_va_to_mfn(tree.l1) << LAM_PAGE_SHIFT) | MM_PTE_RO),
           -LAM_EINVAL);
    EXPECT("MACHPHYS_UPDATE", mm_update(ma | LAM_MMU_MACHPHYS_UPDATE, 0x1234), machphys_rc);
    for (unsigned l = 0; l < 4; l++) {
        char d[32];
        lam_snprintf(d, sizeof(d), "PIN_L%u", l + 1);
        EXPECT(d, mm_ext(LAM_MMUEXT_PIN_L1_TABLE + l, mfn), -LAM_EINVAL);
    }
    EXPECT("UNPIN", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), -LAM_EINVAL);
    EXPECT("NEW_BASEPTR", mm_new_baseptr(mfn), -LAM_EINVAL);
    EXPECT("NEW_USER_BASEPTR", mm_ext(LAM_MMUEXT_NEW_USER_BASEPTR, mfn), -LAM_EINVAL);
    EXPECT("map read-only", hypercall_update_va_mapping(tree.base, ma | MM_PTE_RO, LAM_UVMF_INVLPG),
           -LAM_EBUSY);
    EXPECT("map writable",
           hypercall_update_va_mapping(tree.base, ma | MM_PTE_FLAGS, LAM_UVMF_INVLPG), -LAM_EBUSY);
    EXPECT("set_gdt", hypercall_set_gdt(&mfn, 512), -LAM_EINVAL);
    /* A flat 32-bit data segment at DPL 3: a descriptor any guest may write. */
    EXPECT("update_descriptor", hypercall_update_descriptor(ma + 8, 0x00cff3000000ffffULL),
           -LAM_EINVAL);
    struct lam_vcpu_register_vcpu_info vi = {.mfn = mfn, .offset = 0};
    EXPECT("register_vcpu_info", hypercall_vcpu_op(LAM_VCPUOP_register_vcpu_info, 0, &vi),
           -LAM_EINVAL);
    EXPECT("decrease_reservation", decrease(mfn), 0);
#undef EXPECT
}

void test_main(void)
{
    mm_init();
    mm_expect_rc("build a tree", mm_tree_build(&tree, TREE_SLOT), 0);
    const uint64_t *l4 = mm_mfn_to_va(mm_cur_l4_mfn);
    static uint64_t before[512];
    memcpy(before, l4, sizeof(before));

    /* The hypervisor's tables under its slots (distinct frames, a few). */
    uint64_t hv[MAX_HV] = {0};
    unsigned n = 0;
    for (unsigned s = 256; s < 272 && n < MAX_HV; s++) {
        if (!(l4[s] & LAM_PTE_PRESENT))
            continue;
        uint64_t mfn = (l4[s] & LAM_PTE_MFN_MASK) >> LAM_PAGE_SHIFT;
        int seen = 0;
        for (unsigned i = 0; i < n; i++)
            seen |= hv[i] == mfn;
        if (!seen && !mm_mfn_is_ours(mfn))
            hv[n++] = mfn;
    }
    lam_printf("%u hypervisor table frame(s) named by L4 slots 256-271\n", n);
    mm_expect(n > 0, "the hypervisor's slots name its tables");
    for (unsigned i = 0; i < n; i++) {
        char name[48];
        lam_snprintf(name, sizeof(name), "hypervisor table %lx", (unsigned long)hv[i]);
        attack(name, hv[i], -LAM_EINVAL);
    }

    /* Our grant-table frame, given back: the hypervisor keeps it, we may not use it. */
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("give the grant-table frame back", decrease(frames[0]), 1);
    attack("given-back grant-table frame", frames[0], -LAM_EINVAL);

    mm_expect(memcmp(before, l4, sizeof(before)) == 0, "our L4 (and its hypervisor slots) intact");
    uint64_t v;
    mm_expect(mm_try_read((uint64_t *)LAM_MACH2PHYS_VIRT_START, &v) == 0, "M2P still readable");
    mm_expect(hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG) == 0, "tree slot cleared");
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
