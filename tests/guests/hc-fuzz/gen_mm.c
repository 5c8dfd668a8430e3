/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: page tables and memory. mmu_update, mmuext_op, update_va_mapping
 * (and _otherdomain) and memory_op with every sub-operation.
 */
#include <lamina/memory.h>
#include <lamina/mmu.h>

#include "env.h"

#define MAX_BATCH 48

static unsigned int foreigndom(struct hcf_worker *w)
{
    unsigned int d = hcf_domid(w);
    if (hcf_chance(w, 10)) /* a page-table owner in the high half (owner id + 1) */
        d |= (unsigned int)(hcf_below(w, 4) + 1) << 16;
    return d;
}

static uint64_t done_ptr(struct hcf_worker *w)
{
    if (hcf_chance(w, 40))
        return 0;
    uint32_t *done = hcf_alloc(w, 8, 8);
    return hcf_ptr(w, done, sizeof(*done), 1);
}

void hcf_gen_mmu_update(struct hcf_worker *w, struct hcf_call *c)
{
    unsigned int n = 1 + (unsigned int)hcf_below(w, hcf_chance(w, 80) ? 4 : MAX_BATCH);
    struct lam_mmu_update *req = hcf_alloc(w, n * sizeof(*req), 8);
    for (unsigned int i = 0; i < n; i++) {
        uint64_t cmd = hcf_below(w, 10);
        uint64_t ptr = hcf_entry_ma(w);
        cmd = cmd < 7 ? LAM_MMU_NORMAL_PT_UPDATE : cmd - 6; /* 1..3 */
        req[i].ptr = ptr | cmd;
        if (cmd == LAM_MMU_MACHPHYS_UPDATE)
            req[i].val =
                hcf_chance(w, 50) ? hcf_below(w, lam_start_info->nr_pages + 16) : hcf_int(w);
        else
            req[i].val = hcf_chance(w, 10) ? 0 : hcf_pte(w, FRM_NOT_LIVE);
        hcf_note(w, " [%lx]=%lx", (unsigned long)req[i].ptr, (unsigned long)req[i].val);
    }
    c->nr = LAM_HYPERCALL_MMU_UPDATE;
    c->a[0] = hcf_ptr(w, req, n * sizeof(*req), HCF_EXACT);
    c->a[1] = hcf_chance(w, 90) ? n : hcf_count(w, n);
    c->a[2] = done_ptr(w);
    c->a[3] = foreigndom(w);
}

/* NEW_BASEPTR may only succeed onto an L4 that maps the kernel: ours or the clone. A
 * frame that could validate as an empty L4 (free frames, the playground's tables, grant
 * frames) would leave the guest without its code: that is the guest's choice to make,
 * not a host attack, so those are left out. */
static uint64_t baseptr_mfn(struct hcf_worker *w)
{
    uint64_t r = hcf_below(w, 10);
    uint64_t mfn = hcf_frame(w,
                             FRM(FR_SCRATCH) | FRM(FR_LIVEPT) | FRM(FR_PROT) | FRM(FR_SHINFO) |
                                 FRM(FR_M2P) | FRM(FR_LOW) | FRM(FR_NONE) | FRM(FR_MMIO),
                             NULL);
    if (r < 4)
        return hcf_env.live_l4_mfn;
    if (r < 7)
        return hcf_env.clone_l4_mfn;
    return mfn;
}

