/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV domain builder: turns a kernel image (ELF with Xen notes) into a
 * runnable domain, following the start-of-day contract of the PV ABI:
 *
 *   VIRT_BASE -> [ low RAM | kernel | (initrd) | (p2m) | start_info |
 *                  bootstrap page tables | boot stack | padding ]
 *
 * one contiguous region mapping PFN 0.. one-to-one, 4 KiB pages, ending on a
 * 4 MiB boundary with at least 512 KiB of slack, the page-table pages mapped
 * read-only. With INIT_P2M the p2m list is mapped at the address the kernel
 * asked for, with its own page tables, in frames after the region
 * (first_p2m_pfn/nr_p2m_frames). With MOD_START_PFN the initrd stays unmapped
 * and start_info gives its first PFN.
 */
#include <asm/pv/dom_build.h>
#include <hv/console.h>
#include <hv/elf_pv.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/pv/mm.h>
#include <hv/event.h>
#include <hv/grant_table.h>
#include <hv/xmalloc.h>
#include <asm/x86.h>
#include <lamina/features.h>
#include <lamina/hypercall.h>
#include <lamina/start_info.h>

#define PT_FLAGS   (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_FLAGS (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

struct builder {
    struct domain *d;
    struct elf_pv_info elf;
    uint64_t nr_pages;
    mfn_t *p2m;            /* pfn -> mfn for the whole domain */
    uint64_t pt_next;      /* next PFN for a page-table page in the current area */
    uint64_t pt_limit;     /* end of that area */
    uint64_t pt_lo, pt_hi; /* PFNs of the main bootstrap tables (mapped RO) */
    pte_t *l4;
};

static void *pfn_va(struct builder *b, uint64_t pfn)
{
    return mfn_to_virt(b->p2m[pfn]);
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
    return (x + a - 1) & ~(a - 1);
}

/* Page-table pages needed to map [start, end) with 4 KiB pages (L4 excluded). */
static uint64_t tables_for(uint64_t start, uint64_t end)
{
    if (end <= start)
        return 0;
    uint64_t n = 0;
    for (unsigned int shift = L2_SHIFT; shift <= L4_SHIFT; shift += 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

/* Tables are built as plain pages; they get their types when the L4 is validated. */
static pte_t *next_table(struct builder *b, pte_t *entry)
{
    if (*entry & _PAGE_PRESENT)
        return mfn_to_virt(pte_mfn(*entry));
    if (b->pt_next >= b->pt_limit)
        return NULL;
    uint64_t pfn = b->pt_next++;
    pte_t *t = pfn_va(b, pfn);
    memset(t, 0, PAGE_SIZE);
    *entry = (b->p2m[pfn] << PAGE_SHIFT) | PT_FLAGS;
    return t;
}

static int map_page(struct builder *b, uint64_t va, uint64_t pfn, bool rw)
{
    pte_t *t = b->l4;
    for (unsigned int level = 4; level > 1; level--) {
        t = next_table(b, &t[pt_index(va, level)]);
        if (!t)
            return -ENOMEM;
    }
    t[pt_index(va, 1)] = (b->p2m[pfn] << PAGE_SHIFT) | PAGE_FLAGS | (rw ? _PAGE_RW : 0);
    return 0;
}

static int load_segment(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz,
                        size_t memsz)
{
    struct builder *b = ctx;
    for (uint64_t off = 0; off < memsz;) {
        uint64_t pa = pseudo_phys + off;
        uint64_t pfn = pa >> PAGE_SHIFT;
        if (pfn >= b->nr_pages)
            return -ENOMEM;
        size_t in_page = MIN((uint64_t)PAGE_SIZE - (pa & (PAGE_SIZE - 1)), memsz - off);
        char *dst = (char *)pfn_va(b, pfn) + (pa & (PAGE_SIZE - 1));
        if (off < filesz) {
            size_t n = MIN(in_page, filesz - off);
            memcpy(dst, (const char *)src + off, n);
            memset(dst + n, 0, in_page - n);
        } else {
            memset(dst, 0, in_page);
        }
        off += in_page;
    }
    return 0;
}

/* Copy bytes to guest pseudo-physical memory. */
static void copy_to_pfns(struct builder *b, uint64_t pfn, const void *src, size_t len)
{
    for (size_t off = 0; off < len; off += PAGE_SIZE, pfn++) {
        size_t n = MIN((size_t)PAGE_SIZE, len - off);
        memcpy(pfn_va(b, pfn), (const char *)src + off, n);
        if (n < PAGE_SIZE)
            memset((char *)pfn_va(b, pfn) + n, 0, PAGE_SIZE - n);
    }
}

/* Stubs of the hypercall page (linux-pv-abi.md §1.3): one 32-byte slot per hypercall. */
static void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < LAM_HYPERCALL_PAGE_NR_STUBS; i++) {
        uint8_t *s = p + i * LAM_HYPERCALL_PAGE_STUB_SIZE;
        if (i == LAM_HYPERCALL_IRET) { /* never returns, the guest jumps here */
            const uint8_t iret_stub[] = {0x51, 0x41, 0x53, 0x50, 0xb8, LAM_HYPERCALL_IRET,
                                         0,    0,    0,    0x0f, 0x05};
            memcpy(s, iret_stub, sizeof(iret_stub));
            continue;
        }
        const uint8_t stub[] = {0x51, 0x41, 0x53, 0xb8, (uint8_t)i, 0,    0,
                                0,    0x0f, 0x05, 0x41, 0x5b,       0x59, 0xc3};
        memcpy(s, stub, sizeof(stub));
    }
}

