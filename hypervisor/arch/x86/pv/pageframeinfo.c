/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl getpageframeinfo3: the page types a save needs to normalise a PV domain's page
 * tables, as Xen 4.17 reports them. For a PV domain an element is an MFN; the answer is
 * its type (L1..L4 whatever its count: a table that is no longer in use keeps its type
 * until it is used as something else, as on Xen), pinned or not, or XTAB for a frame that
 * is not the domain's, or is the hypervisor's (shared_info, grant frames).
 */
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <hv/domain.h>
#include <hv/domctl.h>
#include <hv/errcodes.h>
#include <lamina/domctl.h>

static uint64_t frame_type(struct domain *d, uint64_t mfn)
{
    if (mfn >= max_mfn)
        return LAM_DOMCTL_PFINFO_XTAB;
    struct page_info *pg = mfn_to_page(mfn);
    if (!get_page(pg, d))
        return LAM_DOMCTL_PFINFO_XTAB;
    uint64_t type = LAM_DOMCTL_PFINFO_XTAB;
    if (!(pg->count_info & PGC_xen_heap)) {
        unsigned int level = pt_type_level(page_type(pg));
        type = (uint64_t)level << LAM_DOMCTL_PFINFO_LTAB_SHIFT;
        if (pg->type_info & PGT_pinned)
            type |= LAM_DOMCTL_PFINFO_LPINTAB;
    }
    put_page(pg);
    return type;
}

long domctl_getpageframeinfo3(struct domain *d, const struct lam_domctl_getpageframeinfo3 *p)
{
    /* Xen keeps the count in an unsigned int: a value that does not fit is too big too. */
    if (p->num > LAM_DOMCTL_PFINFO_MAX)
        return -E2BIG;
    long rc = 0;
    mm_lock_global();
    for (uint64_t i = 0; i < p->num; i++) {
        uint64_t slot = p->array + i * sizeof(uint64_t), mfn;
        if (copy_from_guest(&mfn, slot, sizeof(mfn))) {
            rc = -EFAULT;
            break;
        }
        uint64_t type = frame_type(d, mfn);
        if (copy_to_guest(slot, &type, sizeof(type))) {
            rc = -EFAULT;
            break;
        }
    }
    mm_unlock_global();
    return rc;
}
