/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page-table hypercalls: mmu_update, update_va_mapping(_otherdomain), mmuext_op.
 *
 * Every change goes through mod_pt_entry() (pv/pagetype.c), which takes the
 * references the new entry needs before it is written and drops those of the
 * old one afterwards, so a guest can only ever map what it owns and never
 * holds a writable mapping of a page table. All of it runs under the caller's domain's
 * memory lock, or the global one where other domains' frames may be involved (a foreign
 * domain's, or those a privileged domain's tables map: asm/pv/mm.h).
 *
 * Preemption, as Xen's do_mmu_update/do_mmuext_op: a batch checks
 * hypercall_preempt_check() before entries after its first (every 16th for
 * mmu_update, every one for mmuext_op) and continues
 * itself with the list pointer advanced and the count reduced, with
 * MMU_UPDATE_PREEMPTED set in the count. Such a continuation reads back the
 * `done` it wrote before and adds to it, so `done` counts across the pieces.
 * An entry whose table validation stopped is redone by the continuation (it
 * resumes the partial table). A teardown that stopped (unpin, a replaced
 * base pointer or L2-L4 entry) leaves the table in v->old_guest_table; the
 * entry counts as done, and the next mmu_update/mmuext_op finishes the
 * teardown before anything else, continuing itself if that stops again. If
 * it was the last entry, the call continues as (NULL, PREEMPTED, NULL, rc)
 * so that the continuation can return the batch's result once it is done.
 */
#include <asm/pv/mm.h>
#include <asm/pv/descriptor.h>
#include <lamina/hypercall-numbers.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/smp.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <asm/flushtlb.h>
#include <lamina/mmu.h>
#include <hypervisor/hypercall-handlers.h>

#define MMU_UPDATE_PREEMPTED (1u << 31) /* in the count: a continuation of a batch */
/* mmu_update entries are cheap next to the check (RDTSC is slow under emulation): look
 * every this many. mmuext_op entries can each be a whole pin: look before every one. */
#define MMU_UPDATE_PREEMPT_STRIDE 16

/*
 * Finish a teardown that an earlier hypercall of this vCPU left partial.
 * 0 when none is left, -ERESTART when it stopped again.
 */
static int put_old_guest_table(struct vcpu *v)
{
    struct page_info *pg = v->old_guest_table;
    if (!pg)
        return 0;
    struct mm_hold h = MM_HOLD_FOR(v->domain);
    mm_hold_begin(&h);
    int rc = finish_partial_teardown(pg, true);
    if (!rc) {
        put_page(pg);
        v->old_guest_table = NULL;
    }
    (void)mm_hold_end(&h, 0); /* a teardown retypes nothing */
    return rc;
}

/* Continue a batch hypercall (mmu_update / mmuext_op) at entry i of count. */
static long continue_batch(unsigned int op, guest_ptr_t list, size_t entry_size, unsigned int i,
                           unsigned int count, guest_ptr_t pdone, unsigned int foreigndom)
{
    const uint64_t args[4] = {list + (uint64_t)i * entry_size, (count - i) | MMU_UPDATE_PREEMPTED,
                              pdone, foreigndom};
    return hypercall_create_continuation(op, 4, args);
}

/* Only the final result is left to return (the teardown of the last entry stopped). */
static long continue_result(unsigned int op, long rc)
{
    const uint64_t args[4] = {0, MMU_UPDATE_PREEMPTED, 0, (uint64_t)(uint32_t)rc};
    return hypercall_create_continuation(op, 4, args);
}

/* Start of a batch: the final-result form, a teardown to finish, the count and `done` so far. */
static bool batch_prologue(unsigned int op, const uint64_t args[4], unsigned int *count,
                           unsigned int *done, long *ret)
{
    struct vcpu *v = current;
    guest_ptr_t list = args[0], pdone = args[2];
    unsigned int n = (unsigned int)args[1];

    if (put_old_guest_table(v)) {
        *ret = hypercall_create_continuation(op, 4, args);
        return false;
    }
    if (n == MMU_UPDATE_PREEMPTED && !list) {
        *ret = (int)(uint32_t)args[3];
        return false;
    }
    *done = 0;
    if (n & MMU_UPDATE_PREEMPTED) {
        n &= ~MMU_UPDATE_PREEMPTED;
        if (pdone && copy_from_guest(done, pdone, sizeof(*done)))
            *done = 0;
    }
    *count = n;
    return true;
}

