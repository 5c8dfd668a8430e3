/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory_op reservation calls with bad arguments (the XSA-212 class: a guest
 * that lies about its lists, counts, orders and domains). The reservation
 * commands answer with the number of extents done, so every refusal must be
 * "nothing done" (the continuation's start), never a frame handed out twice,
 * a frame of someone else taken, or a wrapped count. Cases:
 *  - the argument structure unreadable (unmapped, hypervisor range), with a
 *    continuation start in the command bits;
 *  - extent orders past what a guest may ask for (10, 19, 32, 63, 2^32-1);
 *  - domain ids that name nobody (and DOMID_IO); as an unprivileged domain
 *    (mm-memop-args-2dom), dom0's;
 *  - counts a continuation cannot encode, a start at or past the end;
 *  - extent lists in the hypervisor range, unmapped, read-only (the frame was
 *    given, its number cannot be written back), and none at all (NULL) for
 *    increase_reservation, which needs no input;
 *  - decrease of an order-9 extent that wraps past the top frame number;
 *  - XENMEM_exchange with an unreadable argument: -EFAULT.
 * Every answer is Xen 4.17's; the reservation must change by exactly what the
 * answers say, and frames we got are given back.
 */
#include <lamina/memory.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "memory_op reservations with bad arguments";

#define UNMAPPED 0x00000000dead0000UL
#define HV_PTR   0xffff8300deadb000UL
#define NONCANON 0x0000800000000000UL

static long reserve(unsigned cmd, uint64_t list, unsigned long n, unsigned order, uint16_t domid)
{
    struct lam_memory_reservation r = {
        .extent_start = list, .nr_extents = n, .extent_order = order, .domid = domid};
    return hypercall_memory_op(cmd, &r);
}

static long current_reservation(void)
{
    uint16_t self = LAM_DOMID_SELF;
    return hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
}

static void give_back(const uint64_t *mfns, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        mm_expect_rc(
            "give the frame back",
            reserve(LAM_XENMEM_decrease_reservation, (uint64_t)&mfns[i], 1, 0, LAM_DOMID_SELF), 1);
}

/* An unreadable argument structure: nothing done, the start comes back. */
static void bad_structure(void)
{
    static const unsigned cmds[] = {LAM_XENMEM_increase_reservation,
                                    LAM_XENMEM_decrease_reservation, LAM_XENMEM_populate_physmap};
    static const unsigned long ptrs[] = {UNMAPPED, HV_PTR, NONCANON, 0};
    char what[96];
    for (unsigned c = 0; c < 3; c++)
        for (unsigned p = 0; p < 4; p++)
            for (unsigned start = 0; start < 6; start += 5) {
                lam_snprintf(what, sizeof(what), "cmd %u start %u, argument at %lx", cmds[c], start,
                             ptrs[p]);
                mm_expect_rc(what, hypercall_memory_op(cmds[c] | start << 6, (void *)ptrs[p]),
                             start);
            }
}

static void bad_orders(void)
{
    static const unsigned orders[] = {19, 32, 63, 64, 0xffffffffu};
    static uint64_t list[1];
    char what[96];
    for (unsigned i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        long before = current_reservation();
        list[0] = mm_alloc_unmapped_pfn();
        lam_snprintf(what, sizeof(what), "increase_reservation order %u", orders[i]);
        mm_expect_rc(
            what,
            reserve(LAM_XENMEM_increase_reservation, (uint64_t)list, 1, orders[i], LAM_DOMID_SELF),
            0);
        lam_snprintf(what, sizeof(what), "populate_physmap order %u", orders[i]);
        mm_expect_rc(
            what,
            reserve(LAM_XENMEM_populate_physmap, (uint64_t)list, 1, orders[i], LAM_DOMID_SELF), 0);
        list[0] = mm_pfn_to_mfn(0);
        lam_snprintf(what, sizeof(what), "decrease_reservation order %u", orders[i]);
        mm_expect_rc(
            what,
            reserve(LAM_XENMEM_decrease_reservation, (uint64_t)list, 1, orders[i], LAM_DOMID_SELF),
            0);
        mm_expect(current_reservation() == before, "reservation unchanged");
    }
}

static void bad_domains(void)
{
    static const uint16_t ids[] = {0x1234, 0x7fef, LAM_DOMID_IO};
    static uint64_t list[1];
    char what[96];
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        list[0] = mm_alloc_unmapped_pfn();
        long before = current_reservation();
        lam_snprintf(what, sizeof(what), "populate_physmap for domain %x", ids[i]);
        mm_expect_rc(what, reserve(LAM_XENMEM_populate_physmap, (uint64_t)list, 1, 0, ids[i]), 0);
        lam_snprintf(what, sizeof(what), "increase_reservation for domain %x", ids[i]);
        mm_expect_rc(what, reserve(LAM_XENMEM_increase_reservation, (uint64_t)list, 1, 0, ids[i]),
                     0);
        list[0] = mm_pfn_to_mfn(0);
        lam_snprintf(what, sizeof(what), "decrease_reservation for domain %x", ids[i]);
        mm_expect_rc(what, reserve(LAM_XENMEM_decrease_reservation, (uint64_t)list, 1, 0, ids[i]),
                     0);
        mm_expect(current_reservation() == before, "reservation unchanged");
    }
    if (lam_start_info->flags & LAM_SIF_INITDOMAIN)
        return;
    /* An unprivileged domain naming one that exists (dom0): Xen's XSM_TARGET says no, which
     * do_memory_op answers for the reservation calls with the start (no extent done) and for
     * current_reservation with the error. */
    list[0] = mm_pfn_to_mfn(0);
    long mine = current_reservation();
    mm_expect_rc("populate_physmap for dom0 (unprivileged)",
                 reserve(LAM_XENMEM_populate_physmap, (uint64_t)list, 1, 0, 0), 0);
    mm_expect_rc("increase_reservation for dom0 (unprivileged)",
                 reserve(LAM_XENMEM_increase_reservation, (uint64_t)list, 1, 0, 0), 0);
    mm_expect_rc("decrease_reservation for dom0 (unprivileged)",
                 reserve(LAM_XENMEM_decrease_reservation, (uint64_t)list, 1, 0, 0), 0);
    mm_expect(current_reservation() == mine, "our reservation unchanged");
    uint16_t dom0 = 0, nobody = 0x1234;
    mm_expect_rc("current_reservation of dom0 (unprivileged)",
                 hypercall_memory_op(LAM_XENMEM_current_reservation, &dom0), -LAM_EPERM);
    mm_expect_rc("current_reservation of nobody",
                 hypercall_memory_op(LAM_XENMEM_current_reservation, &nobody), -LAM_ESRCH);
}

