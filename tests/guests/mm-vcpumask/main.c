/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vCPU bitmaps of the *_MULTI flushes are guest pointers: update_va_mapping
 * with UVMF_MULTI (flags & ~3 is the pointer), MMUEXT_TLB_FLUSH_MULTI and
 * MMUEXT_INVLPG_MULTI (arg2.vcpumask). A bitmap that cannot be read (unmapped,
 * in the hypervisor's range, non-canonical) must be refused without touching
 * it, as on Xen 4.17: update_va_mapping has already changed the entry and
 * answers -EFAULT, mmuext_op answers -EINVAL; a readable bitmap naming vCPUs
 * that do not exist flushes what exists (0). Also through a multicall.
 */
#include "mm_util.h"

const char lam_test_title[] = "unreadable vCPU bitmaps in UVMF_MULTI and MMUEXT_*_MULTI";

#define UNMAPPED 0x00000000dead0000UL
#define HV_PTR   0xffff8300deadb000UL
#define NONCANON 0x0000800000000000UL

static uint64_t *page;

static uint64_t pte(uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

static void check_uvm(const char *what, unsigned long mask_ptr, long want)
{
    /* Flip the page's entry between RW and RO: the new one must be in place. */
    uint64_t next = (mm_read_entry_ma(mm_entry_ma((uint64_t)page, 1)) & LAM_PTE_RW)
                        ? pte(MM_PTE_RO)
                        : pte(MM_PTE_FLAGS);
    long rc = hypercall_update_va_mapping((unsigned long)page, next, LAM_UVMF_INVLPG | mask_ptr);
    mm_expect_rc(what, rc, want);
    uint64_t now = mm_read_entry_ma(mm_entry_ma((uint64_t)page, 1));
    mm_expect((now & LAM_PTE_RW) == (next & LAM_PTE_RW), "  the entry changed all the same");
}

void test_main(void)
{
    mm_init();
    page = mm_alloc_page();
    static uint64_t mask_none = 0, mask_self = 1, mask_all = ~0ull;
    static const struct {
        const char *what;
        unsigned long ptr;
        long uvm, ext;
    } masks[] = {
        {"bitmap unmapped", UNMAPPED, -LAM_EFAULT, -LAM_EINVAL},
        {"bitmap in the hypervisor", HV_PTR, -LAM_EFAULT, -LAM_EINVAL},
        {"bitmap non-canonical", NONCANON, -LAM_EFAULT, -LAM_EINVAL},
        {"bitmap at the M2P", LAM_MACH2PHYS_VIRT_START, -LAM_EFAULT, -LAM_EINVAL},
    };
    char what[96];
    for (unsigned i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        lam_snprintf(what, sizeof(what), "update_va_mapping UVMF_MULTI, %s", masks[i].what);
        check_uvm(what, masks[i].ptr, masks[i].uvm);
        lam_snprintf(what, sizeof(what), "TLB_FLUSH_MULTI, %s", masks[i].what);
        mm_expect_rc(what, mm_ext2(LAM_MMUEXT_TLB_FLUSH_MULTI, 0, masks[i].ptr), masks[i].ext);
        lam_snprintf(what, sizeof(what), "INVLPG_MULTI, %s", masks[i].what);
        mm_expect_rc(what, mm_ext2(LAM_MMUEXT_INVLPG_MULTI, (uint64_t)page, masks[i].ptr),
                     masks[i].ext);
    }
    check_uvm("update_va_mapping UVMF_MULTI, empty bitmap", (unsigned long)&mask_none, 0);
    check_uvm("update_va_mapping UVMF_MULTI, vCPU 0", (unsigned long)&mask_self, 0);
    check_uvm("update_va_mapping UVMF_MULTI, all 64 vCPUs", (unsigned long)&mask_all, 0);
    check_uvm("update_va_mapping UVMF_ALL", LAM_UVMF_ALL, 0);
    mm_expect_rc("TLB_FLUSH_MULTI, all 64 vCPUs",
                 mm_ext2(LAM_MMUEXT_TLB_FLUSH_MULTI, 0, (uint64_t)&mask_all), 0);
    mm_expect_rc("INVLPG_MULTI, empty bitmap",
                 mm_ext2(LAM_MMUEXT_INVLPG_MULTI, (uint64_t)page, (uint64_t)&mask_none), 0);

    /* The same update_va_mapping as a multicall entry between two good ones. */
    struct lam_multicall_entry mc[3] = {
        {.op = LAM_HYPERCALL_XEN_VERSION, .args = {0}},
        {.op = LAM_HYPERCALL_UPDATE_VA_MAPPING,
         .args = {(uint64_t)page, pte(MM_PTE_FLAGS), LAM_UVMF_INVLPG | UNMAPPED}},
        {.op = LAM_HYPERCALL_XEN_VERSION, .args = {0}},
    };
    mm_expect_rc("multicall", hypercall_multicall(mc, 3), 0);
    mm_expect((long)mc[0].result > 0 && (long)mc[2].result > 0, "  the good entries ran");
    mm_expect_rc("  update_va_mapping entry with an unmapped bitmap", (long)mc[1].result,
                 -LAM_EFAULT);
    mm_expect_rc("page writable again", mm_page_set_rw(page), 0);
    page[0] = 1;
    mm_expect(page[0] == 1, "and writable");
}