/*
 * The L1 slot mapping va in the vCPU's kernel page tables, or NULL. Caller holds a memory
 * lock for v's domain.
 *
 * The walk goes where the entries point, and they need not point one level down: a
 * read-only linear entry (an L4 slot pointing at the L4, pv/pagetype.c) makes the next
 * step land in a table of the same level, and the hypervisor's own slots 256-271 lead
 * into its tables. So the frame the walk ends in is an L1 only if its type says so: as
 * Xen's map_guest_l1e + __do_update_va_mapping, anything but a validated L1 table of the
 * vCPU's own domain is no slot (an "L1 entry" written into an L2 would make the page it
 * names a page table the guest can write).
 */
pte_t *guest_l1_slot(const struct vcpu *v, uint64_t va)
{
    if (!v->guest_table)
        return NULL;
    mfn_t mfn = v->guest_table >> PAGE_SHIFT;
    for (unsigned int level = 4; level > 1; level--) {
        pte_t e = ((const pte_t *)mfn_to_virt(mfn))[pt_index(va, level)];
        if (!(e & _PAGE_PRESENT) || (level < 4 && (e & _PAGE_PSE)) || pte_mfn(e) >= max_mfn)
            return NULL;
        mfn = pte_mfn(e);
    }
    const struct page_info *pg = mfn_to_page(mfn);
    if (page_get_owner(pg) != v->domain || page_type(pg) != PGT_l1_page_table ||
        !page_type_count(pg) || !page_type_validated(pg))
        return NULL;
    return (pte_t *)mfn_to_virt(mfn) + pt_index(va, 1);
}

/*
 * A *_MULTI flush names its vCPUs in a guest bitmap. We flush every CPU of the domain
 * anyway (a superset), but the bitmap must be readable, as Xen's vcpumask_to_pcpumask
 * reads it: one word per 64 of the domain's vCPUs. -EFAULT when it is not.
 */
static int vcpumask_readable(const struct domain *d, guest_ptr_t bitmap)
{
    for (unsigned int w = 0; w < (d->max_vcpus + 63) / 64; w++) {
        uint64_t word;
        if (copy_from_guest(&word, bitmap + w * sizeof(word), sizeof(word)))
            return -EFAULT;
    }
    return 0;
}

/* UVMF_LOCAL: this CPU. UVMF_ALL and UVMF_MULTI (flags & ~3 points at a vCPU bitmap):
 * every CPU that may hold the domain's translations, a superset of the CPUs those vCPUs
 * run on. An unreadable bitmap: -EFAULT, after the entry changed (as Xen). */
static int do_flush(struct domain *d, unsigned long flags, uint64_t va)
{
    unsigned long target = flags & ~LAM_UVMF_FLUSHTYPE_MASK;
    unsigned long type = flags & LAM_UVMF_FLUSHTYPE_MASK;
    if (type != LAM_UVMF_TLB_FLUSH && type != LAM_UVMF_INVLPG)
        return 0;
    if (target != LAM_UVMF_LOCAL && target != LAM_UVMF_ALL && vcpumask_readable(d, target))
        return -EFAULT;
    bool local = target == LAM_UVMF_LOCAL;
    if (type == LAM_UVMF_TLB_FLUSH) {
        if (local)
            flush_tlb_local();
        else
            flush_tlb_domain(d);
    } else {
        if (local)
            invlpg(va);
        else
            flush_tlb_domain_one(d, va);
    }
    return 0;
}

/* Set the L1 entry mapping va in the caller's tables; frames it maps may belong to fd. */
static long update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags,
                              const struct domain *fd)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    if (!guest_range_ok(va & ~(PAGE_SIZE - 1), PAGE_SIZE))
        return -EINVAL;
    /* The domain's own lock unless frames of another domain are involved. */
    struct mm_hold h = fd == d ? MM_HOLD_DOMAIN(d) : MM_HOLD_GLOBAL;
    int rc;
    do {
        mm_hold_begin(&h);
        pte_t *slot = guest_l1_slot(v, va);
        if (!slot)
            rc = -EINVAL;
        else if (!pt_change_is_local(*slot, 1, d, fd) && !mm_locked_global())
            rc = -EMMGLOBAL;
        else
            rc = mod_pt_entry(slot, 1, pte, d, fd, false);
    } while (mm_hold_end(&h, rc));
    if (!rc)
        rc = do_flush(d, flags, va);
    return rc;
}

