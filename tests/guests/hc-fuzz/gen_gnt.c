/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: grant tables. Our own grant entries (we grant to ourselves and to
 * others, any frame, any flags), and grant_table_op with every sub-op.
 */
#include <lamina/grant_table.h>
#include <lamina/mmu.h>

#include "env.h"

#define MAX_GNT_BATCH 24

static uint32_t gref(struct hcf_worker *w)
{
    static const uint32_t edges[] = {0, 1, 7, 8, 511, 512, 1023, 2047, 2048, 32767, 0xffffffff};
    if (hcf_chance(w, 75))
        return (uint32_t)hcf_below(w, 24);
    return HCF_PICK(w, edges);
}

/* The action: write one of our grant entries (not a hypercall). */
static void write_entry(struct hcf_worker *w, struct hcf_call *c)
{
    (void)w;
    volatile struct lam_grant_entry_v1 *e = &hcf_env.gnt[c->a[0] % 512];
    e->domid = (uint16_t)c->a[1];
    e->frame = (uint32_t)c->a[2];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    e->flags = (uint16_t)c->a[3];
}

void hcf_gen_grant_entry(struct hcf_worker *w, struct hcf_call *c)
{
    int cls;
    uint32_t ref = (uint32_t)hcf_below(w, 24);
    uint64_t frame = hcf_frame(w, FRM_COPY_SRC, &cls);
    uint16_t flags = (uint16_t)(hcf_chance(w, 70) ? LAM_GTF_permit_access : hcf_u64(w));
    if (hcf_chance(w, 30))
        flags |= LAM_GTF_readonly;
    if (hcf_chance(w, 10))
        flags |= (uint16_t)(hcf_u64(w) & (LAM_GTF_reading | LAM_GTF_writing | LAM_GTF_sub_page));
    /* The guest's live frames are granted read-only only (they would be written). */
    if (cls == FR_PROT || cls == FR_SHINFO)
        flags |= LAM_GTF_readonly;
    c->action = write_entry;
    c->a[0] = ref;
    c->a[1] = hcf_domid(w);
    c->a[2] = frame;
    c->a[3] = flags;
    hcf_note(w, " ref %u frame %lx flags %x", ref, (unsigned long)frame, flags);
}

static void map_op(struct hcf_worker *w, struct lam_gnttab_map_grant_ref *m)
{
    static const uint32_t flagsets[] = {LAM_GNTMAP_host_map,
                                        LAM_GNTMAP_host_map | LAM_GNTMAP_readonly,
                                        LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte,
                                        LAM_GNTMAP_host_map | LAM_GNTMAP_contains_pte |
                                            LAM_GNTMAP_readonly,
                                        LAM_GNTMAP_device_map,
                                        LAM_GNTMAP_device_map | LAM_GNTMAP_host_map,
                                        LAM_GNTMAP_host_map | LAM_GNTMAP_application_map,
                                        0,
                                        0xffffffff};
    m->flags = HCF_PICK(w, flagsets);
    if (m->flags & LAM_GNTMAP_contains_pte)
        m->host_addr = hcf_entry_ma(w);
    else
        m->host_addr = hcf_va(w);
    m->ref = gref(w);
    m->dom = hcf_domid(w);
}

static void unmap_op(struct hcf_worker *w, struct lam_gnttab_unmap_grant_ref *u)
{
    u->host_addr = hcf_chance(w, 30) ? hcf_entry_ma(w) : hcf_va(w);
    u->dev_bus_addr = hcf_chance(w, 70) ? 0 : hcf_frame(w, FRM_ALL, NULL) << LAM_PAGE_SHIFT;
    u->handle = hcf_chance(w, 80) ? (uint32_t)hcf_below(w, 32) : (uint32_t)hcf_int(w);
}

static void copy_ptr(struct hcf_worker *w, struct lam_gnttab_copy_ptr *p, int is_ref, int dest)
{
    static const uint16_t offs[] = {0, 0, 1, 8, 2048, 4095, 4096, 0xffff};
    /* A destination frame is written: never one the guest runs on. */
    uint64_t mfn = hcf_frame(w, dest ? FRM_WRITABLE_OK : FRM_COPY_SRC, NULL);
    if (is_ref)
        p->u.ref = gref(w);
    else
        p->u.gmfn = mfn;
    p->domid = hcf_domid(w);
    p->offset = HCF_PICK(w, offs);
}

static void copy_op(struct hcf_worker *w, struct lam_gnttab_copy *cp)
{
    static const uint16_t lens[] = {0, 1, 8, 64, 4095, 4096, 4097, 0xffff};
    cp->flags = (uint16_t)(hcf_chance(w, 85) ? hcf_below(w, 4) : hcf_u64(w));
    copy_ptr(w, &cp->source, cp->flags & LAM_GNTCOPY_source_gref, 0);
    copy_ptr(w, &cp->dest, cp->flags & LAM_GNTCOPY_dest_gref, 1);
    cp->len = HCF_PICK(w, lens);
}

