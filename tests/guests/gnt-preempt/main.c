/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long grant table batches are preemptible: an 8192-entry copy batch, and
 * 8192-entry map and unmap batches (every entry refused: a bad reference, a bad handle), run
 * under VIRQ_TIMER events every 50 us whose handler samples the op array. An event that
 * finds the batch part-way (its first entry's status written, its last not yet) proves that
 * the hypervisor stopped the batch, delivered the event and went on: the guest sees one call
 * returning 0 with every status written in place, as on Xen. The first event is pending
 * before each batch starts, so both hypervisors must stop after the first entry (Lamina's log
 * must also show grant_table_op continuations). The
 * same batch inside a multicall is followed by an entry that runs after it. Entry checks as Xen's
 * do_grant_table_op: a count negative as an int and bits above the command are -EINVAL, an array
 * that leaves guest memory -EFAULT.
 */
#include <lamina/callback.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/mmu.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "preemptible grant table batches";

#define TREE_SLOT 303
/* The domain grants to itself: dom0, or as gnt-preempt-domu's boot-time domU d1. */
#define SELF      self_id
#define SRC_REF   10
#define NCOPY     8192
#define NMAP      8192
#define PATTERN   0x70726565506e7400ULL
#define UNTOUCHED 99

static uint16_t self_id;
static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab;
static uint64_t *src, *dst[NCOPY / 512];
static struct lam_gnttab_copy copies[NCOPY];
static struct lam_gnttab_map_grant_ref maps[NMAP];
static struct lam_gnttab_unmap_grant_ref unmaps[NMAP];

/* ---- timer events during a batch: the handler looks at the first and last status ---- */

void gp_event_entry(void);
void gp_event(void);
__asm__(".pushsection .text\n"
        ".globl gp_event_entry\n"
        "gp_event_entry:\n"
        "    pop %rcx\n" /* the bounce frame: RCX, R11, then RIP, CS, RFLAGS, RSP, SS */
        "    pop %r11\n"
        "    push %rax\n    push %rcx\n    push %rdx\n    push %rsi\n    push %rdi\n"
        "    push %r8\n    push %r9\n    push %r10\n    push %r11\n    push %rbx\n"
        "    mov %rsp, %rbx\n"
        "    and $-16, %rsp\n"
        "    call gp_event\n"
        "    mov %rbx, %rsp\n"
        "    pop %rbx\n    pop %r11\n    pop %r10\n    pop %r9\n    pop %r8\n"
        "    pop %rdi\n    pop %rsi\n    pop %rdx\n    pop %rcx\n    pop %rax\n"
        "    jmp lam_iret\n"
        ".popsection\n");

static uint32_t timer_port;
static volatile int16_t *watch_first, *watch_last; /* statuses of the batch running now */
static volatile unsigned events, partway;
static uint64_t batch_ns; /* how long the last batch took */

void gp_event(void)
{
    struct lam_vcpu_info *vi = &lam_shared_info->vcpu_info[0];
    vi->evtchn_upcall_pending = 0;
    __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    lam_evtchn_clear(timer_port);
    if (!watch_first)
        return;
    events++;
    if (*watch_first != UNTOUCHED && *watch_last == UNTOUCHED)
        partway++;
    hypercall_set_timer_op(lam_pvclock_ns() + 50000);
}

/* Run op over a batch with events on; the statuses at first/last are watched. */
static long under_events(unsigned int cmd, void *ops, unsigned int count, volatile int16_t *first,
                         volatile int16_t *last)
{
    struct lam_vcpu_info *vi = &lam_shared_info->vcpu_info[0];
    events = partway = 0;
    watch_first = first;
    watch_last = last;
    /* The first event is already pending (masked) when the batch starts, so that even a
     * batch faster than the timer, or a host that delays the timer interrupt, is stopped
     * after its first entry. */
    hypercall_set_timer_op(lam_pvclock_ns() - 1);
    for (uint64_t end = lam_pvclock_ns() + 1000000000ull;
         !lam_evtchn_pending(timer_port) && lam_pvclock_ns() < end;)
        ;
    __atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
    uint64_t t0 = lam_pvclock_ns();
    long rc = hypercall_grant_table_op(cmd, ops, count);
    batch_ns = lam_pvclock_ns() - t0;
    __atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
    watch_first = watch_last = NULL;
    hypercall_set_timer_op(0);
    lam_evtchn_clear(timer_port);
    return rc;
}

static void expect_partway(const char *what)
{
    lam_printf("  %s: %lu us, %u event(s), %u saw the batch part-way\n", what,
               (unsigned long)(batch_ns / 1000), events, partway);
    mm_expect(partway > 0, "  the batch stopped for the event and went on");
}

/* ---- the batches ---- */

static void fill_copies(void)
{
    for (unsigned int i = 0; i < NCOPY; i++)
        copies[i] = (struct lam_gnttab_copy){
            .source = {.u.ref = SRC_REF, .domid = SELF, .offset = (uint16_t)(i % 512 * 8)},
            .dest = {.u.gmfn = mm_va_to_mfn(dst[i / 512]),
                     .domid = LAM_DOMID_SELF,
                     .offset = (uint16_t)(i % 512 * 8)},
            .len = 8,
            .flags = LAM_GNTCOPY_source_gref,
            .status = UNTOUCHED};
    for (unsigned int p = 0; p < NCOPY / 512; p++)
        memset(dst[p], 0, LAM_PAGE_SIZE);
}

static void check_copies(const char *what)
{
    unsigned int bad_status = 0, bad_data = 0;
    for (unsigned int i = 0; i < NCOPY; i++) {
        bad_status += copies[i].status != LAM_GNTST_okay;
        bad_data += dst[i / 512][i % 512] != (PATTERN ^ (i % 512));
    }
    mm_expect(bad_status == 0, what);
    mm_expect(bad_data == 0, "  every copy landed");
    if (bad_status || bad_data)
        lam_printf("  %u bad status(es), %u bad word(s)\n", bad_status, bad_data);
    mm_expect((gtab[SRC_REF].flags & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "  no busy bits left on the source grant");
}

static void copy_batch(void)
{
    fill_copies();
    long rc = under_events(LAM_GNTTABOP_copy, copies, NCOPY, &copies[0].status,
                           &copies[NCOPY - 1].status);
    mm_expect_rc("8192-entry copy batch under timer events", rc, 0);
    check_copies("  every copy's status is okay");
    expect_partway("copy");
}

static void map_unmap_batches(void)
{
    for (unsigned int i = 0; i < NMAP; i++) {
        maps[i] = (struct lam_gnttab_map_grant_ref){.host_addr = tree.base,
                                                    .flags = LAM_GNTMAP_host_map,
                                                    .ref = 1u << 24, /* beyond any table */
                                                    .dom = SELF,
                                                    .status = UNTOUCHED};
        unmaps[i] = (struct lam_gnttab_unmap_grant_ref){
            .host_addr = tree.base, .handle = 0xfffff0u + (i & 7), .status = UNTOUCHED};
    }
    long rc = under_events(LAM_GNTTABOP_map_grant_ref, maps, NMAP, &maps[0].status,
                           &maps[NMAP - 1].status);
    mm_expect_rc("8192-entry map batch (bad references) under timer events", rc, 0);
    unsigned int bad = 0;
    for (unsigned int i = 0; i < NMAP; i++)
        bad += maps[i].status != LAM_GNTST_bad_gntref;
    mm_expect(bad == 0, "  every map refused with GNTST_bad_gntref");
    expect_partway("map");

    rc = under_events(LAM_GNTTABOP_unmap_grant_ref, unmaps, NMAP, &unmaps[0].status,
                      &unmaps[NMAP - 1].status);
    mm_expect_rc("8192-entry unmap batch (bad handles) under timer events", rc, 0);
    bad = 0;
    for (unsigned int i = 0; i < NMAP; i++)
        bad += unmaps[i].status != LAM_GNTST_bad_handle;
    mm_expect(bad == 0, "  every unmap refused with GNTST_bad_handle");
    expect_partway("unmap");
}

/* The copy batch as a multicall entry, with an entry after it. */
static void copy_in_multicall(void)
{
    static struct lam_multicall_entry mc[2];
    fill_copies();
    mc[0] = (struct lam_multicall_entry){
        .op = LAM_HYPERCALL_GRANT_TABLE_OP,
        .result = 12345,
        .args = {LAM_GNTTABOP_copy, (uint64_t)(uintptr_t)copies, NCOPY}};
    mc[1] = (struct lam_multicall_entry){
        .op = LAM_HYPERCALL_XEN_VERSION, .result = 12345, .args = {LAM_XENVER_version, 0}};
    mm_expect_rc("multicall: copy batch, xen_version", hypercall_multicall(mc, 2), 0);
    mm_expect_rc("  the copy batch's result", (long)mc[0].result, 0);
    mm_expect(mc[1].result != 12345 && (long)mc[1].result > 0, "  xen_version ran after it");
    check_copies("  every copy in the multicall is okay");
}

static void entry_checks(void)
{
    struct lam_gnttab_copy one = copies[0];
    one.status = UNTOUCHED;
    mm_expect_rc("count 0x80000000", hypercall_grant_table_op(LAM_GNTTABOP_copy, &one, 0x80000000u),
                 -LAM_EINVAL);
    mm_expect_rc("count ~0", hypercall_grant_table_op(LAM_GNTTABOP_copy, &one, ~0u), -LAM_EINVAL);
    mm_expect_rc("copy with bit 12 set in the command",
                 hypercall_grant_table_op(LAM_GNTTABOP_copy | 0x1000, &one, 1), -LAM_EINVAL);
    mm_expect_rc("map with high command bits",
                 hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref | 0x80000000u, &one, 1),
                 -LAM_EINVAL);
    mm_expect(one.status == UNTOUCHED, "  refused calls did nothing");
    mm_expect_rc("count 0", hypercall_grant_table_op(LAM_GNTTABOP_copy, &one, 0), 0);
    /* 200 entries from 4 KiB below the end of the lower half: runs past it. */
    mm_expect_rc("an array running out of guest memory",
                 hypercall_grant_table_op(LAM_GNTTABOP_copy, (void *)0x00007ffffffff000ull, 200),
                 -LAM_EFAULT);
    mm_expect_rc("copy: the whole array must be guest memory",
                 hypercall_grant_table_op(LAM_GNTTABOP_copy, (void *)0xffff800000000000ull, 1),
                 -LAM_EFAULT);
}

static void setup(void)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc("map the grant frame",
                 mm_update(mm_tab_ma(tree.l1, 0), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, tree.base);
    gtab = (volatile struct lam_grant_entry_v1 *)tree.base;
    for (unsigned int i = 0; i < 512; i++)
        src[i] = PATTERN ^ i;
    gtab[SRC_REF].domid = SELF;
    gtab[SRC_REF].frame = (uint32_t)mm_va_to_mfn(src);
    __atomic_store_n(&gtab[SRC_REF].flags, LAM_GTF_permit_access | LAM_GTF_readonly,
                     __ATOMIC_RELEASE);

    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event,
                                       .flags = LAM_CALLBACKF_mask_events,
                                       .address = (uint64_t)(uintptr_t)gp_event_entry};
    mm_expect_rc("register the event callback", hypercall_callback_op(LAM_CALLBACKOP_register, &cb),
                 0);
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    mm_expect_rc("bind VIRQ_TIMER", hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv), 0);
    timer_port = bv.port;
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);
}

void test_main(void)
{
    self_id = (lam_start_info->flags & LAM_SIF_PRIVILEGED) ? 0 : 1;
    mm_init();
    src = mm_alloc_page();
    for (unsigned int p = 0; p < NCOPY / 512; p++)
        dst[p] = mm_alloc_page();
    if (!src || !dst[NCOPY / 512 - 1]) {
        lam_error("no free pages");
        return;
    }
    long rc = mm_tree_build(&tree, TREE_SLOT);
    if (rc) {
        lam_error("tree build failed: %ld", rc);
        return;
    }
    setup();
    entry_checks();
    copy_batch();
    map_unmap_batches();
    copy_in_multicall();
    gtab[SRC_REF].flags = 0;
    mm_expect_rc("unmap the grant frame", mm_update(mm_tab_ma(tree.l1, 0), 0), 0);
    mm_expect_rc("tree teardown", mm_tree_destroy(&tree), 0);
}
