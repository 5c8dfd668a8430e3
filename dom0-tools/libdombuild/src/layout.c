/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where things go in a new PV domain and the boot data that describes it: the layout,
 * the boot page tables, start_info and vCPU 0's context. Pure functions: the build code
 * hands them the guest pages it has mapped, the unit tests plain memory.
 *
 * The layout is libxc's for a 64-bit PV kernel (toolstack.md §1.11) and the same as the
 * hypervisor's own builder for dom0 (hypervisor/arch/x86/pv/dom_build.c), so a kernel
 * that boots as dom0 boots here.
 */
#include "dombuild.h"

#include <errno.h>
#include <string.h>

#include <lamina/start_info.h>
#include <lamina/vcpu.h>

#define PAGE       DOMBUILD_PAGE_SIZE
#define L2_SHIFT   21
#define L4_SHIFT   39
#define PT_ENTRIES 512

/* PTE bits, as libxc's L1_PROT and L2-L4 protections for 64-bit PV guests. */
#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_U   0x004ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define L1_PROT (PTE_P | PTE_RW | PTE_A)
#define LN_PROT (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_U)

/* The flat 64-bit PV selectors (FLAT_KERNEL_CS / _SS). */
#define FLAT_KERNEL_CS 0xe033
#define FLAT_KERNEL_SS 0xe02b

