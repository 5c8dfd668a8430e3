/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzzer's environment (env.h): the playground, the arenas, the frame
 * pools. Built with ordinary, checked hypercalls before any fuzzing, so a
 * failure here is a setup error (lam_panic), never a finding.
 */
#include <lamina/callback.h>
#include <lamina/event_channel.h>
#include <lamina/memory.h>
#include <lamina/start_info.h>

#include "env.h"
#include "smp.h"

struct hcf_env hcf_env;

/* Empty L4 slots, and some of the hypervisor's (writes there must be refused). Not slot
 * 0: the unreadable pointers the grammar uses (0, 0x1000, 0xdead0000) must stay so. */
const unsigned int hcf_fuzz_slots[] = {1, 2, 255, 256, 257, 262, 271, 272, 300, 301, 302, 303, 510};
const unsigned int hcf_nfuzz_slots = sizeof(hcf_fuzz_slots) / sizeof(hcf_fuzz_slots[0]);

#define HCF_SPARE_STACKS 4
static uint8_t *spare_stack[HCF_SPARE_STACKS];

uint64_t hcf_spare_stack_top(uint32_t vcpu)
{
    return (uint64_t)spare_stack[vcpu % HCF_SPARE_STACKS] + LAM_PAGE_SIZE - 64;
}

int hcf_on_spare_stack(uint64_t rsp)
{
    for (unsigned int i = 0; i < HCF_SPARE_STACKS; i++)
        if (spare_stack[i] && rsp >= (uint64_t)spare_stack[i] &&
            rsp <= (uint64_t)spare_stack[i] + LAM_PAGE_SIZE)
            return 1;
    return 0;
}

uint64_t hcf_play_va(unsigned int i)
{
    return hcf_env.play.base + (uint64_t)(i & 511) * LAM_PAGE_SIZE;
}

static void need(long rc, const char *what)
{
    if (rc)
        lam_panic("hcf setup: %s: %ld", what, rc);
}

static void *page(void)
{
    void *p = mm_alloc_page();
    if (!p)
        lam_panic("hcf setup: out of region pages");
    return p;
}

static void add_frame(unsigned int c, uint64_t mfn)
{
    if (hcf_env.nframes[c] < HCF_MAX_FRAMES)
        hcf_env.frames[c][hcf_env.nframes[c]++] = mfn;
}

/* Map a region page at arena-tree L1 index i too (writable). */
static void arena_map(unsigned int i, void *p)
{
    need(mm_update(mm_tab_ma(hcf_env.arena_tree.l1, i), mm_va_to_ma(p) | MM_PTE_FLAGS),
         "map an arena page");
}

static void *arena_va(unsigned int i)
{
    return (void *)(hcf_env.arena_tree.base + (uint64_t)i * LAM_PAGE_SIZE);
}

static void setup_tables(void)
{
    struct hcf_env *e = &hcf_env;
    e->live_l4_mfn = mm_cur_l4_mfn;
    need(mm_tree_build(&e->play, HCF_PLAY_SLOT), "playground tree");
    need(mm_tree_build(&e->arena_tree, HCF_ARENA_SLOT), "arena tree");
    for (unsigned int i = 0; i < HCF_TABLES; i++) {
        e->table_va[i] = page();
        need(mm_page_set_ro(e->table_va[i]), "table candidate read-only");
    }
    /* A linear entry: the live L4 maps itself (read-only) at HCF_LIN_SLOT. */
    need(mm_update((e->live_l4_mfn << LAM_PAGE_SHIFT) + 8 * HCF_LIN_SLOT,
                   (e->live_l4_mfn << LAM_PAGE_SHIFT) | MM_PTE_RO),
         "linear L4 slot");
    /* A clone of the live L4 (kernel, playground and arena slots), pinned: NEW_BASEPTR
     * may switch between the two without losing anything the guest runs on. */
    uint64_t *clone = page();
    const uint64_t *live = (const uint64_t *)lam_start_info->pt_base;
    for (unsigned int i = 0; i < 512; i++)
        if (i == 511 || i == HCF_PLAY_SLOT || i == HCF_ARENA_SLOT)
            clone[i] = live[i];
    need(mm_page_set_ro(clone), "clone L4 read-only");
    e->clone_l4_mfn = mm_va_to_mfn(clone);
    need(mm_ext(LAM_MMUEXT_PIN_L4_TABLE, e->clone_l4_mfn), "pin the clone L4");
}

static void setup_arenas(void)
{
    for (unsigned int k = 0; k < hcf_env.workers; k++) {
        struct hcf_worker *w = &hcf_workers[k];
        for (unsigned int i = 0; i < HCF_ARENA_PAGES; i++) {
            void *p = page();
            arena_map(HCF_ARENA_L1(k) + i, p);
            add_frame(FR_PROT, mm_va_to_mfn(p));
        }
        for (unsigned int i = 0; i < 2; i++)
            arena_map(HCF_AREA_L1(k) + i, page());
        w->arena = arena_va(HCF_ARENA_L1(k));
        w->area = arena_va(HCF_AREA_L1(k));
    }
}