static int allocate_memory(struct builder *b)
{
    uint64_t pfn = 0;
    b->p2m = xmalloc_array_bytes(sizeof(mfn_t), b->nr_pages, 8);
    if (!b->p2m)
        return -ENOMEM;
    /* The hardware domain may balloon up to all of RAM (as Xen's dom0 without
     * dom0_mem=max:); other domains are held to what they were given. */
    b->d->max_pages = b->d->is_privileged ? max_mfn : b->nr_pages;
    while (pfn < b->nr_pages) {
        unsigned int order = 9; /* 2 MiB chunks where possible, smaller at the end */
        while (order && (pfn + (1ull << order) > b->nr_pages))
            order--;
        mfn_t mfn = INVALID_MFN;
        for (; mfn == INVALID_MFN; order--) {
            mfn = frames_alloc_split(order);
            if (mfn != INVALID_MFN || order == 0)
                break;
        }
        if (mfn == INVALID_MFN)
            return -ENOMEM;
        for (uint64_t i = 0; i < (1ull << order); i++) {
            int rc = domain_assign_frame(b->d, mfn + i);
            if (rc)
                return rc;
            b->p2m[pfn++] = mfn + i;
        }
    }
    return 0;
}

/*
 * The store and console rings of an unprivileged domain: pages in its own
 * memory, each with an unbound event channel the control domain's daemons bind,
 * and grant references 0 (console) and 1 (store) pre-seeded for dom0, as the
 * toolstack's builder does on Xen.
 */
static int setup_rings(struct builder *b, struct lam_start_info *si, uint64_t v_store,
                       uint64_t v_console, uint64_t vbase)
{
    struct domain *d = b->d;
    uint64_t store_pfn = (v_store - vbase) >> PAGE_SHIFT;
    uint64_t console_pfn = (v_console - vbase) >> PAGE_SHIFT;

    if (evtchn_alloc_unbound_for(d, 0, &si->store_evtchn) ||
        evtchn_alloc_unbound_for(d, 0, &si->console.domU.evtchn))
        return -1;
    si->store_mfn = b->p2m[store_pfn];
    si->console.domU.mfn = b->p2m[console_pfn];
    gnttab_seed_entry(d, 0, 0, b->p2m[console_pfn], false);
    gnttab_seed_entry(d, 1, 0, b->p2m[store_pfn], false);
    return 0;
}

static int check_kernel(const struct elf_pv_info *e, bool privileged)
{
    if (e->virt_base > e->virt_kstart) {
        log_printf(LOG_ERR, "builder: kernel starts at %#lx, below its VIRT_BASE %#lx",
                   (unsigned long)e->virt_kstart, (unsigned long)e->virt_base);
        return -EINVAL;
    }
    if (privileged && !elf_pv_may_be_dom0(e)) {
        log_printf(LOG_ERR, "builder: kernel's SUPPORTED_FEATURES lacks XENFEAT_dom0; "
                            "it cannot be the hardware domain");
        return -EINVAL;
    }
    return 0;
}

struct domain *dom_build(domid_t id, const struct dom_build_args *a)
{
    struct builder bld = {0}, *b = &bld;
    int rc = elf_pv_parse(a->kernel, a->kernel_len, &b->elf);
    if (rc) {
        log_printf(LOG_ERR, "builder: d%u: the kernel is not a valid PV ELF image (error %d)", id,
                   rc);
        return NULL;
    }
    const struct elf_pv_info *e = &b->elf;
    if (check_kernel(e, a->privileged))
        return NULL;

