/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frame audit: recompute, from the page tables themselves, how many
 * references each of a domain's frames should hold, and compare with the
 * counts in the frame table. Used by the 'a' debug key and after every test
 * kernel (a leaked or missing reference shows up as a mismatch).
 *
 * Expected general count = 1 (allocation) + entries in validated tables that
 * point at it + pins + CR3 references. Expected type count = for a table:
 * references from validated tables one level up + pins + CR3 loads; for a
 * writable page: present RW L1 entries in validated L1 tables.
 *
 * A partial table (preempted (de)validation, pv/pagetype.c) holds its own
 * type count of 1; its entries [0, nr_validated) count like a validated
 * table's, and a partial child entry holds a general reference only. A vCPU's
 * old_guest_table (a teardown still to finish) holds a general reference. A
 * frame the hypervisor shares (PGC_xen_heap) holds one writable type reference
 * of its own for as long as it exists (domain_share_xen_frame). The L1 entries
 * that map another domain's frame must number d->foreign_refs (pv/mm_lock.c
 * picks the lock by it).
 */
#include <asm/pv/mm.h>
#include <hv/grant_table.h>
#include <hv/console.h>
#include <hv/continuation.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/xmalloc.h>
#include <asm/pv/descriptor.h>

struct expect {
    uint32_t count, type_count;
};

/* Returns how many of the table's entries hold references on another domain's frame. */
static unsigned long account_table(const struct domain *d, mfn_t mfn, unsigned int level,
                                   unsigned int nr_entries, struct expect *exp)
{
    unsigned long foreign = 0;
    const pte_t *t = mfn_to_virt(mfn);
    for (unsigned int i = 0; i < nr_entries; i++) {
        if (level == 4 && i >= HV_SLOT_FIRST && i <= HV_SLOT_LAST)
            continue;
        pte_t e = t[i];
        if (!(e & _PAGE_PRESENT))
            continue;
        mfn_t target = pte_mfn(e);
        if (target >= max_mfn || (level > 1 && target == mfn))
            continue; /* MMIO, or a linear entry pointing at its own table: no references */
        if (level == 1 && (e & PTE_GRANT_MAPPING))
            continue; /* counted from the maptrack entry that owns its references */
        exp[target].count++;
        if (level > 1 || (e & _PAGE_RW))
            exp[target].type_count++;
        const struct domain *owner = page_get_owner(mfn_to_page(target));
        if (level == 1 && owner && owner != d)
            foreign++;
    }
    return foreign;
}

/* One reference held by a grant mapping (gnttab_audit_mappings). */
static void account_grant_ref(mfn_t mfn, bool writable, void *arg)
{
    struct expect *exp = arg;
    if (mfn >= max_mfn)
        return;
    exp[mfn].count++;
    if (writable)
        exp[mfn].type_count++;
}

unsigned long audit_domain_frames(const struct domain *d, bool verbose)
{
    struct expect *exp = xzalloc_array_bytes(sizeof(*exp), max_mfn, 8);
    unsigned long errors = 0, foreign = 0;
    if (!exp)
        return 0;

    mm_lock_global();
    for (mfn_t mfn = 0; mfn < max_mfn; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);
        if (page_get_owner(pg) != d)
            continue;
        if (pg->count_info & PGC_allocated)
            exp[mfn].count++;
        if (pg->count_info & PGC_xen_heap)
            exp[mfn].type_count++; /* shared by the hypervisor: writable for good */
        unsigned int level = pt_type_level(page_type(pg));
        if (level && page_type_count(pg) && page_type_validated(pg))
            foreign += account_table(d, mfn, level, PT_ENTRIES, exp);
        if (level && (pg->type_info & PGT_partial)) {
            foreign += account_table(d, mfn, level, pg->nr_validated, exp);
            exp[mfn].type_count++; /* its own, held by the unfinished work */
            if (pg->partial_child)
                exp[pte_mfn(((const pte_t *)mfn_to_virt(mfn))[pg->nr_validated])].count++;
        }
        if (pg->type_info & PGT_pinned) {
            exp[mfn].count++;
            exp[mfn].type_count++;
        }
    }
    gnttab_audit_mappings(account_grant_ref, exp);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        /* Frames the hypervisor holds for the vCPU: GDT pages, the registered vcpu_info. */
        for (unsigned int g = 0; g < DESC_PAGES(v->gdt_ents); g++) {
            exp[v->gdt_frames[g]].count++;
            exp[v->gdt_frames[g]].type_count++;
        }
        if (v->vcpu_info_registered) {
            mfn_t m = virt_to_mfn(v->vcpu_info);
            exp[m].count++;
            exp[m].type_count++;
        }
        if (v->old_guest_table)
            exp[page_to_mfn(v->old_guest_table)].count++;
        for (int u = 0; u < 2; u++) {
            uint64_t table = u ? v->guest_table_user : v->guest_table;
            if (table) {
                exp[table >> PAGE_SHIFT].count++;
                exp[table >> PAGE_SHIFT].type_count++;
            }
        }
    }
    for (mfn_t mfn = 0; mfn < max_mfn; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);
        if (page_get_owner(pg) != d)
            continue;
        if (page_count(pg) != exp[mfn].count || page_type_count(pg) != exp[mfn].type_count) {
            errors++;
            if (verbose && errors <= 16)
                log_printf(
                    LOG_ERR,
                    "audit d%u: mfn %#lx count %lu (expected %u) type %#lx count %lu (expected %u)",
                    d->domain_id, (unsigned long)mfn, (unsigned long)page_count(pg), exp[mfn].count,
                    (unsigned long)(page_type(pg) >> PGT_type_shift),
                    (unsigned long)page_type_count(pg), exp[mfn].type_count);
        }
    }
    if (foreign != d->foreign_refs) { /* it decides which memory lock d's operations take */
        errors++;
        if (verbose)
            log_printf(LOG_ERR, "audit d%u: %lu foreign mapping(s), counted %lu", d->domain_id,
                       foreign, d->foreign_refs);
    }
    mm_unlock_global();
    xfree(exp);
    if (verbose) {
        printk("audit d%u: %lu frame(s) with unbalanced counts", d->domain_id, errors);
        preempt_stats_print();
    }
    return errors;
}