static void mmuext_one(struct hcf_worker *w, struct lam_mmuext_op *op)
{
    static const uint32_t cmds[] = {LAM_MMUEXT_PIN_L1_TABLE,
                                    LAM_MMUEXT_PIN_L2_TABLE,
                                    LAM_MMUEXT_PIN_L3_TABLE,
                                    LAM_MMUEXT_PIN_L4_TABLE,
                                    LAM_MMUEXT_UNPIN_TABLE,
                                    LAM_MMUEXT_UNPIN_TABLE,
                                    LAM_MMUEXT_NEW_BASEPTR,
                                    LAM_MMUEXT_TLB_FLUSH_LOCAL,
                                    LAM_MMUEXT_INVLPG_LOCAL,
                                    LAM_MMUEXT_TLB_FLUSH_MULTI,
                                    LAM_MMUEXT_INVLPG_MULTI,
                                    LAM_MMUEXT_TLB_FLUSH_ALL,
                                    LAM_MMUEXT_INVLPG_ALL,
                                    LAM_MMUEXT_FLUSH_CACHE,
                                    LAM_MMUEXT_SET_LDT,
                                    LAM_MMUEXT_NEW_USER_BASEPTR,
                                    LAM_MMUEXT_CLEAR_PAGE,
                                    LAM_MMUEXT_COPY_PAGE,
                                    LAM_MMUEXT_FLUSH_CACHE_GLOBAL,
                                    LAM_MMUEXT_MARK_SUPER,
                                    LAM_MMUEXT_UNMARK_SUPER,
                                    14,
                                    21,
                                    0xffffffff};
    uint32_t cmd = HCF_PICK(w, cmds);
    uint64_t any = hcf_frame(w, FRM_ALL, NULL);
    /* Pages the hypervisor writes (CLEAR_PAGE, COPY_PAGE's destination): not the
     * guest's own live frames. */
    uint64_t writable = hcf_frame(w, FRM_WRITABLE_OK, NULL);
    uint64_t source = hcf_frame(w, FRM_COPY_SRC, NULL);
    uint64_t va = hcf_va(w);
    op->cmd = cmd;
    hcf_note(w, " %u", cmd);
    switch (cmd) {
    case LAM_MMUEXT_PIN_L1_TABLE:
    case LAM_MMUEXT_PIN_L2_TABLE:
    case LAM_MMUEXT_PIN_L3_TABLE:
    case LAM_MMUEXT_PIN_L4_TABLE:
    case LAM_MMUEXT_UNPIN_TABLE:
    case LAM_MMUEXT_MARK_SUPER:
    case LAM_MMUEXT_UNMARK_SUPER:
        op->arg1.mfn = any;
        if (hcf_avoid(HCF_AVOID_SHARED_TYPES) && cmd != LAM_MMUEXT_UNPIN_TABLE) {
            for (unsigned int i = 0; i < hcf_env.nframes[FR_GRANT]; i++)
                if (any == hcf_env.frames[FR_GRANT][i])
                    op->arg1.mfn = hcf_env.max_mfn;
            for (unsigned int i = 0; i < hcf_env.nframes[FR_RING]; i++)
                if (any == hcf_env.frames[FR_RING][i])
                    op->arg1.mfn = hcf_env.max_mfn;
            if (any == hcf_env.frames[FR_SHINFO][0])
                op->arg1.mfn = hcf_env.max_mfn;
        }
        break;
    case LAM_MMUEXT_NEW_BASEPTR:
        op->arg1.mfn = baseptr_mfn(w);
        hcf_note(w, "(%lx)", (unsigned long)op->arg1.mfn);
        break;
    case LAM_MMUEXT_NEW_USER_BASEPTR:
        op->arg1.mfn = hcf_chance(w, 20) ? 0 : any;
        break;
    case LAM_MMUEXT_INVLPG_LOCAL:
    case LAM_MMUEXT_INVLPG_ALL:
        op->arg1.linear_addr = va;
        break;
    case LAM_MMUEXT_TLB_FLUSH_MULTI:
    case LAM_MMUEXT_INVLPG_MULTI: {
        uint64_t *mask = hcf_alloc(w, 8, 8);
        *mask = hcf_chance(w, 70) ? hcf_below(w, 1u << hcf_env.nr_vcpus) : hcf_u64(w);
        op->arg1.linear_addr = va;
        op->arg2.vcpumask = hcf_ptr(w, mask, 8, 0);
        break;
    }
    case LAM_MMUEXT_SET_LDT: {
        static const uint32_t ents[] = {0, 1, 2, 511, 512, 8191, 8192, 8193, 0xffffffff};
        op->arg1.linear_addr = hcf_chance(w, 20) ? va + hcf_below(w, 4096) : va;
        op->arg2.nr_ents = HCF_PICK(w, ents);
        break;
    }
    case LAM_MMUEXT_CLEAR_PAGE:
        op->arg1.mfn = writable;
        break;
    case LAM_MMUEXT_COPY_PAGE:
        op->arg1.mfn = writable;
        op->arg2.src_mfn = source;
        break;
    default:
        op->arg1.mfn = hcf_int(w);
        op->arg2.src_mfn = hcf_int(w);
        break;
    }
}