long hc_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    return update_va_mapping(va, pte, flags, current_domain());
}

/*
 * As Xen's do_update_va_mapping_otherdomain: the entry is in the caller's tables, the
 * frame it maps may belong to domid. DOMID_SELF is the caller; its own id (Xen: "cannot
 * specify itself") and unknown domains are -ESRCH; a present entry naming another
 * domain's frame needs privilege (Xen's XSM_TARGET default: -EPERM).
 */
long hc_update_va_mapping_otherdomain(unsigned long va, uint64_t pte, unsigned long flags,
                                      domid_t domid)
{
    struct domain *d = current_domain();
    if (domid == LAM_DOMID_SELF)
        return update_va_mapping(va, pte, flags, d);
    if (domid == d->domain_id)
        return -ESRCH;
    struct domain *fd = domain_get(domid);
    if (!fd)
        return -ESRCH;
    long rc =
        (pte & _PAGE_PRESENT) && !d->is_privileged ? -EPERM : update_va_mapping(va, pte, flags, fd);
    domain_put(fd);
    return rc;
}

/* Resolve foreigndom: DOMID_SELF, our own id, or (privileged only) another domain, with a
 * reference (domain_ref.c) that hc_mmu_update drops when *out is not d. */
static int foreign_domain(struct domain *d, unsigned int foreigndom, struct domain **out)
{
    unsigned int id = foreigndom & 0xffff;
    if (id == LAM_DOMID_SELF) {
        *out = d;
        return 0;
    }
    if (id == d->domain_id)
        return -ESRCH; /* as Xen: a domain may not name itself as the foreign domain */
    if (!d->is_privileged)
        return -EPERM;
    *out = domain_get(id);
    return *out ? 0 : -ESRCH;
}

static long report_done(guest_ptr_t pdone, unsigned int done, int rc);

