/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A store to a read-only mapping of I/O memory. dom0 may map
 * frames that are not RAM; a kernel-mode store to a read-only mapping faults
 * into the hypervisor, which first asks whether it is a write to an L1 page
 * table it should emulate (ptwr) by looking the frame up in its frame table.
 * An MMIO frame lies beyond the frame table: the lookup must not read there.
 * On Xen 4.17 the store is no page-table write: the guest gets its page fault
 * (error code present|write), and the mapping still reads. Frames: just past
 * the end of RAM, 3.5 GiB (the PCI hole of QEMU's PC machine) and 32 GiB
 * (beyond anything the hypervisor maps: the frame-table lookup faulted there).
 *
 * dom0 only (a domU may not map I/O memory); runs on both hypervisors.
 */
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "store to a read-only mapping of I/O memory";

#define TREE_SLOT 300
#define PF_P      1u
#define PF_W      2u

static struct mm_tree tree;

static void store_to(const char *what, uint64_t mfn, unsigned int idx)
{
    uint64_t va = tree.base + idx * LAM_PAGE_SIZE;
    lam_printf("%s: mfn %lx\n", what, (unsigned long)mfn);
    if (mm_mfn_is_ours(mfn)) {
        lam_printf("  is ours on this hypervisor: skipped\n");
        return;
    }
    mm_expect_rc(
        "  map it read-only",
        hypercall_update_va_mapping(va, (mfn << LAM_PAGE_SHIFT) | MM_PTE_RO, LAM_UVMF_INVLPG), 0);
    uint64_t v = 0;
    mm_expect(mm_try_read((volatile uint64_t *)va, &v) == 0, "  it reads");
    lam_exception_reset();
    int fault = mm_try_write((volatile uint64_t *)(va + 8), 0x5a5a5a5a5a5a5a5aULL);
    lam_printf("  store: fault %d vector %u error 0x%lx cr2 0x%lx\n", fault,
               lam_last_exception.vector, (unsigned long)lam_last_exception.error_code,
               (unsigned long)lam_last_exception.cr2);
    mm_expect(fault != 0 && lam_last_exception.vector == 14, "  the store faults (#PF)");
    mm_expect((lam_last_exception.error_code & (PF_P | PF_W)) == (PF_P | PF_W),
              "  error code present|write");
    mm_expect(lam_last_exception.cr2 == va + 8, "  at the address stored to");
    mm_expect(mm_try_read((volatile uint64_t *)va, &v) == 0, "  and it still reads");
    mm_expect_rc("  unmap it", hypercall_update_va_mapping(va, 0, LAM_UVMF_INVLPG), 0);
}

void test_main(void)
{
    mm_init();
    struct lam_machphys_mapping mp = {0};
    mm_expect_rc("machphys_mapping", hypercall_memory_op(LAM_XENMEM_machphys_mapping, &mp), 0);
    mm_expect_rc("tree under L4 slot 300", mm_tree_build(&tree, TREE_SLOT), 0);
    store_to("the frame just past the end of RAM", mp.max_mfn + 1, 0);
    store_to("a frame at 3.5 GiB", 0xe0000, 1);
    store_to("a frame at 32 GiB", 0x800000, 2);
    store_to("a frame at 384 GiB", 0x6000000, 3);
    mm_expect_rc("release the tree", mm_tree_destroy(&tree), 0);
}
