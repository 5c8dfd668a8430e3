/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long memory operations, which a hypervisor may preempt and continue: a
 * populated L4 tree (64 full L1 tables) pinned and unpinned, 4096-entry
 * mmu_update batches with `done` checked (also when an entry in the middle
 * fails), a multicall whose long entries are followed by others with
 * per-entry results, a timer event whose handler pins part of the tree
 * while the pin of the whole tree may be half done, and memory_op
 * reservations of 2048 extents.
 *
 * Only what the ABI defines is checked, so the same results hold on Xen
 * 4.17; whether a call was preempted is invisible to the guest. On Lamina
 * the "preempt:" line after the audit counts the continuations.
 */
#include <lamina/callback.h>
#include <lamina/event_channel.h>
#include <lamina/memory.h>
#include <lamina/version.h>

#include "big_tree.h"
#include "mm_util.h"

const char lam_test_title[] = "preemptible long memory operations";

#define TREE_L2S BIG_TREE_L2S
#define TREE_L1S BIG_TREE_L1S
#define BATCH    4096 /* mmu_update entries: 8 full L1 tables */
#define EXTENTS  2048 /* memory_op extents */

static struct big_tree tree;
static uint64_t *data_a, *data_b;
static struct lam_mmu_update batch[BATCH];

static uint64_t pte_of(const void *page, uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

static long tree_set(int ro)
{
    return big_tree_set(&tree, ro);
}

static int tree_build(void)
{
    return big_tree_build(&tree, data_a);
}

static long ext_done(unsigned cmd, uint64_t mfn, unsigned *done)
{
    struct lam_mmuext_op op = {.cmd = cmd};
    op.arg1.mfn = mfn;
    return hypercall_mmuext_op(&op, 1, done, LAM_DOMID_SELF);
}

/* Pin and unpin the whole tree; in between it is a page table in every respect. */
static void pin_unpin(void)
{
    unsigned done = 77;
    mm_expect_rc("pin the L4 tree", ext_done(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn, &done), 0);
    mm_expect(done == 1, "pin: done is 1");
    mm_expect_err("pin it again", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn));
    mm_expect_err("map its last L1 writable", mm_page_set_rw(tree.l1[TREE_L1S - 1]));
    mm_expect_err("pin its L4 as an L3", mm_ext(LAM_MMUEXT_PIN_L3_TABLE, tree.l4_mfn));
    done = 77;
    mm_expect_rc("unpin the L4 tree", ext_done(LAM_MMUEXT_UNPIN_TABLE, tree.l4_mfn, &done), 0);
    mm_expect(done == 1, "unpin: done is 1");
    mm_expect_rc("every table writable again: all torn down", tree_set(0), 0);
    mm_expect_rc("and read-only again", tree_set(1), 0);
}

/* Entry i of the batch: entry i % 512 of L1 table i / 512. */
static void batch_fill(unsigned n, uint64_t val)
{
    for (unsigned i = 0; i < n; i++) {
        batch[i].ptr = mm_tab_ma(tree.l1[i / 512], i % 512);
        batch[i].val = val;
    }
}

/* The frame and the present/writable bits (the hypervisor may add U, A and D). */
static int batch_check(unsigned n, uint64_t val)
{
    const uint64_t mask = LAM_PTE_MFN_MASK | LAM_PTE_PRESENT | LAM_PTE_RW;
    for (unsigned i = 0; i < n; i++)
        if ((tree.l1[i / 512][i % 512] & mask) != (val & mask))
            return 0;
    return 1;
}

static void big_batches(void)
{
    unsigned done = 77;
    mm_expect_rc("pin the L4 tree", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn), 0);

    batch_fill(BATCH, pte_of(data_b, MM_PTE_FLAGS));
    mm_expect_rc("4096-entry mmu_update", hypercall_mmu_update(batch, BATCH, &done, LAM_DOMID_SELF),
                 0);
    mm_expect(done == BATCH, "4096-entry mmu_update: done is 4096");
    mm_expect(batch_check(BATCH, pte_of(data_b, MM_PTE_FLAGS)), "every entry maps data_b");

    /* Entry 3000 asks for a writable mapping of a page table: refused, 3000 done. */
    batch_fill(BATCH, pte_of(data_a, MM_PTE_RO));
    batch[3000].val = pte_of(tree.l1[0], MM_PTE_FLAGS);
    done = 77;
    mm_expect_err("4096-entry mmu_update, entry 3000 bad",
                  hypercall_mmu_update(batch, BATCH, &done, LAM_DOMID_SELF));
    mm_expect(done == 3000, "  done is 3000");
    mm_expect(batch_check(3000, pte_of(data_a, MM_PTE_RO)), "  entries before it applied");
    mm_expect((tree.l1[3000 / 512][3000 % 512] & LAM_PTE_MFN_MASK) ==
                  (pte_of(data_b, 0) & LAM_PTE_MFN_MASK),
              "  entry 3000 and after untouched");

    batch_fill(BATCH, pte_of(data_a, MM_PTE_RO));
    mm_expect_rc("restore with a 4096-entry batch",
                 hypercall_mmu_update(batch, BATCH, NULL, LAM_DOMID_SELF), 0);
    mm_expect(batch_check(BATCH, pte_of(data_a, MM_PTE_RO)), "every entry maps data_a again");
    mm_expect_rc("unpin", mm_ext(LAM_MMUEXT_UNPIN_TABLE, tree.l4_mfn), 0);
    mm_expect_rc("data_b has no table mapping it writable", mm_page_set_ro(data_b), 0);
    mm_expect_rc("data_b writable again", mm_page_set_rw(data_b), 0);
}

