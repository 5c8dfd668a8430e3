/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a dying PV domain's vCPUs hold on its frames: the kernel and user root
 * tables (CR3 references), the GDT frames, the registered vcpu_info page, and
 * the pins on its page tables. Dropping them devalidates every table tree
 * top-down (put_page_type recurses one level per table), which releases the
 * references the entries held. Linear entries are one level deep (see
 * pv/pagetype.c), so no cycle can keep a table validated once its last
 * outside reference is gone. Tables a preempted hypercall left partial (a
 * pin stopped half-way, a vCPU's deferred teardown) are finished here, all
 * at once: the domain never runs again, so nobody can continue them.
 */
#include <hv/domain.h>
#include <hv/console.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>

static void put_root(uint64_t *table)
{
    if (*table)
        put_page_and_type(mfn_to_page(*table >> PAGE_SHIFT));
    *table = 0;
}

/* Caller holds mm_lock; the domain's vCPUs never run again. Returns how many tables a
 * preempted hypercall had left partial. */
unsigned long arch_domain_relinquish(struct domain *d)
{
    ASSERT_LOCKED(&mm_lock);
    unsigned long partial = 0;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        pv_vcpu_release_gdt(v);
        v->ldt_base = 0;
        v->ldt_ents = 0;
        if (v->vcpu_info_registered) {
            put_page_and_type(mfn_to_page(virt_to_mfn(v->vcpu_info)));
            v->vcpu_info = &d->shared_info->vcpu_info[i < LAM_LEGACY_MAX_VCPUS ? i : 0];
            v->vcpu_info_registered = false;
        }
        put_root(&v->guest_table_user);
        put_root(&v->guest_table);
        if (v->old_guest_table) {
            partial++;
            finish_partial_teardown(v->old_guest_table, false);
            put_page(v->old_guest_table);
            v->old_guest_table = NULL;
        }
    }

    /* Allocation references are still held, so no frame is freed (and the
     * list does not change) while the pins go. */
    struct page_info *pg;
    list_for_each_entry(pg, &d->page_list, list)
    {
        if (pg->type_info & PGT_pinned) {
            pg->type_info &= ~PGT_pinned;
            put_page_and_type(pg);
        }
    }
    list_for_each_entry(pg, &d->page_list, list)
    {
        if (pg->type_info & PGT_partial) {
            partial++;
            finish_partial_teardown(pg, false);
        }
    }
    unsigned long stuck = 0;
    list_for_each_entry(pg, &d->page_list, list)
    {
        if (pt_type_level(page_type(pg)) && page_type_count(pg))
            stuck++;
    }
    if (stuck)
        log_printf(LOG_ERR, "d%u: %lu page table(s) still typed after relinquish", d->domain_id,
                   stuck);
    return partial;
}