void hcf_gen_mmuext_op(struct hcf_worker *w, struct hcf_call *c)
{
    unsigned int n = 1 + (unsigned int)hcf_below(w, hcf_chance(w, 80) ? 3 : MAX_BATCH / 2);
    struct lam_mmuext_op *ops = hcf_alloc(w, n * sizeof(*ops), 8);
    for (unsigned int i = 0; i < n; i++)
        mmuext_one(w, &ops[i]);
    c->nr = LAM_HYPERCALL_MMUEXT_OP;
    c->a[0] = hcf_ptr(w, ops, n * sizeof(*ops), HCF_EXACT);
    c->a[1] = hcf_chance(w, 90) ? n : hcf_count(w, n);
    c->a[2] = done_ptr(w);
    c->a[3] = foreigndom(w);
}

static uint64_t uvm_flags(struct hcf_worker *w)
{
    uint64_t f = hcf_below(w, 3);
    switch (hcf_below(w, 5)) {
    case 0:
        return f | LAM_UVMF_LOCAL;
    case 1:
        return f | LAM_UVMF_ALL;
    case 2: { /* a pointer to a vCPU bitmap */
        uint64_t *mask = hcf_alloc(w, 8, 8);
        *mask = hcf_chance(w, 70) ? hcf_below(w, 1u << hcf_env.nr_vcpus) : hcf_u64(w);
        return hcf_ptr(w, mask, 8, 0) | f;
    }
    case 3:
        return hcf_int(w);
    default:
        return f;
    }
}

void hcf_gen_update_va_mapping(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_UPDATE_VA_MAPPING;
    c->a[0] = hcf_va(w);
    c->a[1] = hcf_chance(w, 10) ? 0 : hcf_pte(w, FRM_ALL);
    c->a[2] = uvm_flags(w);
}

void hcf_gen_uvm_otherdomain(struct hcf_worker *w, struct hcf_call *c)
{
    hcf_gen_update_va_mapping(w, c);
    c->nr = LAM_HYPERCALL_UPDATE_VA_MAPPING_OTHERDOMAIN;
    c->a[3] = hcf_domid(w);
}

/* --- memory_op ------------------------------------------------------------------ */

static void reservation(struct hcf_worker *w, struct lam_memory_reservation *r, int give_back)
{
    unsigned int n = 1 + (unsigned int)hcf_below(w, 8);
    uint64_t *list = hcf_alloc(w, 8 * n, 8);
    for (unsigned int i = 0; i < n; i++) {
        if (give_back) {
            /* Frames to give back: the guest's own live ones are refused or
             * outlive their mappings; grant frames are a known bug while open. */
            int cls;
            list[i] = hcf_frame(w, FRM_ALL, &cls);
            if (hcf_avoid(HCF_AVOID_GNT_DECREASE) &&
                (cls == FR_GRANT || cls == FR_SHINFO || cls == FR_RING || cls == FR_M2P))
                list[i] = hcf_env.max_mfn;
        } else {
            list[i] =
                hcf_chance(w, 80) ? lam_start_info->nr_pages + hcf_below(w, 4096) : hcf_int(w);
        }
    }
    static const uint32_t orders[] = {0, 0, 0, 1, 2, 9, 10, 18, 20, 63, 64, 0xffffffff};
    r->extent_start = hcf_ptr(w, list, 8 * n, 1);
    r->nr_extents = hcf_chance(w, 85) ? n : hcf_count(w, n);
    r->extent_order = HCF_PICK(w, orders);
    r->mem_flags = hcf_chance(w, 70) ? 0 : (uint32_t)hcf_int(w);
    r->domid = hcf_domid(w);
}