static void set_entry(struct lam_multicall_entry *e, unsigned long op, unsigned long a0,
                      unsigned long a1, unsigned long a2, unsigned long a3)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->result = 0x5555555555555555UL;
    e->args[0] = a0;
    e->args[1] = a1;
    e->args[2] = a2;
    e->args[3] = a3;
}

/* A long pin and a long batch inside a multicall, with entries after them. */
static void long_multicall(void)
{
    static struct lam_multicall_entry mc[7];
    static struct lam_mmuext_op pin = {.cmd = LAM_MMUEXT_PIN_L4_TABLE};
    static struct lam_mmuext_op unpin = {.cmd = LAM_MMUEXT_UNPIN_TABLE};
    static unsigned done[7];
    pin.arg1.mfn = tree.l4_mfn;
    unpin.arg1.mfn = tree.l4_mfn;
    batch_fill(1024, pte_of(data_b, MM_PTE_RO));

    set_entry(&mc[0], LAM_HYPERCALL_MMUEXT_OP, (unsigned long)&pin, 1, (unsigned long)&done[0],
              LAM_DOMID_SELF);
    set_entry(&mc[1], LAM_HYPERCALL_XEN_VERSION, LAM_XENVER_version, 0, 0, 0);
    set_entry(&mc[2], LAM_HYPERCALL_MMU_UPDATE, (unsigned long)batch, 1024, (unsigned long)&done[2],
              LAM_DOMID_SELF);
    set_entry(&mc[3], LAM_HYPERCALL_MMUEXT_OP, (unsigned long)&unpin, 1, (unsigned long)&done[3],
              LAM_DOMID_SELF);
    set_entry(&mc[4], LAM_HYPERCALL_UPDATE_VA_MAPPING, 0x1000, pte_of(data_a, MM_PTE_FLAGS),
              LAM_UVMF_INVLPG, 0);
    set_entry(&mc[5], LAM_HYPERCALL_MMUEXT_OP, (unsigned long)&pin, 1, (unsigned long)&done[5],
              LAM_DOMID_SELF);
    set_entry(&mc[6], LAM_HYPERCALL_MMUEXT_OP, (unsigned long)&unpin, 1, (unsigned long)&done[6],
              LAM_DOMID_SELF);
    mm_expect_rc("multicall of 7 with long entries", hypercall_multicall(mc, 7), 0);
    for (unsigned i = 0; i < 7; i++)
        lam_printf("  entry %u result %ld done %u\n", i, (long)mc[i].result, done[i]);
    mm_expect(mc[0].result == 0 && done[0] == 1, "entry 0: pin 0, done 1");
    mm_expect((long)mc[1].result == hypercall_xen_version(LAM_XENVER_version, NULL),
              "entry 1: xen_version");
    mm_expect(mc[2].result == 0 && done[2] == 1024, "entry 2: 1024-entry mmu_update, done 1024");
    mm_expect(mc[3].result == 0 && done[3] == 1, "entry 3: unpin 0, done 1");
    mm_expect((long)mc[4].result == -LAM_EINVAL, "entry 4: update_va_mapping unmapped -EINVAL");
    mm_expect(mc[5].result == 0 && done[5] == 1, "entry 5: pin again 0");
    mm_expect(mc[6].result == 0 && done[6] == 1, "entry 6: unpin again 0");
    mm_expect(batch_check(1024, pte_of(data_b, MM_PTE_RO)), "the batch reached the tables");
    mm_expect_rc("every table writable again", tree_set(0), 0);
    mm_expect_rc("and read-only again", tree_set(1), 0);
}

/* ---- a timer event in the middle: its handler pins a part of the tree ---- */

