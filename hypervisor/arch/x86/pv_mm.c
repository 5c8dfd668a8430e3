/*
 * The page-table hypercalls: mmu_update, update_va_mapping, mmuext_op.
 *
 * Every change goes through mod_pt_entry() (pv_pagetype.c), which takes the
 * references the new entry needs before it is written and drops those of the
 * old one afterwards, so a guest can only ever map what it owns and never
 * holds a writable mapping of a page table. All of it runs under mm_lock.
 */
#include "pv_mm.h"
#include "console.h"
#include "errno.h"
#include "guest_access.h"
#include "lib.h"
#include "mm.h"
#include "smp.h"
#include "traps.h"
#include "x86.h"
#include "lamina/mmu.h"

#define DOMID_SELF_ABI 0x7ff0u

/* The L1 slot mapping va in the vCPU's kernel page tables, or NULL. */
pte_t *guest_l1_slot(const struct vcpu *v, uint64_t va)
{
    if (!v->guest_table)
        return NULL;
    pte_t *t = mfn_to_virt(v->guest_table >> PAGE_SHIFT);
    for (unsigned int level = 4; level > 1; level--) {
        pte_t e = t[pt_index(va, level)];
        if (!(e & _PAGE_PRESENT) || (level < 4 && (e & _PAGE_PSE)))
            return NULL;
        t = mfn_to_virt(pte_mfn(e));
    }
    return &t[pt_index(va, 1)];
}

/* UVMF_LOCAL: this CPU. UVMF_ALL and UVMF_MULTI (a vCPU bitmap): every CPU that may
 * hold the domain's translations, a superset of the CPUs those vCPUs run on. */
static void do_flush(struct domain *d, unsigned long flags, uint64_t va)
{
    bool local = (flags & ~LAM_UVMF_FLUSHTYPE_MASK) == LAM_UVMF_LOCAL;
    switch (flags & LAM_UVMF_FLUSHTYPE_MASK) {
    case LAM_UVMF_TLB_FLUSH:
        if (local)
            flush_tlb_local();
        else
            flush_tlb_domain(d);
        break;
    case LAM_UVMF_INVLPG:
        if (local)
            invlpg(va);
        else
            flush_tlb_domain_one(d, va);
        break;
    default:
        break;
    }
}

long hc_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    if (!guest_range_ok(va & ~(PAGE_SIZE - 1), PAGE_SIZE))
        return -EINVAL;
    spin_lock(&mm_lock);
    pte_t *slot = guest_l1_slot(v, va);
    int rc = slot ? mod_pt_entry(slot, 1, pte, d, d, false) : -EINVAL;
    spin_unlock(&mm_lock);
    if (!rc)
        do_flush(d, flags, va);
    return rc;
}

/* Resolve foreigndom: DOMID_SELF, our own id, or (privileged only) another domain. */
static int foreign_domain(struct domain *d, unsigned int foreigndom, struct domain **out)
{
    unsigned int id = foreigndom & 0xffff;
    if (id == DOMID_SELF_ABI) {
        *out = d;
        return 0;
    }
    if (id == d->domain_id)
        return -ESRCH; /* as Xen: a domain may not name itself as the foreign domain */
    if (!d->is_privileged)
        return -EPERM;
    if (id >= MAX_DOMAINS || !domain_list[id])
        return -ESRCH;
    *out = domain_list[id];
    return 0;
}

static long report_done(guest_ptr_t pdone, unsigned int done, int rc);

static int mmu_update_one(struct domain *d, struct domain *fd, const struct lam_mmu_update *req,
                          bool *flush_all)
{
    unsigned int cmd = req->ptr & LAM_MMU_CMD_MASK;
    mfn_t mfn = req->ptr >> PAGE_SHIFT;

    if (cmd == LAM_MMU_PT_UPDATE_NO_TRANSLATE)
        return -ENOSYS; /* for translated guests only */
    if (mfn >= max_phys_mfn())
        return -ENOSYS; /* not a machine address at all: Xen 4.17's answer */
    if (mfn >= max_mfn)
        return -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);

    switch (cmd) {
    case LAM_MMU_NORMAL_PT_UPDATE:
    case LAM_MMU_PT_UPDATE_PRESERVE_AD: {
        if ((req->ptr & (sizeof(pte_t) - 1) & ~LAM_MMU_CMD_MASK) != 0)
            return -EINVAL;
        if (!get_page(pg, d))
            return -EINVAL;
        pte_t *slot = (pte_t *)((char *)mfn_to_virt(mfn) + ((req->ptr & (PAGE_SIZE - 1)) & ~7ull));
        unsigned int level = pt_type_level(page_type(pg));
        int rc;
        if (level && page_type_count(pg) && page_type_validated(pg)) {
            rc = mod_pt_entry(slot, level, req->val, d, fd, cmd == LAM_MMU_PT_UPDATE_PRESERVE_AD);
            if (!rc && level > 1)
                *flush_all = true;
        } else {
            /* Not a live table: an ordinary store, allowed only to a page we may write. */
            rc = get_page_type(pg, PGT_writable_page);
            if (!rc) {
                __atomic_store_n(slot, req->val, __ATOMIC_RELEASE);
                put_page_type(pg);
            }
        }
        put_page(pg);
        return rc;
    }
    case LAM_MMU_MACHPHYS_UPDATE:
        if (page_get_owner(pg) != fd)
            return -EINVAL;
        m2p_set(mfn, req->val);
        return 0;
    default:
        return -ENOSYS;
    }
}