static void bad_counts(void)
{
    static uint64_t list[4];
    struct lam_memory_reservation r = {.extent_start = (uint64_t)list,
                                       .nr_extents = 1ul << 26, /* UINT_MAX >> 6, plus 1 */
                                       .domid = LAM_DOMID_SELF};
    mm_expect_rc("populate 2^26 extents (no continuation could encode it)",
                 hypercall_memory_op(LAM_XENMEM_populate_physmap, &r), 0);
    mm_expect_rc("... with start 7", hypercall_memory_op(LAM_XENMEM_populate_physmap | 7 << 6, &r),
                 7);
    r.nr_extents = ~0ul;
    mm_expect_rc("populate ~0 extents", hypercall_memory_op(LAM_XENMEM_populate_physmap, &r), 0);
    r.nr_extents = 2;
    mm_expect_rc("populate 2 extents starting at 3 (past the end)",
                 hypercall_memory_op(LAM_XENMEM_populate_physmap | 3 << 6, &r), 3);
    mm_expect_rc("populate 2 extents starting at 2 (the end)",
                 hypercall_memory_op(LAM_XENMEM_populate_physmap | 2 << 6, &r), 2);
    mm_expect_rc("decrease 2 extents starting at 2 (the end)",
                 hypercall_memory_op(LAM_XENMEM_decrease_reservation | 2 << 6, &r), 2);
    r.nr_extents = 0;
    mm_expect_rc("increase 0 extents", hypercall_memory_op(LAM_XENMEM_increase_reservation, &r), 0);
}