static void setup_grant_table(void)
{
    struct hcf_env *e = &hcf_env;
    uint64_t frames[HCF_GNT_FRAMES] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = HCF_GNT_FRAMES, .frame_list = (uint64_t)frames};
    need(hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), "grant setup_table");
    need(st.status, "grant setup_table status");
    for (unsigned int i = 0; i < HCF_GNT_FRAMES; i++) {
        e->gnt_mfn[i] = frames[i];
        add_frame(FR_GRANT, frames[i]);
    }
    need(mm_update(mm_tab_ma(e->arena_tree.l1, HCF_GNT_L1),
                   (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
         "map grant frame 0");
    e->gnt = arena_va(HCF_GNT_L1);
}

static void setup_pages(void)
{
    struct hcf_env *e = &hcf_env;
    for (unsigned int i = 0; i < HCF_SCRATCH; i++) {
        e->scratch_va[i] = page();
        add_frame(FR_SCRATCH, mm_va_to_mfn(e->scratch_va[i]));
    }
    uint8_t *poison = page();
    memset(poison, 0xff, LAM_PAGE_SIZE);
    need(mm_page_set_ro(poison), "poison page read-only");
    e->poison_va = (uint64_t)poison;
    add_frame(FR_PROT, mm_va_to_mfn(poison));
    for (unsigned int i = 0; i < HCF_SPARE_STACKS; i++) {
        spare_stack[i] = page();
        add_frame(FR_PROT, mm_va_to_mfn(spare_stack[i]));
    }
    for (unsigned int i = 0; i < HCF_SACRIFICIAL; i++) {
        void *p = page();
        e->sacrificial_va[i] = (uint64_t)p;
        e->sacrificial_l1e_ma[i] = mm_entry_ma((uint64_t)p, 1);
        add_frame(FR_SACR, mm_va_to_mfn(p));
    }
    for (unsigned int i = 0; i < HCF_MAX_FRAMES; i++) {
        uint64_t pfn = mm_alloc_unmapped_pfn();
        if (pfn)
            add_frame(FR_FREE, mm_pfn_to_mfn(pfn));
    }
}

/* Frames that exist but are not ours: neighbours of ours, low memory, the top. */
static void setup_foreign(void)
{
    struct hcf_env *e = &hcf_env;
    const uint64_t probes[] = {e->live_l4_mfn, mm_va_to_mfn(lam_start_info), e->frames[FR_FREE][0],
                               e->gnt_mfn[0]};
    for (unsigned int p = 0; p < sizeof(probes) / sizeof(probes[0]); p++)
        for (uint64_t d = 1; d < 4096 && e->nframes[FR_FOREIGN] < 24; d += d) {
            if (probes[p] > d && !mm_mfn_is_ours(probes[p] - d))
                add_frame(FR_FOREIGN, probes[p] - d);
            if (probes[p] + d < e->max_mfn && !mm_mfn_is_ours(probes[p] + d))
                add_frame(FR_FOREIGN, probes[p] + d);
        }
    add_frame(FR_LOW, 0);
    add_frame(FR_LOW, 1);
    add_frame(FR_LOW, 0x9f);
    add_frame(FR_LOW, 0x100); /* where hypervisors load themselves */
    add_frame(FR_LOW, 0x200);
    if (e->max_mfn > 1)
        add_frame(FR_FOREIGN, e->max_mfn - 1);
    static const uint64_t none[] = {0, 1, 1000, 1ULL << 32, (1ULL << 40) - 1};
    for (unsigned int i = 0; i < sizeof(none) / sizeof(none[0]); i++)
        add_frame(FR_NONE, i < 3 ? e->max_mfn + none[i] : none[i]);
    static const uint64_t mmio[] = {0xfee00, 0xfec00, 0xfed00, 0xb8, 0xa0, 0xfd000, 0xfebf0};
    for (unsigned int i = 0; i < sizeof(mmio) / sizeof(mmio[0]); i++)
        add_frame(FR_MMIO, mmio[i]);
}

static void setup_own_frames(void)
{
    extern char _image_start[], _image_end[];
    const struct lam_start_info *si = lam_start_info;
    struct hcf_env *e = &hcf_env;
    for (unsigned long i = 1; i < si->nr_pt_frames; i++) /* frame 0 is the L4 */
        add_frame(FR_LIVEPT, mm_va_to_mfn((void *)(si->pt_base + i * LAM_PAGE_SIZE)));
    add_frame(FR_L4, e->live_l4_mfn);
    add_frame(FR_L4, e->clone_l4_mfn);
    add_frame(FR_LIVEPT, mm_va_to_mfn(e->arena_tree.l3));
    add_frame(FR_LIVEPT, mm_va_to_mfn(e->arena_tree.l2));
    add_frame(FR_LIVEPT, mm_va_to_mfn(e->arena_tree.l1));
    add_frame(FR_TABLE, mm_va_to_mfn(e->play.l3));
    add_frame(FR_TABLE, mm_va_to_mfn(e->play.l2));
    add_frame(FR_TABLE, mm_va_to_mfn(e->play.l1));
    for (unsigned int i = 0; i < HCF_TABLES; i++)
        add_frame(FR_TABLE, mm_va_to_mfn(e->table_va[i]));
    uint64_t pages = ((uint64_t)_image_end - (uint64_t)_image_start) >> LAM_PAGE_SHIFT;
    for (uint64_t i = 0; i < pages; i += 1 + pages / 12)
        add_frame(FR_PROT, mm_va_to_mfn(_image_start + i * LAM_PAGE_SIZE));
    add_frame(FR_PROT, mm_va_to_mfn(si));
    add_frame(FR_PROT, mm_va_to_mfn((void *)si->mfn_list));
    add_frame(FR_SHINFO, si->shared_info >> LAM_PAGE_SHIFT);
    if (!(si->flags & LAM_SIF_INITDOMAIN)) {
        add_frame(FR_RING, si->store_mfn);
        add_frame(FR_RING, si->console.domU.mfn);
    }
    /* The M2P's own frames (Xen answers machphys_mfn_list; an error leaves none). */
    struct {
        uint32_t max_extents, pad;
        uint64_t extent_start;
        uint32_t nr_extents, pad2;
    } list = {.max_extents = 8, .extent_start = (uint64_t)e->frames[FR_M2P]};
    long rc = hypercall_memory_op(LAM_XENMEM_machphys_mfn_list, &list);
    if (rc == 0 && list.nr_extents <= 8)
        e->nframes[FR_M2P] = list.nr_extents;
    lam_printf("hcf: machphys_mfn_list: rc %ld, %u frame(s)\n", rc, e->nframes[FR_M2P]);
}

void hcf_env_init(void)
{
    struct hcf_env *e = &hcf_env;
    const struct lam_start_info *si = lam_start_info;
    mm_init();
    e->privileged = (si->flags & LAM_SIF_PRIVILEGED) != 0;
    e->nr_vcpus = smp_nr_vcpus();
    long m = hypercall_memory_op(LAM_XENMEM_maximum_ram_page, NULL);
    e->max_mfn = m > 0 ? (uint64_t)m + 1 : 0x100000;
    e->ro_va = si->pt_base;
    setup_tables();
    setup_arenas();
    setup_grant_table();
    setup_pages();
    setup_own_frames();
    setup_foreign();
    for (unsigned int k = 0; k < e->workers; k++) {
        struct lam_evtchn_bind_ipi b = {.vcpu = k};
        need(hypercall_event_channel_op(LAM_EVTCHNOP_bind_ipi, &b), "bind the wake-up IPI");
        e->ipi_ports[k] = b.port;
        hcf_workers[k].ipi_port = b.port;
    }
    lam_printf("hcf: %s, %u vCPU(s), %u worker(s), max mfn %lx, L4 %lx clone %lx\n",
               e->privileged ? "privileged" : "unprivileged", e->nr_vcpus, e->workers,
               (unsigned long)e->max_mfn, (unsigned long)e->live_l4_mfn,
               (unsigned long)e->clone_l4_mfn);
    lam_printf("hcf: play L3 %lx L2 %lx L1 %lx, arena L3 %lx L2 %lx L1 %lx, grant frame 0 %lx\n",
               (unsigned long)mm_va_to_mfn(e->play.l3), (unsigned long)mm_va_to_mfn(e->play.l2),
               (unsigned long)mm_va_to_mfn(e->play.l1),
               (unsigned long)mm_va_to_mfn(e->arena_tree.l3),
               (unsigned long)mm_va_to_mfn(e->arena_tree.l2),
               (unsigned long)mm_va_to_mfn(e->arena_tree.l1), (unsigned long)e->gnt_mfn[0]);
    for (unsigned int c = 0; c < FR_NCLASSES; c++)
        lam_printf("hcf: frame class %u: %u frame(s), first %lx\n", c, e->nframes[c],
                   (unsigned long)(e->nframes[c] ? e->frames[c][0] : 0));
}

void hcf_env_register_callbacks(void)
{
    static const struct {
        uint16_t type;
        void (*entry)(void);
    } cbs[] = {{LAM_CALLBACKTYPE_event, lam_event_entry},
               {LAM_CALLBACKTYPE_failsafe, lam_failsafe_entry},
               {LAM_CALLBACKTYPE_syscall, lam_syscall_entry}};
    for (unsigned int i = 0; i < sizeof(cbs) / sizeof(cbs[0]); i++) {
        struct lam_callback_register r = {.type = cbs[i].type,
                                          .flags = LAM_CALLBACKF_mask_events,
                                          .address = (uint64_t)cbs[i].entry};
        need(hypercall_callback_op(LAM_CALLBACKOP_register, &r), "register a callback");
    }
}

void hcf_env_worker_init(struct hcf_worker *w)
{
    (void)w;
    hcf_env_register_callbacks();
}
