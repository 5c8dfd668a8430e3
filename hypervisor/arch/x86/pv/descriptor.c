/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest descriptor tables: set_gdt and update_descriptor.
 *
 * A guest GDT lives in frames the guest owns, typed "segment descriptor
 * page" so the guest cannot write them directly; every descriptor in them is
 * checked. The CPU's own GDT keeps the first 14 pages for the running vCPU's
 * descriptors: we copy them in (on set_gdt, on update_descriptor of a live
 * entry, and when the vCPU is scheduled), which is coherent because the
 * frames can only change through update_descriptor.
 *
 * A descriptor is acceptable if it is not present, if it is a code or data
 * segment (its DPL is raised to 3: guest kernels run in ring 3), or if it is
 * a reserved type-0 system descriptor (which faults when used). Every other
 * present system descriptor (TSS, LDT, gates) is refused; Xen accepts 64-bit
 * call gates, which Linux never uses (docs/differences.md).
 */
#include <hv/console.h>
#include <asm/cpu.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <asm/pv/descriptor.h>
#include <hypervisor/hypercall-handlers.h>

#define DESC_P        (1ull << 47)
#define DESC_S        (1ull << 44)
#define DESC_DPL_MASK (3ull << 45)
#define DESC_TYPE(d)  (((d) >> 40) & 0xf)
#define DESC_CODE     (1ull << 43)
/* The CPU's GDT limit: the guest's pages and the hypervisor's. */
#define GDT_ENTRIES ((LAM_FIRST_RESERVED_GDT_PAGE + 1) * DESCS_PER_PAGE)

/* Check one descriptor; returns the (possibly adjusted) value through *out. */
static bool descriptor_ok(uint64_t d, uint64_t *out)
{
    if (!(d & DESC_P)) {
        *out = d;
        return true;
    }
    if (d & DESC_S) {
        *out = d | DESC_DPL_MASK; /* code/data: DPL 3 */
        return true;
    }
    if (DESC_TYPE(d) == 0) {
        *out = d;
        return true;
    }
    return false;
}

/*
 * Is sel a present code segment in the GDT this CPU runs the current vCPU with (its
 * descriptors, then the hypervisor's page)? As Xen's privileged-instruction emulator checks
 * CS before it decodes anything: a frame that never ran (a refused IRETQ) may name any
 * selector. No LDT is ever loaded, so LDT selectors are never usable.
 */
bool pv_code_selector_usable(uint16_t sel)
{
    unsigned int index = sel >> SEL_INDEX_SHIFT;

    if (index == 0 || (sel & SEL_TI_LDT) || index >= GDT_ENTRIES)
        return false;
    uint64_t d = get_cpu_info()->gdt[index];
    return (d & DESC_P) && (d & DESC_S) && (d & DESC_CODE);
}

int validate_descriptor_page(struct page_info *pg)
{
    uint64_t *t = mfn_to_virt(page_to_mfn(pg));
    for (unsigned int i = 0; i < DESCS_PER_PAGE; i++) {
        uint64_t v;
        if (!descriptor_ok(t[i], &v))
            return -EINVAL;
    }
    for (unsigned int i = 0; i < DESCS_PER_PAGE; i++)
        descriptor_ok(t[i], &t[i]);
    return 0;
}

/*
 * Copy the vCPU's guest GDT into this CPU's GDT (pages 0-13). Only the pages
 * the previous vCPU used need clearing: a context switch between guests
 * without GDTs (or with one page, as Linux) touches at most a page or two.
 */
void pv_load_guest_gdt(const struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int pages = DESC_PAGES(v->gdt_ents);
    for (unsigned int p = 0; p < pages; p++)
        memcpy(ci->gdt + p * DESCS_PER_PAGE, mfn_to_virt(v->gdt_frames[p]), PAGE_SIZE);
    for (unsigned int p = pages; p < ci->gdt_guest_pages; p++)
        memset(ci->gdt + p * DESCS_PER_PAGE, 0, PAGE_SIZE);
    ci->gdt_guest_pages = pages;
}