static void bad_lists(void)
{
    static const unsigned long ptrs[] = {HV_PTR, NONCANON, UNMAPPED};
    static const unsigned cmds[] = {LAM_XENMEM_increase_reservation,
                                    LAM_XENMEM_decrease_reservation, LAM_XENMEM_populate_physmap};
    char what[96];
    for (unsigned c = 0; c < 3; c++)
        for (unsigned p = 0; p < 3; p++) {
            long before = current_reservation();
            lam_snprintf(what, sizeof(what), "cmd %u, 4 extents listed at %lx", cmds[c], ptrs[p]);
            mm_expect_rc(what, reserve(cmds[c], ptrs[p], 4, 0, LAM_DOMID_SELF), 0);
            /* Xen checks only where the list starts before it begins: increase_reservation
             * (whose list is output only) takes a frame for an unmapped list, then cannot
             * write its number back and stops; the frame stays ours, unnamed. */
            long want = cmds[c] == LAM_XENMEM_increase_reservation && ptrs[p] == UNMAPPED;
            lam_snprintf(what, sizeof(what), "  reservation grew by %ld", want);
            mm_expect(current_reservation() - before == want, what);
        }

    /* A list we may read but not write: the frame is given, its number cannot come back. */
    uint64_t *ro = mm_alloc_page();
    ro[0] = mm_alloc_unmapped_pfn();
    mm_expect_rc("make the list page read-only", mm_page_set_ro(ro), 0);
    long before = current_reservation();
    long rc = reserve(LAM_XENMEM_populate_physmap, (uint64_t)ro, 1, 0, LAM_DOMID_SELF);
    mm_expect_rc("populate_physmap into a read-only list", rc, 0);
    long grown = current_reservation() - before;
    lam_printf("  reservation grew by %ld (the frame stays with us, unnamed)\n", grown);
    mm_expect(grown == 1, "the one frame was given");
    mm_expect_rc("list page writable again", mm_page_set_rw(ro), 0);

    /* increase_reservation needs no input: without a list the frames are given unnamed. */
    before = current_reservation();
    rc = reserve(LAM_XENMEM_increase_reservation, 0, 2, 0, LAM_DOMID_SELF);
    lam_printf("  increase_reservation without a list: %ld, reservation grew by %ld\n", rc,
               current_reservation() - before);
    mm_expect_rc("increase_reservation of 2 without a list", rc, 2);
    mm_expect(current_reservation() - before == rc, "reservation grew by what was done");
    rc = reserve(LAM_XENMEM_populate_physmap, 0, 2, 0, LAM_DOMID_SELF);
    mm_expect_rc("populate_physmap without a list (its input is missing)", rc, 0);

    /* A good list: two frames come and go back. */
    static uint64_t mfns[2];
    mfns[0] = mm_alloc_unmapped_pfn();
    mfns[1] = mfns[0] + 1;
    before = current_reservation();
    mm_expect_rc("populate 2 frames",
                 reserve(LAM_XENMEM_populate_physmap, (uint64_t)mfns, 2, 0, LAM_DOMID_SELF), 2);
    mm_expect_rc("decrease the second twice in one list (second time not ours)",
                 reserve(LAM_XENMEM_decrease_reservation, (uint64_t)(uint64_t[]){mfns[1], mfns[1]},
                         2, 0, LAM_DOMID_SELF),
                 1);
    give_back(mfns, 1);
    mm_expect(current_reservation() == before, "reservation back where it was");
}

static void wrapping_extent(void)
{
    static uint64_t list[1];
    long before = current_reservation();
    list[0] = ~0ull - 5;
    mm_expect_rc("decrease order 9 at MFN 2^64-6 (wraps to 0)",
                 reserve(LAM_XENMEM_decrease_reservation, (uint64_t)list, 1, 9, LAM_DOMID_SELF), 0);
    list[0] = (1ull << 52) - 8;
    mm_expect_rc("decrease order 9 at the top of the 52-bit frame space",
                 reserve(LAM_XENMEM_decrease_reservation, (uint64_t)list, 1, 9, LAM_DOMID_SELF), 0);
    mm_expect(current_reservation() == before, "reservation unchanged");
}

/* XENMEM_exchange with an argument it cannot read (the rest: tests/guests/mem-exchange). */
static void exchange(void)
{
    long want = -LAM_EFAULT;
    mm_expect_rc("exchange, argument unmapped",
                 hypercall_memory_op(LAM_XENMEM_exchange, (void *)UNMAPPED), want);
    mm_expect_rc("exchange, argument in the hypervisor",
                 hypercall_memory_op(LAM_XENMEM_exchange, (void *)HV_PTR), want);
}

void test_main(void)
{
    mm_init();
    /* Room to grow: a domU starts at its limit. Give back frames no table maps. */
    static uint64_t room[8];
    for (unsigned i = 0; i < 8; i++)
        room[i] = mm_pfn_to_mfn(mm_alloc_unmapped_pfn());
    mm_expect_rc("balloon down by 8 frames",
                 reserve(LAM_XENMEM_decrease_reservation, (uint64_t)room, 8, 0, LAM_DOMID_SELF), 8);
    long start = current_reservation();
    lam_printf("reservation at start: %ld pages\n", start);
    bad_structure();
    bad_orders();
    bad_domains();
    bad_counts();
    bad_lists();
    wrapping_extent();
    exchange();
    lam_printf("reservation at the end: %ld pages (%ld more)\n", current_reservation(),
               current_reservation() - start);
}
