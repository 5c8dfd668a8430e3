/*
 * Guest page-table updates: update_va_mapping.
 *
 * This is the first slice of direct paging (issue 3 brings the full Xen-style
 * type and reference counting, mmu_update, mmuext_op and L1 write
 * emulation). What is enforced already, because it is the isolation
 * boundary: a guest may only map frames it owns (its shared_info page
 * counts as owned), may not map any page-table or descriptor frame
 * writable, may not set cache-attribute or global bits, and every entry is
 * forced user-accessible because guest kernels run in ring 3.
 */
#include "console.h"
#include "guest_access.h"
#include "domain.h"
#include "errno.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "traps.h"
#include "x86.h"
#include "lamina/mmu.h"

/* Bits a guest may not set in an L1 entry (without I/O privilege). */
#define L1_DISALLOW (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT | _PAGE_GLOBAL)

/* The L1 slot mapping va in the vCPU's kernel page tables, or NULL. */
static pte_t *guest_l1_slot(const struct vcpu *v, uint64_t va)
{
    pte_t *t = mfn_to_virt(v->guest_table >> PAGE_SHIFT);
    for (unsigned int level = 4; level > 1; level--) {
        pte_t e = t[pt_index(va, level)];
        if (!(e & _PAGE_PRESENT) || (level < 4 && (e & _PAGE_PSE)))
            return NULL;
        mfn_t mfn = pte_mfn(e);
        if (mfn >= max_mfn || mfn_to_page(mfn)->owner != v->domain)
            return NULL;
        t = mfn_to_virt(mfn);
    }
    return &t[pt_index(va, 1)];
}

static int l1e_check(const struct domain *d, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & L1_DISALLOW) {
        log_printf(LOG_DEBUG, "d%u: L1 entry %#lx has disallowed bits", d->domain_id,
                   (unsigned long)e);
        return -EINVAL;
    }
    mfn_t mfn = pte_mfn(e);
    if (mfn >= max_mfn || mfn_to_page(mfn)->owner != d) {
        log_printf(LOG_DEBUG, "d%u: mapping frame %#lx it does not own", d->domain_id,
                   (unsigned long)mfn);
        return -EPERM;
    }
    uint64_t type = mfn_to_page(mfn)->type_info & PGT_type_mask;
    if ((e & _PAGE_RW) && type != PGT_none && type != PGT_writable_page) {
        log_printf(LOG_DEBUG, "d%u: writable mapping of page-table frame %#lx refused",
                   d->domain_id, (unsigned long)mfn);
        return -EPERM;
    }
    return 0;
}

long hc_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    struct vcpu *v = current;

    if (!guest_range_ok(va & ~(PAGE_SIZE - 1), PAGE_SIZE))
        return -EINVAL;
    pte_t *slot = guest_l1_slot(v, va);
    if (!slot)
        return -EINVAL;
    int rc = l1e_check(v->domain, pte);
    if (rc)
        return rc;
    if (pte & _PAGE_PRESENT)
        pte |= _PAGE_USER;
    __atomic_store_n(slot, pte, __ATOMIC_RELEASE);

    switch (flags & LAM_UVMF_FLUSHTYPE_MASK) {
    case LAM_UVMF_TLB_FLUSH:
        flush_tlb_local();
        break;
    case LAM_UVMF_INVLPG:
        invlpg(va);
        break;
    default:
        break;
    }
    return 0;
}
