/* SPDX-License-Identifier: MIT */
/*
 * lamina/mmu.h - page-table hypercalls of a direct-paged PV guest:
 * mmu_update (1), update_va_mapping (14), mmuext_op (26), and the multicall
 * entry (13) these are usually batched in.
 */
#ifndef LAMINA_MMU_H
#define LAMINA_MMU_H

#include "types.h"

/*
 * mmu_update(reqs, count, done, foreigndom): apply count requests.
 * ptr[1:0] selects the command; ptr[63:2] is a machine address (see below).
 * *done (if non-NULL) is increased by the number completed, even on error.
 * foreigndom[15:0]: owner of frames being mapped (LAM_DOMID_SELF, _IO, or a
 * domain id when privileged); foreigndom[31:16]: page-table owner + 1 (0 = self).
 */
struct lam_mmu_update {
    uint64_t ptr; /* machine address of the entry (or frame) | command */
    uint64_t val; /* new value */
};

/* The command is ptr's low three bits (Xen reads sizeof(pte) - 1 of them): 4-7 are no
 * command (-ENOSYS), so ptr | 5 is not a MACHPHYS update. NO_TRANSLATE is NORMAL for a
 * PV guest, whose frame numbers are machine ones. */
#define LAM_MMU_CMD_MASK               7ULL
#define LAM_MMU_NORMAL_PT_UPDATE       0 /* ptr = MA of a page-table entry; val = new entry */
#define LAM_MMU_MACHPHYS_UPDATE        1 /* ptr = MA inside a frame; val = its PFN (sets M2P) */
#define LAM_MMU_PT_UPDATE_PRESERVE_AD  2 /* as NORMAL, but keep hardware A/D bits */
#define LAM_MMU_PT_UPDATE_NO_TRANSLATE 3 /* as NORMAL, val names a foreign frame untranslated */

LAM_ASSERT_SIZE(struct lam_mmu_update, 16);
LAM_ASSERT_OFFSET(struct lam_mmu_update, val, 8);

/* update_va_mapping(va, pte, flags): flags[1:0] flush type, flags[2] scope. */
#define LAM_UVMF_NONE           0x0UL
#define LAM_UVMF_TLB_FLUSH      0x1UL
#define LAM_UVMF_INVLPG         0x2UL
#define LAM_UVMF_FLUSHTYPE_MASK 0x3UL
#define LAM_UVMF_MULTI          0x0UL /* flags & ~3 is a pointer to a vCPU bitmap */
#define LAM_UVMF_LOCAL          0x0UL /* this vCPU only */
#define LAM_UVMF_ALL            0x4UL /* every vCPU of the domain */

/* mmuext_op(ops, count, done, foreigndom) commands. */
#define LAM_MMUEXT_PIN_L1_TABLE       0 /* arg1.mfn: validate and pin as L1 */
#define LAM_MMUEXT_PIN_L2_TABLE       1
#define LAM_MMUEXT_PIN_L3_TABLE       2
#define LAM_MMUEXT_PIN_L4_TABLE       3
#define LAM_MMUEXT_UNPIN_TABLE        4 /* arg1.mfn */
#define LAM_MMUEXT_NEW_BASEPTR        5 /* arg1.mfn: kernel L4 (CR3) */
#define LAM_MMUEXT_TLB_FLUSH_LOCAL    6
#define LAM_MMUEXT_INVLPG_LOCAL       7 /* arg1.linear_addr */
#define LAM_MMUEXT_TLB_FLUSH_MULTI    8 /* arg2.vcpumask */
#define LAM_MMUEXT_INVLPG_MULTI       9 /* arg1.linear_addr, arg2.vcpumask */
#define LAM_MMUEXT_TLB_FLUSH_ALL      10
#define LAM_MMUEXT_INVLPG_ALL         11 /* arg1.linear_addr */
#define LAM_MMUEXT_FLUSH_CACHE        12
#define LAM_MMUEXT_SET_LDT            13 /* arg1.linear_addr, arg2.nr_ents */
#define LAM_MMUEXT_NEW_USER_BASEPTR   15 /* arg1.mfn: user L4, or 0 */
#define LAM_MMUEXT_CLEAR_PAGE         16 /* arg1.mfn */
#define LAM_MMUEXT_COPY_PAGE          17 /* arg1.mfn (dest), arg2.src_mfn */
#define LAM_MMUEXT_FLUSH_CACHE_GLOBAL 18
#define LAM_MMUEXT_MARK_SUPER         19
#define LAM_MMUEXT_UNMARK_SUPER       20

struct lam_mmuext_op {
    uint32_t cmd; /* LAM_MMUEXT_* */
    uint32_t pad;
    union {
        lam_pfn_t mfn;
        lam_ulong_t linear_addr;
    } arg1;
    union {
        uint32_t nr_ents;          /* SET_LDT */
        lam_guest_addr_t vcpumask; /* *_MULTI: pointer to a bitmap of lam_ulong_t */
        lam_pfn_t src_mfn;         /* COPY_PAGE */
    } arg2;
};

LAM_ASSERT_SIZE(struct lam_mmuext_op, 24);
LAM_ASSERT_OFFSET(struct lam_mmuext_op, arg1, 8);
LAM_ASSERT_OFFSET(struct lam_mmuext_op, arg2, 16);

/*
 * multicall(entries, nr): run each entry's hypercall in order, storing its
 * return value in result. Only the first five args are used. The multicall
 * itself returns 0 unless the list could not be read.
 */
struct lam_multicall_entry {
    lam_ulong_t op;
    lam_ulong_t result;
    lam_ulong_t args[6];
};

LAM_ASSERT_SIZE(struct lam_multicall_entry, 64);
LAM_ASSERT_OFFSET(struct lam_multicall_entry, result, 8);
LAM_ASSERT_OFFSET(struct lam_multicall_entry, args, 16);

/* Page-table entry bits the hypervisor gives meaning to in guest tables. */
#define LAM_PTE_PRESENT  (1ULL << 0)
#define LAM_PTE_RW       (1ULL << 1)
#define LAM_PTE_USER     (1ULL << 2)
#define LAM_PTE_PWT      (1ULL << 3)
#define LAM_PTE_PCD      (1ULL << 4)
#define LAM_PTE_ACCESSED (1ULL << 5)
#define LAM_PTE_DIRTY    (1ULL << 6)
#define LAM_PTE_PSE      (1ULL << 7) /* PAT in L1 entries; superpages are refused */
#define LAM_PTE_GLOBAL   (1ULL << 8)
#define LAM_PTE_GNTTAB   (1ULL << 62) /* reserved: grant mappings */
#define LAM_PTE_NX       (1ULL << 63)
#define LAM_PTE_MFN_MASK 0x000FFFFFFFFFF000ULL

#endif /* LAMINA_MMU_H */