/* The size of one op of cmd (the hypervisor steps through the batch by it). */
static size_t op_size(uint32_t cmd)
{
    switch (cmd) {
    case LAM_GNTTABOP_map_grant_ref:
        return sizeof(struct lam_gnttab_map_grant_ref);
    case LAM_GNTTABOP_unmap_grant_ref:
    case LAM_GNTTABOP_unmap_and_replace:
    case LAM_GNTTABOP_setup_table:
        return 24;
    case LAM_GNTTABOP_copy:
        return sizeof(struct lam_gnttab_copy);
    case LAM_GNTTABOP_query_size:
    case LAM_GNTTABOP_get_status_frames:
    case LAM_GNTTABOP_cache_flush:
        return 16;
    case LAM_GNTTABOP_transfer:
        return 24;
    case LAM_GNTTABOP_swap_grant_ref:
        return 12;
    case LAM_GNTTABOP_set_version:
    case LAM_GNTTABOP_dump_table:
        return 4;
    case LAM_GNTTABOP_get_version:
        return 8;
    default:
        return 24;
    }
}

void hcf_gen_grant_table_op(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint32_t cmds[] = {LAM_GNTTABOP_map_grant_ref,
                                    LAM_GNTTABOP_map_grant_ref,
                                    LAM_GNTTABOP_unmap_grant_ref,
                                    LAM_GNTTABOP_unmap_grant_ref,
                                    LAM_GNTTABOP_setup_table,
                                    LAM_GNTTABOP_dump_table,
                                    LAM_GNTTABOP_transfer,
                                    LAM_GNTTABOP_copy,
                                    LAM_GNTTABOP_copy,
                                    LAM_GNTTABOP_query_size,
                                    LAM_GNTTABOP_unmap_and_replace,
                                    LAM_GNTTABOP_set_version,
                                    LAM_GNTTABOP_get_status_frames,
                                    LAM_GNTTABOP_get_version,
                                    LAM_GNTTABOP_swap_grant_ref,
                                    LAM_GNTTABOP_cache_flush,
                                    13,
                                    0x7fffffff};
    uint32_t cmd = HCF_PICK(w, cmds);
    unsigned int n = 1 + (unsigned int)hcf_below(w, hcf_chance(w, 80) ? 2 : MAX_GNT_BATCH);
    size_t each = op_size(cmd);
    uint8_t *ops = hcf_alloc(w, n * each, 8);
    hcf_note(w, " cmd %u", cmd);
    for (unsigned int i = 0; i < n; i++) {
        uint8_t *op = ops + i * each;
        switch (cmd) {
        case LAM_GNTTABOP_map_grant_ref:
            map_op(w, (struct lam_gnttab_map_grant_ref *)op);
            break;
        case LAM_GNTTABOP_unmap_grant_ref:
        case LAM_GNTTABOP_unmap_and_replace:
            unmap_op(w, (struct lam_gnttab_unmap_grant_ref *)op);
            break;
        case LAM_GNTTABOP_setup_table: {
            static const uint32_t nrs[] = {0, 1, 2, 4, 5, 32, 64, 65, 1024, 0xffffffff};
            struct lam_gnttab_setup_table *st = (struct lam_gnttab_setup_table *)op;
            uint64_t *list = hcf_alloc(w, 8 * 16, 8);
            st->dom = hcf_domid(w);
            st->nr_frames = HCF_PICK(w, nrs);
            st->frame_list = hcf_ptr(w, list, 8 * 16, 1);
            break;
        }
        case LAM_GNTTABOP_copy:
            copy_op(w, (struct lam_gnttab_copy *)op);
            break;
        case LAM_GNTTABOP_query_size:
        case LAM_GNTTABOP_dump_table:
            *(uint16_t *)op = hcf_domid(w);
            break;
        case LAM_GNTTABOP_set_version:
            *(uint32_t *)op = (uint32_t)(hcf_chance(w, 80) ? hcf_below(w, 4) : hcf_int(w));
            break;
        case LAM_GNTTABOP_get_status_frames: { /* nr_frames, domid, status, frame_list */
            uint64_t *list = hcf_alloc(w, 64, 8);
            *(uint32_t *)op = (uint32_t)hcf_count(w, 8);
            *(uint16_t *)(op + 4) = hcf_domid(w);
            *(uint64_t *)(op + 8) = hcf_ptr(w, list, 64, 1);
            break;
        }
        case LAM_GNTTABOP_swap_grant_ref:
            *(uint32_t *)op = gref(w);
            *(uint32_t *)(op + 4) = gref(w);
            break;
        case LAM_GNTTABOP_transfer: /* mfn, domid, ref, status */
            *(uint64_t *)op = hcf_frame(w, FRM_ALL, NULL);
            *(uint16_t *)(op + 8) = hcf_domid(w);
            *(uint32_t *)(op + 12) = gref(w);
            break;
        default:
            for (unsigned int k = 0; k < each; k++)
                op[k] = (uint8_t)hcf_int(w);
            break;
        }
    }
    c->nr = LAM_HYPERCALL_GRANT_TABLE_OP;
    c->a[0] = cmd;
    c->a[1] = hcf_ptr(w, ops, n * each, HCF_OUT | HCF_EXACT);
    uint64_t count = hcf_chance(w, 90) ? n : hcf_count(w, n);
    if (hcf_avoid(HCF_AVOID_GNT_BATCH) && count > MAX_GNT_BATCH && c->a[1] == (uint64_t)ops)
        count = n; /* a huge batch of readable garbage: the preemption fix is open */
    c->a[2] = count;
}