void hcf_gen_memory_op(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint32_t cmds[] = {LAM_XENMEM_increase_reservation,
                                    LAM_XENMEM_decrease_reservation,
                                    LAM_XENMEM_maximum_ram_page,
                                    LAM_XENMEM_current_reservation,
                                    LAM_XENMEM_maximum_reservation,
                                    LAM_XENMEM_machphys_mfn_list,
                                    LAM_XENMEM_populate_physmap,
                                    LAM_XENMEM_add_to_physmap,
                                    LAM_XENMEM_memory_map,
                                    LAM_XENMEM_machine_memory_map,
                                    LAM_XENMEM_exchange,
                                    LAM_XENMEM_machphys_mapping,
                                    LAM_XENMEM_set_memory_map,
                                    LAM_XENMEM_maximum_gpfn,
                                    LAM_XENMEM_remove_from_physmap,
                                    LAM_XENMEM_add_to_physmap_batch,
                                    LAM_XENMEM_claim_pages,
                                    LAM_XENMEM_get_vnumainfo,
                                    LAM_XENMEM_acquire_resource,
                                    8,
                                    16,
                                    29,
                                    63};
    uint32_t cmd = HCF_PICK(w, cmds);
    uint8_t *buf = hcf_alloc(w, 256, 8);
    size_t size = 64;
    int out = 1;
    hcf_note(w, " cmd %u", cmd);
    switch (cmd) {
    case LAM_XENMEM_increase_reservation:
    case LAM_XENMEM_decrease_reservation:
    case LAM_XENMEM_populate_physmap:
        reservation(w, (struct lam_memory_reservation *)buf,
                    cmd == LAM_XENMEM_decrease_reservation);
        size = sizeof(struct lam_memory_reservation);
        break;
    case LAM_XENMEM_exchange: {
        struct lam_memory_exchange *x = (struct lam_memory_exchange *)buf;
        reservation(w, &x->in, 1);
        reservation(w, &x->out, 0);
        x->nr_exchanged = hcf_chance(w, 80) ? 0 : hcf_int(w);
        size = sizeof(*x);
        break;
    }
    case LAM_XENMEM_current_reservation:
    case LAM_XENMEM_maximum_reservation:
    case LAM_XENMEM_maximum_gpfn:
        *(uint16_t *)buf = hcf_domid(w);
        size = 2;
        out = 0;
        break;
    case LAM_XENMEM_memory_map:
    case LAM_XENMEM_machine_memory_map:
    case LAM_XENMEM_set_memory_map: {
        struct lam_memory_map *m = (struct lam_memory_map *)buf;
        static const uint32_t ents[] = {0, 1, 2, 3, 8, 9, 32, 128, 0x7fffffff, 0xffffffff};
        uint32_t nr = HCF_PICK(w, ents);
        void *entries = hcf_alloc(w, 32 * sizeof(struct lam_e820_entry), 8);
        if (cmd == LAM_XENMEM_set_memory_map) /* struct foreign_memory_map: domid first */
            *(uint16_t *)buf = hcf_domid(w);
        m->nr_entries = nr;
        m->buffer = hcf_ptr(w, entries, 32 * sizeof(struct lam_e820_entry), 1);
        if (cmd == LAM_XENMEM_set_memory_map) {
            m = (struct lam_memory_map *)(buf + 8);
            m->nr_entries = nr;
            m->buffer = hcf_ptr(w, entries, 32 * sizeof(struct lam_e820_entry), 0);
        }
        size = 24;
        break;
    }
    case LAM_XENMEM_machphys_mfn_list: {
        uint64_t *list = hcf_alloc(w, 64, 8);
        *(uint32_t *)buf = (uint32_t)hcf_count(w, 8);
        *(uint64_t *)(buf + 8) = hcf_ptr(w, list, 64, 1);
        size = 24;
        break;
    }
    case LAM_XENMEM_acquire_resource: {
        /* domid, type, id, pad, nr_frames, flags, frame, frame_list */
        uint64_t *list = hcf_alloc(w, 64, 8);
        *(uint16_t *)buf = hcf_domid(w);
        *(uint16_t *)(buf + 2) = (uint16_t)hcf_below(w, 4);
        *(uint32_t *)(buf + 4) = (uint32_t)hcf_int(w);
        *(uint32_t *)(buf + 8) = (uint32_t)hcf_count(w, 8);
        *(uint32_t *)(buf + 12) = (uint32_t)hcf_int(w);
        *(uint64_t *)(buf + 16) = hcf_int(w);
        *(uint64_t *)(buf + 24) = hcf_ptr(w, list, 64, 1);
        size = 32;
        break;
    }
    default: /* add_to_physmap(_batch), claim_pages, vnuma, unknown: garbage structures */
        for (unsigned int i = 0; i < 8; i++)
            ((uint64_t *)buf)[i] = hcf_int(w);
        ((uint16_t *)buf)[0] = hcf_domid(w);
        break;
    }
    c->nr = LAM_HYPERCALL_MEMORY_OP;
    /* Bits 6+ of cmd are a continuation's start extent: a guest may set them too. */
    c->a[0] = cmd | (hcf_chance(w, 10) ? (hcf_int(w) << 6) : 0);
    c->a[1] = hcf_ptr(w, buf, size, out);
}