void mmp_event_entry(void);
void mmp_event(void);
__asm__(".pushsection .text\n"
        ".globl mmp_event_entry\n"
        "mmp_event_entry:\n"
        "    pop %rcx\n" /* the bounce frame: RCX, R11, then RIP, CS, RFLAGS, RSP, SS */
        "    pop %r11\n"
        "    push %rax\n    push %rcx\n    push %rdx\n    push %rsi\n    push %rdi\n"
        "    push %r8\n    push %r9\n    push %r10\n    push %r11\n    push %rbx\n"
        "    mov %rsp, %rbx\n"
        "    and $-16, %rsp\n"
        "    call mmp_event\n"
        "    mov %rbx, %rsp\n"
        "    pop %rbx\n    pop %r11\n    pop %r10\n    pop %r9\n    pop %r8\n"
        "    pop %rdi\n    pop %rsi\n    pop %rdx\n    pop %rcx\n    pop %rax\n"
        "    jmp lam_iret\n"
        ".popsection\n");

static volatile unsigned events_seen;
static volatile long handler_pin_rc = 1;
static uint32_t timer_port;
/* While a batch runs: the handler samples its `done` and re-arms the timer. */
static volatile unsigned *watched_done;
static volatile unsigned partial_done_seen, rearms;

void mmp_event(void)
{
    struct lam_vcpu_info *vi = &lam_shared_info->vcpu_info[0];
    vi->evtchn_upcall_pending = 0;
    __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    lam_evtchn_clear(timer_port);
    if (events_seen++ == 0) /* whatever state the outer pin left the tree in */
        handler_pin_rc = mm_ext(LAM_MMUEXT_PIN_L2_TABLE, mm_va_to_mfn(tree.l2[TREE_L2S - 1]));
    if (watched_done) {
        unsigned d = *watched_done;
        if (d > 0 && d < BATCH)
            partial_done_seen++; /* the batch stopped and wrote its progress so far */
        if (rearms++ < 10000)
            hypercall_set_timer_op(lam_pvclock_ns() + 50000);
    }
}

static void event_during_pin(void)
{
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event,
                                       .flags = LAM_CALLBACKF_mask_events,
                                       .address = (uint64_t)(uintptr_t)mmp_event_entry};
    struct lam_evtchn_bind_virq bv = {.virq = LAM_VIRQ_TIMER, .vcpu = 0};
    mm_expect_rc("register the event callback", hypercall_callback_op(LAM_CALLBACKOP_register, &cb),
                 0);
    mm_expect_rc("bind VIRQ_TIMER", hypercall_event_channel_op(LAM_EVTCHNOP_bind_virq, &bv), 0);
    timer_port = bv.port;
    struct lam_vcpu_info *vi = &lam_shared_info->vcpu_info[0];

    mm_expect_rc("one-shot timer in 300 us", hypercall_set_timer_op(lam_pvclock_ns() + 300000), 0);
    __atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST); /* events on */
    long rc = mm_ext(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn);
    uint64_t deadline = lam_pvclock_ns() + 1000000000ull;
    while (!events_seen && lam_pvclock_ns() < deadline)
        ; /* the timer fires at the latest now */
    __atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
    hypercall_set_timer_op(0);
    lam_evtchn_clear(timer_port);

    mm_expect_rc("pin of the whole tree around the event", rc, 0);
    mm_expect(events_seen > 0, "the timer event was delivered");
    mm_expect_rc("the handler's pin of an L2 of the tree", handler_pin_rc, 0);
    mm_expect_rc("unpin the L2",
                 mm_ext(LAM_MMUEXT_UNPIN_TABLE, mm_va_to_mfn(tree.l2[TREE_L2S - 1])), 0);
    mm_expect_rc("unpin the tree", mm_ext(LAM_MMUEXT_UNPIN_TABLE, tree.l4_mfn), 0);
    mm_expect_rc("every table writable again", tree_set(0), 0);
}

/*
 * A 4096-entry batch with timer events arriving every 50 us. An event that is
 * delivered while the batch has stopped sees `done` part-way: Xen and Lamina
 * both write it before they continue. Whether that happens is up to the
 * hypervisor, so only Lamina (which stops every millisecond at the latest, and
 * as soon as an event is deliverable) is held to it.
 */
static void events_during_batch(void)
{
    struct lam_vcpu_info *vi = &lam_shared_info->vcpu_info[0];
    static volatile unsigned done;
    char extra[LAM_XENVER_EXTRAVERSION_LEN + 1] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    int on_lamina = strstr(extra, "lamina") != NULL;

    mm_expect_rc("pin the L4 tree", mm_ext(LAM_MMUEXT_PIN_L4_TABLE, tree.l4_mfn), 0);
    batch_fill(BATCH, pte_of(data_b, MM_PTE_RO));
    done = 0;
    watched_done = &done;
    hypercall_set_timer_op(lam_pvclock_ns() + 50000);
    __atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
    long rc = hypercall_mmu_update(batch, BATCH, (void *)&done, LAM_DOMID_SELF);
    __atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
    watched_done = NULL;
    hypercall_set_timer_op(0);
    lam_evtchn_clear(timer_port);

    mm_expect_rc("4096-entry mmu_update under timer events", rc, 0);
    mm_expect(done == BATCH, "  done is 4096");
    mm_expect(batch_check(BATCH, pte_of(data_b, MM_PTE_RO)), "  every entry applied");
    lam_printf("  %u event(s) during the batch saw done part-way\n", partial_done_seen);
    if (on_lamina)
        mm_expect(partial_done_seen > 0, "  Lamina stopped the batch and continued it");
    mm_expect_rc("unpin", mm_ext(LAM_MMUEXT_UNPIN_TABLE, tree.l4_mfn), 0);
    mm_expect_rc("every table writable again", tree_set(0), 0);
}