static int mmu_update_one(struct domain *d, struct domain *fd, const struct lam_mmu_update *req,
                          bool *flush_domain, struct page_info **deferred)
{
    ASSERT_MM_LOCKED(d);
    unsigned int cmd = req->ptr & LAM_MMU_CMD_MASK;
    mfn_t mfn = req->ptr >> PAGE_SHIFT;

    /* ptr's low three bits, as Xen reads them: 4-7 are no command and end the batch there
     * (an entry after one must not be applied). */
    if (cmd > LAM_MMU_PT_UPDATE_NO_TRANSLATE)
        return -ENOSYS;
    if (mfn >= max_mfn)
        return -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);

    switch (cmd) {
    case LAM_MMU_NORMAL_PT_UPDATE:
    case LAM_MMU_PT_UPDATE_NO_TRANSLATE: /* frame numbers are machine ones already (PV) */
    case LAM_MMU_PT_UPDATE_PRESERVE_AD: {
        if (!get_page(pg, d))
            return -EINVAL;
        pte_t *slot = (pte_t *)((char *)mfn_to_virt(mfn) + ((req->ptr & (PAGE_SIZE - 1)) & ~7ull));
        unsigned int level = pt_type_level(page_type(pg));
        int rc;
        if (level && page_type_count(pg) && page_type_validated(pg)) {
            if (!pt_change_is_local(*slot, level, d, fd) && !mm_locked_global()) {
                put_page(pg);
                return -EMMGLOBAL; /* it may drop references on another domain's frames */
            }
            rc = mod_pt_entry_preemptible(slot, level, req->val, d, fd,
                                          cmd == LAM_MMU_PT_UPDATE_PRESERVE_AD, deferred);
            if (!rc && level > 1)
                *flush_domain = true;
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
        /* A frame fd holds, as Xen's get_page_from_mfn: owned *and* allocated (a shared
         * frame the domain gave back is still owned by it, but no longer its to name). */
        if (!get_page(pg, fd))
            return -EINVAL;
        m2p_set(mfn, req->val);
        logdirty_mark_pfn(fd, req->val); /* as Xen: the frame's contents are now that pfn's */
        put_page(pg);
        return 0;
    default:
        return -ENOSYS;
    }
}

long hc_mmu_update(guest_ptr_t reqs, unsigned int count, guest_ptr_t pdone, unsigned int foreigndom)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    const uint64_t args[4] = {reqs, count, pdone, foreigndom};
    unsigned int done, i = 0;
    bool flush_domain = false;
    long ret;

    if (!batch_prologue(LAM_HYPERCALL_MMU_UPDATE, args, &count, &done, &ret))
        return ret;
    struct domain *fd = NULL;
    int rc = foreign_domain(d, foreigndom, &fd);
    if (!rc && (foreigndom >> 16) != 0 && (foreigndom >> 16) - 1 != d->domain_id)
        rc = -EPERM; /* page tables of another domain: not for PV guests */
    /* One hold for up to a stride of entries (the lock is cheap to keep, not to take), let
     * go at each preemption check. */
    struct mm_hold h = {0};
    bool held = false;
    for (; !rc && i < count; i++) {
        bool stride = i && !(i % MMU_UPDATE_PREEMPT_STRIDE);
        if (held && stride) {
            (void)mm_hold_end(&h, 0);
            held = false;
        }
        if (v->old_guest_table || (stride && hypercall_preempt_check())) {
            rc = -ERESTART;
            break;
        }
        struct lam_mmu_update req;
        if (copy_from_guest(&req, reqs + (uint64_t)i * sizeof(req), sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        if (!held) {
            h = fd == d ? MM_HOLD_DOMAIN(d) : MM_HOLD_GLOBAL;
            mm_hold_begin(&h);
            held = true;
        }
        do
            rc = mmu_update_one(d, fd, &req, &flush_domain, &v->old_guest_table);
        while (mm_hold_again(&h, rc));
        if (rc)
            break; /* entry i is not done (-ERESTART: the continuation redoes it) */
    }
    if (held)
        (void)mm_hold_end(&h, 0);
    if (fd && fd != d)
        domain_put(fd);
    /*
     * An L2-L4 entry changed: every CPU running the domain drops what it cached through
     * the old one, as Xen does since XSA-286 (the guest's linear page tables changed
     * shape). Retyping or reusing the frames it released is guarded by the TLB-flush
     * clock (arch/x86/flushtlb.c), not by this.
     */
    if (flush_domain)
        flush_tlb_domain(d);
    if (rc == -ERESTART)
        ret = continue_batch(LAM_HYPERCALL_MMU_UPDATE, reqs, sizeof(struct lam_mmu_update), i,
                             count, pdone, foreigndom);
    else if (v->old_guest_table)
        ret = continue_result(LAM_HYPERCALL_MMU_UPDATE, rc);
    else
        ret = rc;
    return report_done(pdone, done + i, (int)ret);
}

/* The number of completed operations is written back even when one failed. */
static long report_done(guest_ptr_t pdone, unsigned int done, int rc)
{
    if (pdone && copy_to_guest(pdone, &done, sizeof(done)) && !rc)
        rc = -EFAULT;
    return rc;
}

/* Drop the reference a base pointer held; a teardown that stops goes on later. */
static void put_old_base(struct vcpu *v, uint64_t table)
{
    ASSERT_MM_LOCKED(v->domain);
    struct page_info *pg = mfn_to_page(table >> PAGE_SHIFT);
    if (put_page_type_preemptible(pg) == -ERESTART)
        v->old_guest_table = pg; /* keeps the general reference until then */
    else
        put_page(pg);
}

static int set_baseptr(struct vcpu *v, mfn_t mfn, bool user)
{
    ASSERT_MM_LOCKED(v->domain);
    struct domain *d = v->domain;
    uint64_t *slot = user ? &v->guest_table_user : &v->guest_table;
    if (mfn == 0 && user) {
        if (*slot)
            put_old_base(v, *slot);
        *slot = 0;
        return 0;
    }
    int rc = get_page_and_type_preemptible(mfn, d, PGT_l4_page_table);
    if (rc)
        return rc;
    uint64_t old = *slot;
    *slot = mfn << PAGE_SHIFT;
    if (user == !v->kernel_mode)
        switch_cr3(*slot);
    if (old)
        put_old_base(v, old); /* after the switch: the old tables may be torn down */
    return 0;
}

/*
 * MOV to CR3 by the guest kernel (the privileged-instruction emulator), as Xen's
 * new_guest_cr3: val is the machine address of an L4 of the domain, which becomes the kernel
 * page table like MMUEXT_NEW_BASEPTR. -ERESTART: not finished (a validation or the old
 * table's teardown was preempted); the instruction is to be run again, which goes on
 * from there. Another error: the guest gets #GP.
 */
int pv_write_cr3(struct vcpu *v, uint64_t val)
{
    int rc = put_old_guest_table(v);
    if (rc)
        return rc;
    struct mm_hold h = MM_HOLD_FOR(v->domain); /* the old table may be torn down */
    do {
        mm_hold_begin(&h);
        rc = set_baseptr(v, val >> PAGE_SHIFT, false);
    } while (mm_hold_end(&h, rc));
    if (!rc && v->old_guest_table)
        rc = -ERESTART; /* the retry finishes the old table's teardown first */
    return rc;
}

/*
 * The flushes: they change no frame, so they run without mm_lock (an IPI round trip
 * under it would hold up every other domain's memory hypercalls). 1: not a flush.
 */
static int mmuext_flush(struct vcpu *v, const struct lam_mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case LAM_MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        return 0;
    case LAM_MMUEXT_TLB_FLUSH_MULTI: /* the domain's CPUs: a superset of the vCPU mask's */
        if (vcpumask_readable(d, op->arg2.vcpumask))
            return -EINVAL; /* Xen's answer for an unreadable bitmap here */
        flush_tlb_domain(d);
        return 0;
    case LAM_MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_domain(d);
        return 0;
    case LAM_MMUEXT_INVLPG_MULTI:
        if (vcpumask_readable(d, op->arg2.vcpumask))
            return -EINVAL;
        /* fall through */
    case LAM_MMUEXT_INVLPG_LOCAL:
    case LAM_MMUEXT_INVLPG_ALL:
        /* As Xen: an address that is not the guest's is silently not flushed. */
        if (!guest_range_ok(op->arg1.linear_addr, 1))
            return 0;
        if (op->cmd == LAM_MMUEXT_INVLPG_LOCAL)
            invlpg(op->arg1.linear_addr);
        else
            flush_tlb_domain_one(d, op->arg1.linear_addr);
        return 0;
    default:
        return 1;
    }
}

/*
 * Pin (take and hold a type reference on) a table of pd, which may be another domain than
 * the caller's for a privileged one (a toolstack pins a new domain's L4). A foreign owner
 * that is dying gets nothing pinned: under mm_lock, relinquish either has not run yet (and
 * will drop this pin) or has, and a pin now would never be dropped. Xen 4.17 pins and drops
 * at once in that race and answers 0, as here.
 */
static int pin_table(const struct domain *pd, unsigned int level, mfn_t mfn)
{
    ASSERT_MM_LOCKED(pd);
    if (pd != current_domain() && __atomic_load_n(&pd->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING)
        return 0;
    int rc = get_page_and_type_preemptible(mfn, pd, pt_level_type(level));
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

static int unpin_table(struct vcpu *v, const struct domain *pd, mfn_t mfn)
{
    ASSERT_MM_LOCKED(pd);
    if (mfn >= max_mfn)
        return -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    if (page_get_owner(pg) != pd || !(pg->type_info & PGT_pinned))
        return -EINVAL;
    pg->type_info &= ~PGT_pinned;
    if (put_page_type_preemptible(pg) == -ERESTART)
        v->old_guest_table = pg; /* done as far as the guest sees; finished later */
    else
        put_page(pg);
    return 0;
}

/* pd: the page owner named by foreigndom. Only pins and unpins act on another domain's
 * tables; everything else is about the caller's own vCPU or address space (Xen: -EPERM). */
static int mmuext_one(struct vcpu *v, const struct domain *pd, const struct lam_mmuext_op *op)
{
    ASSERT_MM_LOCKED(v->domain);
    struct domain *d = v->domain;

    switch (op->cmd) {
    case LAM_MMUEXT_PIN_L1_TABLE:
    case LAM_MMUEXT_PIN_L2_TABLE:
    case LAM_MMUEXT_PIN_L3_TABLE:
    case LAM_MMUEXT_PIN_L4_TABLE:
        return pin_table(pd, op->cmd - LAM_MMUEXT_PIN_L1_TABLE + 1, op->arg1.mfn);
    case LAM_MMUEXT_UNPIN_TABLE:
        return unpin_table(v, pd, op->arg1.mfn);
    default:
        break;
    }
    bool own_only = (op->cmd >= LAM_MMUEXT_NEW_BASEPTR && op->cmd <= LAM_MMUEXT_SET_LDT) ||
                    op->cmd == LAM_MMUEXT_NEW_USER_BASEPTR ||
                    op->cmd == LAM_MMUEXT_FLUSH_CACHE_GLOBAL;
    if (pd != d && own_only)
        return -EPERM;

    switch (op->cmd) {
    case LAM_MMUEXT_NEW_BASEPTR:
        return set_baseptr(v, op->arg1.mfn, false);
    case LAM_MMUEXT_NEW_USER_BASEPTR:
        return set_baseptr(v, op->arg1.mfn, true);
    case LAM_MMUEXT_SET_LDT:
        if (op->arg2.nr_ents > LDT_MAX_ENTRIES || (op->arg1.linear_addr & (PAGE_SIZE - 1)) ||
            !guest_range_ok(op->arg1.linear_addr, op->arg2.nr_ents * 8ul /* bytes each */))
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

/*
 * The page owner of a batch, as Xen's get_pg_owner + xsm_mmuext_op (XSM_TARGET):
 * DOMID_SELF is the caller; its own id (Xen: "cannot specify itself") and an unknown domain
 * -ESRCH; another domain only for a privileged caller (-EPERM). A foreign owner comes with
 * a reference the caller drops.
 */
static int mmuext_owner(struct domain *d, unsigned int foreigndom, struct domain **out)
{
    unsigned int id = foreigndom & 0xffff;
    if (id == LAM_DOMID_SELF) {
        *out = d;
        return 0;
    }
    if (id == d->domain_id)
        return -ESRCH;
    struct domain *fd = domain_get(id);
    if (!fd)
        return -ESRCH;
    if (!d->is_privileged) {
        domain_put(fd);
        return -EPERM;
    }
    *out = fd;
    return 0;
}

long hc_mmuext_op(guest_ptr_t ops, unsigned int count, guest_ptr_t pdone, unsigned int foreigndom)
{
    struct vcpu *v = current;
    const uint64_t args[4] = {ops, count, pdone, foreigndom};
    unsigned int done, i = 0;
    long ret;

    if (!batch_prologue(LAM_HYPERCALL_MMUEXT_OP, args, &count, &done, &ret))
        return ret;
    struct domain *pd;
    int rc = mmuext_owner(v->domain, foreigndom, &pd);
    if (rc)
        return rc; /* as Xen: before the batch, `done` untouched */
    for (; !rc && i < count; i++) {
        if (v->old_guest_table || (i && hypercall_preempt_check())) {
            rc = -ERESTART;
            break;
        }
        struct lam_mmuext_op op;
        if (copy_from_guest(&op, ops + (uint64_t)i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        /* The flushes are the caller's own: for another domain mmuext_one answers -EPERM. */
        rc = pd == v->domain ? mmuext_flush(v, &op) : 1;
        if (rc == 1) {
            /* Unpins and base pointers may tear tables down (MM_HOLD_FOR); another
             * domain's tables (a toolstack pinning a new domain's L4) take the global lock,
             * which excludes that domain's own. */
            struct mm_hold h = pd == v->domain ? MM_HOLD_FOR(v->domain) : MM_HOLD_GLOBAL;
            do {
                mm_hold_begin(&h);
                rc = mmuext_one(v, pd, &op);
            } while (mm_hold_end(&h, rc));
        }
        if (rc)
            break;
    }
    if (pd != v->domain)
        domain_put(pd);
    if (rc == -ERESTART)
        ret = continue_batch(LAM_HYPERCALL_MMUEXT_OP, ops, sizeof(struct lam_mmuext_op), i, count,
                             pdone, foreigndom);
    else if (v->old_guest_table)
        ret = continue_result(LAM_HYPERCALL_MMUEXT_OP, rc);
    else
        ret = rc;
    return report_done(pdone, done + i, (int)ret);
}