/* Drop the references v's GDT frames hold (caller holds a memory lock for v's domain). */
void pv_vcpu_release_gdt(struct vcpu *v)
{
    ASSERT_MM_LOCKED(v->domain);
    unsigned int pages = DESC_PAGES(v->gdt_ents);
    for (unsigned int p = 0; p < pages; p++)
        put_page_and_type(mfn_to_page(v->gdt_frames[p]));
    v->gdt_ents = 0;
}

/* Take frames as v's GDT and drop the old ones' references; all or nothing. */
static int take_gdt_frames(struct vcpu *v, const mfn_t *frames, unsigned int entries)
{
    ASSERT_MM_LOCKED(v->domain);
    unsigned int pages = DESC_PAGES(entries), got;
    int rc = 0;
    for (got = 0; got < pages; got++) {
        rc = get_page_and_type(frames[got], v->domain, PGT_seg_desc_page);
        if (rc)
            break;
    }
    if (rc) {
        while (got-- > 0)
            put_page_and_type(mfn_to_page(frames[got]));
        return rc;
    }
    pv_vcpu_release_gdt(v);
    memcpy(v->gdt_frames, frames, pages * sizeof(frames[0]));
    v->gdt_ents = entries;
    return 0;
}

/* Install frames as v's GDT (references taken here, the old ones dropped). */
int pv_vcpu_set_gdt(struct vcpu *v, const mfn_t *frames, unsigned int entries)
{
    if (entries > LAM_FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    struct mm_hold h = MM_HOLD_DOMAIN(v->domain); /* its own frames only */
    int rc;
    do {
        mm_hold_begin(&h);
        rc = take_gdt_frames(v, frames, entries);
    } while (mm_hold_end(&h, rc));
    if (rc)
        return rc;
    if (v == current)
        pv_load_guest_gdt(v);
    return 0;
}

long hc_set_gdt(guest_ptr_t frame_list, unsigned int entries)
{
    mfn_t frames[LAM_FIRST_RESERVED_GDT_PAGE];
    unsigned int pages = DESC_PAGES(entries);

    if (entries > LAM_FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if (copy_from_guest(frames, frame_list, pages * sizeof(frames[0])))
        return -EFAULT;
    return pv_vcpu_set_gdt(current, frames, entries);
}

/* Linux rewrites its TLS descriptors on every context switch: update just that entry. */
static void update_live_entry(const struct vcpu *v, mfn_t mfn, unsigned int index, uint64_t val)
{
    unsigned int pages = DESC_PAGES(v->gdt_ents);
    for (unsigned int p = 0; p < pages; p++)
        if (v->gdt_frames[p] == mfn)
            get_cpu_info()->gdt[p * DESCS_PER_PAGE + index] = val;
}

/* Write val at ma in a frame of d's: a live descriptor page (*live) or one it may write. */
static int write_descriptor(struct page_info *pg, const struct domain *d, uint64_t ma, uint64_t val,
                            bool *live)
{
    ASSERT_MM_LOCKED(d);
    if (!get_page(pg, d))
        return -EINVAL;
    int rc = 0;
    *live = page_type(pg) == PGT_seg_desc_page && page_type_count(pg);
    if (!*live) {
        rc = get_page_type(pg, PGT_writable_page);
        if (!rc)
            put_page_type(pg);
    }
    if (!rc)
        *(uint64_t *)((char *)mfn_to_virt(page_to_mfn(pg)) + (ma & (PAGE_SIZE - 1))) = val;
    put_page(pg);
    return rc;
}

long hc_update_descriptor(uint64_t ma, uint64_t desc)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    mfn_t mfn = ma >> PAGE_SHIFT;
    uint64_t val;

    if ((ma & 7) || mfn >= max_mfn || !descriptor_ok(desc, &val))
        return -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    struct mm_hold h = MM_HOLD_DOMAIN(d);
    bool live = false;
    int rc;
    do {
        mm_hold_begin(&h);
        rc = write_descriptor(pg, d, ma, val, &live);
    } while (mm_hold_end(&h, rc));
    if (!rc && live)
        update_live_entry(v, mfn, (unsigned int)((ma & (PAGE_SIZE - 1)) / 8), val);
    return rc;
}