/*
 * NEW_BASEPTR to an L4 nobody validated yet: a copy of the running one plus the
 * big tree's L3 at slot 300, so loading it validates the whole tree. Switching
 * back drops the last reference, so the new L4 and the tree are torn down.
 */
static void baseptr_to_big_tree(void)
{
    const uint64_t *cur = mm_mfn_to_va(mm_cur_l4_mfn);
    uint64_t *l4 = mm_alloc_page(), old = mm_cur_l4_mfn;
    if (!cur || !l4) {
        lam_fail("no page for a second L4");
        return;
    }
    for (unsigned i = 0; i < 512; i++)
        l4[i] = (i >= 256 && i < 272) ? 0 : cur[i]; /* the hypervisor fills its own slots */
    l4[300] = pte_of(tree.l3, MM_PTE_FLAGS);
    mm_expect_rc("the new L4 read-only", mm_page_set_ro(l4), 0);
    mm_expect_rc("NEW_BASEPTR to it", mm_new_baseptr(mm_va_to_mfn(l4)), 0);
    volatile const uint64_t *via = (const uint64_t *)mm_make_va(300, 0, 0, 0);
    mm_expect(*via == *data_a, "the big tree maps data_a through the new L4");
    mm_expect_err("map its L3 writable while it is in use", mm_page_set_rw(tree.l3));
    mm_expect_rc("NEW_BASEPTR back", mm_new_baseptr(old), 0);
    mm_expect_rc("the second L4 writable again: torn down", mm_page_set_rw(l4), 0);
    mm_expect_rc("every table writable again", tree_set(0), 0);
    mm_expect_rc("tables read-only again", tree_set(1), 0);
}

/* ---- memory_op with many extents ---- */

static uint64_t extents[EXTENTS];
static uint64_t pfns[EXTENTS];

static long reservation(unsigned cmd)
{
    struct lam_memory_reservation r = {.extent_start = (uint64_t)(uintptr_t)extents,
                                       .nr_extents = EXTENTS,
                                       .extent_order = 0,
                                       .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(cmd, &r);
}

static void many_extents(void)
{
    lam_domid_t self = LAM_DOMID_SELF;
    long before = hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
    for (unsigned i = 0; i < EXTENTS; i++) {
        pfns[i] = mm_alloc_unmapped_pfn();
        if (!pfns[i]) {
            lam_fail("not enough unmapped pfns");
            return;
        }
        extents[i] = mm_pfn_to_mfn(pfns[i]);
    }
    mm_expect_rc("decrease_reservation of 2048 frames",
                 reservation(LAM_XENMEM_decrease_reservation), EXTENTS);
    mm_expect_rc("current reservation 2048 lower",
                 hypercall_memory_op(LAM_XENMEM_current_reservation, &self), before - EXTENTS);
    for (unsigned i = 0; i < EXTENTS; i++)
        extents[i] = pfns[i];
    mm_expect_rc("populate_physmap of 2048 frames", reservation(LAM_XENMEM_populate_physmap),
                 EXTENTS);
    mm_expect_rc("current reservation back",
                 hypercall_memory_op(LAM_XENMEM_current_reservation, &self), before);
    unsigned good = 0;
    uint64_t *p2m = (uint64_t *)lam_start_info->mfn_list;
    for (unsigned i = 0; i < EXTENTS; i++) {
        if (mm_m2p(extents[i]) == pfns[i])
            good++;
        p2m[pfns[i]] = extents[i];
    }
    mm_expect(good == EXTENTS, "every new frame's M2P entry names its pfn");
}

void test_main(void)
{
    mm_init();
    data_a = mm_alloc_page();
    data_b = mm_alloc_page();
    if (!data_a || !data_b || tree_build()) {
        lam_fail("could not build the tree (out of region pages?)");
        return;
    }
    pin_unpin();
    big_batches();
    long_multicall();
    event_during_pin();
    mm_expect_rc("tables read-only again", tree_set(1), 0);
    events_during_batch();
    mm_expect_rc("tables read-only again", tree_set(1), 0);
    baseptr_to_big_tree();
    many_extents();
}