    unsigned int nvcpus = a->max_vcpus ? a->max_vcpus : 1;
    b->d = domain_create(id, a->privileged, nvcpus);
    bool vcpus_ok = b->d != NULL;
    for (unsigned int i = 0; vcpus_ok && i < nvcpus; i++)
        vcpus_ok = vcpu_create(b->d, i) != NULL;
    if (!vcpus_ok) {
        log_printf(LOG_ERR, "builder: d%u: cannot create the domain", id);
        return NULL;
    }
    b->nr_pages = a->nr_pages;

    /* ---- layout, in virtual addresses of the initial region ---- */
    uint64_t vbase = e->virt_base;
    uint64_t next = round_up(e->virt_kend, PAGE_SIZE);
    uint64_t v_initrd = 0, v_p2m = 0;
    uint64_t p2m_bytes = round_up(b->nr_pages * sizeof(uint64_t), PAGE_SIZE);
    if (a->initrd && !e->mod_start_pfn) {
        v_initrd = next;
        next += round_up(a->initrd_len, PAGE_SIZE);
    }
    if (!e->has_init_p2m) {
        v_p2m = next;
        next += p2m_bytes;
    }
    uint64_t v_si = next;
    next += PAGE_SIZE;
    /* An unprivileged domain also gets its store and console ring pages here. */
    uint64_t v_store = 0, v_console = 0;
    if (!a->privileged) {
        v_store = next;
        next += PAGE_SIZE;
        v_console = next;
        next += PAGE_SIZE;
    }
    uint64_t v_pt = next, nr_pt = 1, v_end;
    for (;;) {
        uint64_t v_stack = v_pt + nr_pt * PAGE_SIZE;
        v_end = round_up(v_stack + PAGE_SIZE + 512 * 1024, 4ull << 20);
        uint64_t need = 1 + tables_for(vbase, v_end);
        if (need <= nr_pt)
            break;
        nr_pt = need;
    }
    uint64_t v_stack = v_pt + nr_pt * PAGE_SIZE;
    uint64_t nr_mapped = (v_end - vbase) >> PAGE_SHIFT;
    uint64_t pfn_after = nr_mapped;
    uint64_t initrd_pfn = 0, first_p2m_pfn = 0, nr_p2m_frames = 0;
    if (a->initrd && e->mod_start_pfn) {
        initrd_pfn = pfn_after;
        pfn_after += round_up(a->initrd_len, PAGE_SIZE) >> PAGE_SHIFT;
    }
    if (e->has_init_p2m) {
        first_p2m_pfn = pfn_after;
        nr_p2m_frames =
            (p2m_bytes >> PAGE_SHIFT) + tables_for(e->init_p2m, e->init_p2m + p2m_bytes);
        pfn_after += nr_p2m_frames;
    }
    if (v_end - vbase > (1ull << 30) || pfn_after > b->nr_pages) {
        log_printf(LOG_ERR,
                   "builder: d%u: %lu MiB of memory is too small for this kernel "
                   "(needs %lu pages before it can run)",
                   id, (unsigned long)(b->nr_pages >> 8), (unsigned long)pfn_after);
        goto fail;
    }

    if (allocate_memory(b)) {
        log_printf(LOG_ERR, "builder: d%u: out of memory allocating %lu pages", id,
                   (unsigned long)b->nr_pages);
        goto fail;
    }
    /* Zero the region (the kernel expects clean bss, stack, padding). */
    for (uint64_t pfn = 0; pfn < nr_mapped; pfn++)
        memset(pfn_va(b, pfn), 0, PAGE_SIZE);

    if (elf_pv_load(a->kernel, a->kernel_len, e, b, load_segment)) {
        log_printf(LOG_ERR, "builder: d%u: loading the kernel segments failed", id);
        goto fail;
    }

    /* ---- page tables ---- */
    b->pt_lo = (v_pt - vbase) >> PAGE_SHIFT;
    b->pt_hi = b->pt_lo + nr_pt;
    b->pt_next = b->pt_lo + 1;
    b->pt_limit = b->pt_hi;
    b->l4 = pfn_va(b, b->pt_lo);
    memset(b->l4, 0, PAGE_SIZE);
    for (uint64_t pfn = 0; pfn < nr_mapped; pfn++) {
        bool is_pt = pfn >= b->pt_lo && pfn < b->pt_hi;
        if (map_page(b, vbase + (pfn << PAGE_SHIFT), pfn, !is_pt))
            goto fail_pt;
    }
    if (e->has_init_p2m) {
        uint64_t p2m_pages = p2m_bytes >> PAGE_SHIFT;
        b->pt_next = first_p2m_pfn + p2m_pages;
        b->pt_limit = first_p2m_pfn + nr_p2m_frames;
        for (uint64_t i = 0; i < p2m_pages; i++)
            if (map_page(b, e->init_p2m + (i << PAGE_SHIFT), first_p2m_pfn + i, true))
                goto fail_pt;
        v_p2m = e->init_p2m;
    }