long hc_mmu_update(guest_ptr_t reqs, unsigned int count, guest_ptr_t pdone, unsigned int foreigndom)
{
    struct domain *d = current_domain(), *fd;
    unsigned int done = 0;
    bool flush_all = false;
    int rc = foreign_domain(d, foreigndom, &fd);

    if (!rc && (foreigndom >> 16) != 0 && (foreigndom >> 16) - 1 != d->domain_id)
        rc = -EPERM; /* page tables of another domain: not for PV guests */
    for (; !rc && done < count; done++) {
        struct lam_mmu_update req;
        if (copy_from_guest(&req, reqs + (uint64_t)done * sizeof(req), sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        spin_lock(&mm_lock);
        rc = mmu_update_one(d, fd, &req, &flush_all);
        spin_unlock(&mm_lock);
        if (rc)
            break;
    }
    if (flush_all)
        flush_tlb_local();
    return report_done(pdone, done, rc);
}

/* The number of completed operations is written back even when one failed. */
static long report_done(guest_ptr_t pdone, unsigned int done, int rc)
{
    if (pdone && copy_to_guest(pdone, &done, sizeof(done)) && !rc)
        rc = -EFAULT;
    return rc;
}

static int set_baseptr(struct vcpu *v, mfn_t mfn, bool user)
{
    struct domain *d = v->domain;
    uint64_t *slot = user ? &v->guest_table_user : &v->guest_table;
    if (mfn == 0 && user) {
        if (*slot)
            put_page_and_type(mfn_to_page(*slot >> PAGE_SHIFT));
        *slot = 0;
        return 0;
    }
    int rc = get_page_and_type(mfn, d, PGT_l4_page_table);
    if (rc)
        return rc;
    if (*slot)
        put_page_and_type(mfn_to_page(*slot >> PAGE_SHIFT));
    *slot = mfn << PAGE_SHIFT;
    if (user != !v->kernel_mode)
        return 0;
    write_cr3(*slot);
    return 0;
}

static int mmuext_one(struct vcpu *v, const struct lam_mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case LAM_MMUEXT_PIN_L1_TABLE:
    case LAM_MMUEXT_PIN_L2_TABLE:
    case LAM_MMUEXT_PIN_L3_TABLE:
    case LAM_MMUEXT_PIN_L4_TABLE: {
        mfn_t mfn = op->arg1.mfn;
        int rc = get_page_and_type(mfn, d, pt_level_type(op->cmd - LAM_MMUEXT_PIN_L1_TABLE + 1));
        if (rc)
            return rc;
        struct page_info *pg = mfn_to_page(mfn);
        if (pg->type_info & PGT_pinned) {
            put_page_and_type(pg);
            return -EINVAL;
        }
        pg->type_info |= PGT_pinned;
        return 0;
    }
    case LAM_MMUEXT_UNPIN_TABLE: {
        mfn_t mfn = op->arg1.mfn;
        if (mfn >= max_mfn)
            return -EINVAL;
        struct page_info *pg = mfn_to_page(mfn);
        if (page_get_owner(pg) != d || !(pg->type_info & PGT_pinned))
            return -EINVAL;
        pg->type_info &= ~PGT_pinned;
        put_page_and_type(pg);
        return 0;
    }
    case LAM_MMUEXT_NEW_BASEPTR:
        return set_baseptr(v, op->arg1.mfn, false);
    case LAM_MMUEXT_NEW_USER_BASEPTR:
        return set_baseptr(v, op->arg1.mfn, true);
    case LAM_MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        return 0;
    case LAM_MMUEXT_TLB_FLUSH_MULTI: /* the domain's CPUs: a superset of the vCPU mask's */
    case LAM_MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_domain(d);
        return 0;
    case LAM_MMUEXT_INVLPG_LOCAL:
    case LAM_MMUEXT_INVLPG_MULTI:
    case LAM_MMUEXT_INVLPG_ALL:
        /* As Xen: an address that is not the guest's is silently not flushed. */
        if (!guest_range_ok(op->arg1.linear_addr, 1))
            return 0;
        if (op->cmd == LAM_MMUEXT_INVLPG_LOCAL)
            invlpg(op->arg1.linear_addr);
        else
            flush_tlb_domain_one(d, op->arg1.linear_addr);
        return 0;
    case LAM_MMUEXT_SET_LDT:
        if (op->arg2.nr_ents > 8192 || (op->arg1.linear_addr & (PAGE_SIZE - 1)) ||
            !guest_range_ok(op->arg1.linear_addr, op->arg2.nr_ents * 8ul))
            return -EINVAL;
        v->ldt_base = op->arg1.linear_addr;
        v->ldt_ents = op->arg2.nr_ents;
        return 0;
    case LAM_MMUEXT_FLUSH_CACHE:
    case LAM_MMUEXT_FLUSH_CACHE_GLOBAL:
        return d->is_privileged ? 0 : -EPERM;
    default:
        return -ENOSYS;
    }
}

long hc_mmuext_op(guest_ptr_t ops, unsigned int count, guest_ptr_t pdone, unsigned int foreigndom)
{
    struct vcpu *v = current;
    unsigned int done = 0;
    int rc = 0;

    if ((foreigndom & 0xffff) != DOMID_SELF_ABI && (foreigndom & 0xffff) != v->domain->domain_id)
        rc = -EPERM;
    for (; !rc && done < count; done++) {
        struct lam_mmuext_op op;
        if (copy_from_guest(&op, ops + (uint64_t)done * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        spin_lock(&mm_lock);
        rc = mmuext_one(v, &op);
        spin_unlock(&mm_lock);
        if (rc)
            break;
    }
    return report_done(pdone, done, rc);
}