static uint64_t round_up(uint64_t x, uint64_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static uint64_t pages_of(uint64_t bytes)
{
    return round_up(bytes, PAGE) / PAGE;
}

/* Page-table pages that map [start, end) with 4 KiB pages, the L4 not counted. */
static uint64_t tables_for(uint64_t start, uint64_t end)
{
    if (end <= start)
        return 0;
    uint64_t n = 0;
    for (unsigned int shift = L2_SHIFT; shift <= L4_SHIFT; shift += 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

int dombuild_layout_compute(const struct dombuild_kinfo *k, uint64_t nr_pages, uint64_t initrd_len,
                            struct dombuild_layout *l)
{
    memset(l, 0, sizeof(*l));
    l->nr_pages = nr_pages;
    l->virt_base = k->virt_base;
    uint64_t vbase = k->virt_base;
    uint64_t next = round_up(k->virt_kend, PAGE);
    l->kernel_end_pfn = (next - vbase) / PAGE;
    uint64_t p2m_pages = pages_of(nr_pages * sizeof(uint64_t));
    l->p2m_pages = p2m_pages;
    l->initrd_pages = pages_of(initrd_len);
    l->initrd_mapped = initrd_len && !k->mod_start_pfn;
    if (l->initrd_mapped) {
        l->initrd_pfn = (next - vbase) / PAGE;
        next += l->initrd_pages * PAGE;
    }
    if (!k->has_init_p2m) {
        l->p2m_pfn = (next - vbase) / PAGE;
        l->p2m_va = next;
        next += p2m_pages * PAGE;
    }
    l->start_info_pfn = (next - vbase) / PAGE;
    l->store_pfn = l->start_info_pfn + 1;
    l->console_pfn = l->start_info_pfn + 2;
    next += 3 * PAGE;
    uint64_t v_pt = next, nr_pt = 1, v_end;
    for (;;) { /* the tables map themselves too: iterate until the count settles */
        uint64_t v_stack = v_pt + nr_pt * PAGE;
        v_end = round_up(v_stack + PAGE + 512 * 1024, 4ull << 20);
        uint64_t need = 1 + tables_for(vbase, v_end);
        if (need <= nr_pt)
            break;
        nr_pt = need;
    }
    l->pt_pfn = (v_pt - vbase) / PAGE;
    l->nr_pt = nr_pt;
    l->stack_pfn = l->pt_pfn + nr_pt;
    l->v_end = v_end;
    l->nr_mapped = (v_end - vbase) / PAGE;
    uint64_t pfn = l->nr_mapped;
    if (initrd_len && !l->initrd_mapped) {
        l->initrd_pfn = pfn;
        pfn += l->initrd_pages;
    }
    if (k->has_init_p2m) {
        l->first_p2m_pfn = pfn;
        l->p2m_pfn = pfn;
        l->p2m_va = k->init_p2m;
        l->nr_p2m_frames = p2m_pages + tables_for(k->init_p2m, k->init_p2m + p2m_pages * PAGE);
        pfn += l->nr_p2m_frames;
    }
    l->end_pfn = pfn;
    if (v_end - vbase > (1ull << 30))
        return -E2BIG;
    if (pfn > nr_pages)
        return -ENOSPC;
    return 0;
}

/*
 * Builds the tables with a cursor over the frames reserved for them (the boot mapping's
 * after the L4, then the INIT_P2M area's after the p2m list). An existing entry's table is
 * found again by its frame among the table pfns [lo, limit): a few dozen at most.
 */
struct pt_writer {
    const uint64_t *p2m;
    dombuild_page_fn page;
    void *ctx;
    uint64_t lo, next, limit; /* tables of the current area: [lo, limit), next free */
    uint64_t *l4;
};

static uint64_t *table_of(const struct pt_writer *w, uint64_t entry)
{
    uint64_t mfn = (entry & 0x000ffffffffff000ull) >> DOMBUILD_PAGE_SHIFT;
    for (uint64_t pfn = w->lo; pfn < w->next; pfn++)
        if (w->p2m[pfn] == mfn)
            return w->page(w->ctx, pfn);
    return NULL;
}

static int map_one(struct pt_writer *w, uint64_t va, uint64_t pfn, bool rw)
{
    uint64_t *t = w->l4;
    for (int shift = L4_SHIFT; shift >= L2_SHIFT; shift -= 9) {
        uint64_t *e = &t[(va >> shift) & (PT_ENTRIES - 1)];
        if (*e & PTE_P) {
            t = table_of(w, *e);
            if (!t)
                return -EFAULT;
            continue;
        }
        if (w->next >= w->limit)
            return -ENOSPC;
        uint64_t tpfn = w->next++;
        t = w->page(w->ctx, tpfn);
        if (!t)
            return -EFAULT;
        memset(t, 0, PAGE);
        *e = (w->p2m[tpfn] << DOMBUILD_PAGE_SHIFT) | LN_PROT;
    }
    /* Page-table frames are mapped read-only: a PV guest may not write its tables. */
    t[(va >> DOMBUILD_PAGE_SHIFT) & (PT_ENTRIES - 1)] =
        (w->p2m[pfn] << DOMBUILD_PAGE_SHIFT) | (rw ? L1_PROT : (L1_PROT & ~PTE_RW));
    return 0;
}

int dombuild_write_pagetables(const struct dombuild_layout *l, const struct dombuild_kinfo *k,
                              const uint64_t *p2m, dombuild_page_fn page, void *ctx)
{
    struct pt_writer w = {.p2m = p2m, .page = page, .ctx = ctx};
    w.l4 = page(ctx, l->pt_pfn);
    if (!w.l4)
        return -EFAULT;
    memset(w.l4, 0, PAGE);
    w.lo = l->pt_pfn + 1;
    w.next = w.lo;
    w.limit = l->pt_pfn + l->nr_pt;
    for (uint64_t pfn = 0; pfn < l->nr_mapped; pfn++) {
        bool is_pt = pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt;
        int rc = map_one(&w, l->virt_base + pfn * PAGE, pfn, !is_pt);
        if (rc)
            return rc;
    }
    if (!k->has_init_p2m)
        return 0;
    /* The p2m list at INIT_P2M (a different L4 slot than the boot mapping's), with its own
     * tables after it in the INIT_P2M area. */
    w.lo = l->first_p2m_pfn + l->p2m_pages;
    w.next = w.lo;
    w.limit = l->first_p2m_pfn + l->nr_p2m_frames;
    if (((k->init_p2m >> L4_SHIFT) & (PT_ENTRIES - 1)) ==
        ((l->virt_base >> L4_SHIFT) & (PT_ENTRIES - 1)))
        return -EINVAL; /* the parser keeps INIT_P2M away from the kernel; a layout bug */
    for (uint64_t i = 0; i < l->p2m_pages; i++) {
        int rc = map_one(&w, k->init_p2m + i * PAGE, l->first_p2m_pfn + i, true);
        if (rc)
            return rc;
    }
    return 0;
}

void dombuild_fill_start_info(void *page, const struct dombuild_layout *l,
                              const struct dombuild_boot_params *p)
{
    memset(page, 0, PAGE);
    struct lam_start_info *si = page;
    memcpy(si->magic, LAM_START_INFO_MAGIC, sizeof(LAM_START_INFO_MAGIC));
    si->nr_pages = l->nr_pages;
    si->shared_info = p->shared_info_mfn << DOMBUILD_PAGE_SHIFT;
    si->flags = 0;
    si->store_mfn = p->store_mfn;
    si->store_evtchn = p->store_port;
    si->console.domU.mfn = p->console_mfn;
    si->console.domU.evtchn = p->console_port;
    si->pt_base = l->virt_base + l->pt_pfn * PAGE;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->p2m_va;
    if (l->initrd_pages) {
        if (l->initrd_mapped) {
            si->mod_start = l->virt_base + l->initrd_pfn * PAGE;
            si->mod_len = p->initrd_len;
        } else {
            si->mod_start = l->initrd_pfn;
            si->mod_len = p->initrd_len;
            si->flags |= LAM_SIF_MOD_START_PFN;
        }
    }
    si->first_p2m_pfn = l->first_p2m_pfn;
    si->nr_p2m_frames = l->nr_p2m_frames;
    if (p->cmdline) {
        size_t n = strnlen(p->cmdline, sizeof(si->cmd_line) - 1);
        memcpy(si->cmd_line, p->cmdline, n);
    }
}

void dombuild_fill_vcpu0(void *ctx, const struct dombuild_layout *l, const struct dombuild_kinfo *k,
                         uint64_t l4_mfn)
{
    struct lam_vcpu_guest_context *c = ctx;
    memset(c, 0, sizeof(*c));
    c->flags = LAM_VGCF_in_kernel | LAM_VGCF_online;
    c->user_regs.rip = k->entry;
    c->user_regs.rsp = l->virt_base + (l->stack_pfn + 1) * PAGE;
    c->user_regs.rsi = l->virt_base + l->start_info_pfn * PAGE;
    c->user_regs.rflags = 0x200;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = c->user_regs.rsp;
    c->ctrlreg[3] = l4_mfn << DOMBUILD_PAGE_SHIFT;
    c->debugreg[6] = 0xffff0ff0;
    c->debugreg[7] = 0x400;
}

int dombuild_load_kernel(const struct dombuild_kernel *k, const struct dombuild_layout *l,
                         dombuild_page_fn page, void *ctx)
{
    for (unsigned int s = 0; s < k->info.nr_segments; s++) {
        const struct dombuild_segment *seg = &k->info.segments[s];
        if (seg->offset > k->elf_len || seg->filesz > k->elf_len - seg->offset ||
            seg->filesz > seg->memsz)
            return -EINVAL;
        const uint8_t *src = k->elf + seg->offset;
        for (uint64_t off = 0; off < seg->memsz;) {
            uint64_t pa = seg->pfn_addr + off;
            uint64_t pfn = pa / PAGE, in = pa % PAGE;
            if (pfn >= l->nr_mapped)
                return -ENOSPC;
            uint64_t n = PAGE - in;
            if (n > seg->memsz - off)
                n = seg->memsz - off;
            uint8_t *dst = page(ctx, pfn);
            if (!dst)
                return -EFAULT;
            dst += in;
            if (off < seg->filesz) {
                uint64_t f = seg->filesz - off < n ? seg->filesz - off : n;
                memcpy(dst, src + off, f);
                memset(dst + f, 0, n - f);
            } else {
                memset(dst, 0, n);
            }
            off += n;
        }
    }
    return 0;
}