    /* ---- contents ---- */
    uint64_t p2m_pfn = e->has_init_p2m ? first_p2m_pfn : (v_p2m - vbase) >> PAGE_SHIFT;
    copy_to_pfns(b, p2m_pfn, b->p2m, b->nr_pages * sizeof(uint64_t));
    if (a->initrd)
        copy_to_pfns(b, v_initrd ? (v_initrd - vbase) >> PAGE_SHIFT : initrd_pfn, a->initrd,
                     a->initrd_len);

    struct lam_start_info *si = pfn_va(b, (v_si - vbase) >> PAGE_SHIFT);
    memset(si, 0, PAGE_SIZE);
    memcpy(si->magic, LAM_START_INFO_MAGIC, sizeof(LAM_START_INFO_MAGIC));
    si->nr_pages = b->nr_pages;
    si->shared_info = b->d->shared_info_mfn << PAGE_SHIFT;
    si->flags = a->privileged ? (LAM_SIF_PRIVILEGED | LAM_SIF_INITDOMAIN) : 0;
    si->pt_base = v_pt;
    si->nr_pt_frames = nr_pt;
    si->mfn_list = v_p2m;
    if (a->initrd) {
        si->mod_start = v_initrd ? v_initrd : initrd_pfn;
        si->mod_len = a->initrd_len;
        if (!v_initrd)
            si->flags |= LAM_SIF_MOD_START_PFN;
    }
    if (!a->privileged && setup_rings(b, si, v_store, v_console, vbase))
        goto fail;
    si->first_p2m_pfn = first_p2m_pfn;
    si->nr_p2m_frames = nr_p2m_frames;
    size_t cl = MIN(strlen(a->cmdline), sizeof(si->cmd_line) - 1);
    memcpy(si->cmd_line, a->cmdline, cl);

    if (e->has_hypercall_page) {
        uint64_t hp = e->hypercall_page;
        if (hp < vbase || hp >= v_end || (hp & (PAGE_SIZE - 1))) {
            log_printf(LOG_ERR, "builder: d%u: hypercall page %#lx is outside the initial mapping",
                       id, (unsigned long)hp);
            goto fail;
        }
        fill_hypercall_page(pfn_va(b, (hp - vbase) >> PAGE_SHIFT));
    }

    for (uint64_t pfn = 0; pfn < b->nr_pages; pfn++)
        m2p_set(b->p2m[pfn], pfn);

    /* Validate the whole bootstrap tree through the L4, exactly as a guest's own
     * pin would: one type reference for the pin, one for CR3. */
    mfn_t l4_mfn = b->p2m[b->pt_lo];
    mm_lock_global();
    rc = get_page_and_type(l4_mfn, b->d, PGT_l4_page_table);
    if (!rc) {
        mfn_to_page(l4_mfn)->type_info |= PGT_pinned;
        rc = get_page_and_type(l4_mfn, b->d, PGT_l4_page_table);
    }
    mm_unlock_global();
    if (rc) {
        log_printf(LOG_ERR, "builder: d%u: the bootstrap page tables do not validate (%d)", id, rc);
        goto fail;
    }

    /* ---- vCPU 0 ---- */
    struct vcpu *v = b->d->vcpus[0];
    v->guest_table = l4_mfn << PAGE_SHIFT;
    v->kernel_mode = true;
    v->online = true;
    v->regs.rip = e->entry;
    v->regs.rsp = v_stack + PAGE_SIZE;
    v->regs.rsi = v_si;
    v->regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.cs = GUEST_CS64;
    v->regs.ss = GUEST_DS;
    v->kernel_ss = GUEST_DS;
    v->kernel_sp = v->regs.rsp;

    printk("d%u: %lu pages (%lu MiB), kernel %#lx-%#lx entry %#lx, region %#lx-%#lx, "
           "%lu page-table frames, start_info %#lx%s",
           id, (unsigned long)b->nr_pages, (unsigned long)(b->nr_pages >> 8),
           (unsigned long)e->virt_kstart, (unsigned long)e->virt_kend, (unsigned long)e->entry,
           (unsigned long)vbase, (unsigned long)v_end, (unsigned long)nr_pt, (unsigned long)v_si,
           e->has_hypercall_page ? ", hypercall page" : "");
    xfree(b->p2m);
    return b->d;

fail_pt:
    log_printf(LOG_ERR, "builder: d%u: ran out of bootstrap page-table frames", id);
fail:
    /* The frames stay with the dead domain; the machine halts when the first domain fails. */
    xfree(b->p2m);
    b->d->state = DOMAIN_DYING;
    return NULL;
}
