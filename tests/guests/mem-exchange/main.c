/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XENMEM_exchange as Linux's xen_create_contiguous_region uses it (order-0 frames in,
 * one machine-contiguous extent below 4 GiB out), on Xen 4.17 and Lamina:
 *
 *   bad input           an unreadable argument -EFAULT; an order above the caller's
 *                       limit (dom0 18, a domU 9) -EPERM; nr_exchanged past the input,
 *                       different domains, lists of different sizes or whose size
 *                       overflows -EINVAL; all exchanged already 0; a list in the
 *                       hypervisor's range -EFAULT; a missing domain -ESRCH; (as a
 *                       domU) dom0 named -EPERM;
 *   frames              a frame not the caller's (hypervisor memory, beyond RAM, as a
 *                       domU a frame of dom0's), one still mapped, one named twice:
 *                       -EINVAL, nothing exchanged, the good frames still the caller's;
 *   partial progress    three extents whose second is bad: -EINVAL, nr_exchanged 1, the
 *                       first exchanged (its new frame has the PFN asked), the third not;
 *   success             4 frames for one order-2 extent below 4 GiB: aligned, below the
 *                       limit, the M2P gives the PFNs asked, zeroed, the old frames no
 *                       longer the caller's; 512 frames for one order-9 extent (a long
 *                       call, continued); the reservation unchanged throughout.
 * The domU run (mem-exchange-2dom, Lamina) exchanges its own frames the same way.
 */
#include <stdbool.h>

#include <lamina/errno.h>
#include <lamina/memory.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "XENMEM_exchange: contiguous frames, bad input, partial progress";

#define HV_PTR    0xffff8300deadb000UL
#define NO_DOMAIN 1000
#define TREE_SLOT 302
#define BIG_ORDER 9
#define FOUR_GIB  (1ull << 20) /* in frames */
#define HV_FRAME  0x200        /* the hypervisor's image */
#define FAR_FRAME (1ull << 36) /* beyond any RAM */

static bool privileged;
static struct mm_tree tree;
static uint64_t in_list[1 << BIG_ORDER], out_list[1 << BIG_ORDER];

static long exchange(struct lam_memory_exchange *x)
{
    return hypercall_memory_op(LAM_XENMEM_exchange, x);
}

static struct lam_memory_exchange request(unsigned long nr_in, unsigned in_order,
                                          unsigned long nr_out, unsigned out_order)
{
    struct lam_memory_exchange x = {.in = {.extent_start = (uint64_t)in_list,
                                           .nr_extents = nr_in,
                                           .extent_order = in_order,
                                           .domid = LAM_DOMID_SELF},
                                    .out = {.extent_start = (uint64_t)out_list,
                                            .nr_extents = nr_out,
                                            .extent_order = out_order,
                                            .mem_flags = 32,
                                            .domid = LAM_DOMID_SELF},
                                    .nr_exchanged = 0};
    return x;
}

static long current_reservation(void)
{
    uint16_t id = LAM_DOMID_SELF;
    return hypercall_memory_op(LAM_XENMEM_current_reservation, &id);
}

/* n frames of ours that nothing maps, with their PFNs. */
static void unmapped_frames(unsigned long n, uint64_t *mfns, uint64_t *pfns)
{
    for (unsigned long i = 0; i < n; i++) {
        pfns[i] = mm_alloc_unmapped_pfn();
        mfns[i] = mm_pfn_to_mfn(pfns[i]);
    }
}

static void bad_arguments(void)
{

    mm_expect_rc("argument in the hypervisor",
                 hypercall_memory_op(LAM_XENMEM_exchange, (void *)HV_PTR), -LAM_EFAULT);
    unsigned limit = privileged ? 18 : 9; /* Debian's Xen 4.17: 18 for dom0 */
    struct lam_memory_exchange y = request(1, limit, 1, limit);
    in_list[0] = FAR_FRAME;
    mm_expect_rc("order at the caller's limit (a bad frame)", exchange(&y), -LAM_EINVAL);
    struct lam_memory_exchange x = request(1, limit + 1, 1, limit + 1);
    x.nr_exchanged = 0;
    mm_expect_rc("order above the caller's limit", exchange(&x), -LAM_EPERM);
    x = request(1, 0, 1, limit + 1);
    mm_expect_rc("output order above the limit", exchange(&x), -LAM_EPERM);
    x = request(2, 0, 2, 0);
    x.nr_exchanged = 3;
    mm_expect_rc("nr_exchanged past the input", exchange(&x), -LAM_EINVAL);
    mm_expect(x.nr_exchanged == 3, "  nr_exchanged as it was");
    x = request(1, 0, 1, 0);
    x.out.domid = 0x7ff1; /* DOMID_IO; the input says DOMID_SELF */
    mm_expect_rc("different domains", exchange(&x), -LAM_EINVAL);
    x = request(2, 0, 1, 0);
    mm_expect_rc("2 pages for 1", exchange(&x), -LAM_EINVAL);
    x = request(1, 0, 1, 1);
    mm_expect_rc("1 page for 2", exchange(&x), -LAM_EINVAL);
    x = request((~0ul >> 1) + 1, 1, (~0ul >> 2) + 1, 2);
    mm_expect_rc("list sizes overflow", exchange(&x), -LAM_EINVAL);
    x = request(2, 0, 2, 0);
    x.nr_exchanged = 2;
    mm_expect_rc("everything exchanged already", exchange(&x), 0);
    x = request(1, 0, 1, 0);
    x.in.extent_start = HV_PTR;
    mm_expect_rc("input list in the hypervisor", exchange(&x), -LAM_EFAULT);
    mm_expect(x.nr_exchanged == 0, "  nr_exchanged 0");
    x = request(1, 0, 1, 0);
    x.out.extent_start = HV_PTR;
    mm_expect_rc("output list in the hypervisor", exchange(&x), -LAM_EFAULT);
    x = request(1, 0, 1, 0);
    x.in.domid = x.out.domid = NO_DOMAIN;
    mm_expect_rc("a missing domain", exchange(&x), -LAM_ESRCH);
    if (!privileged) {
        x = request(1, 0, 1, 0);
        x.in.domid = x.out.domid = 0;
        mm_expect_rc("dom0's memory named by a domU", exchange(&x), -LAM_EPERM);
    }
}

/* One bad frame among good ones: -EINVAL, nothing exchanged, the good one still ours. */
static void bad_frame(const char *what, uint64_t bad)
{
    uint64_t pfn;
    unmapped_frames(1, &in_list[0], &pfn);
    in_list[1] = bad;
    out_list[0] = pfn;
    struct lam_memory_exchange x = request(2, 0, 1, 1);
    mm_expect_rc(what, exchange(&x), -LAM_EINVAL);
    mm_expect(x.nr_exchanged == 0, "  nothing exchanged");
    mm_expect(mm_m2p(in_list[0]) == pfn, "  the good frame still ours (M2P)");
}

static void frames(void)
{
    bad_frame("a hypervisor frame", HV_FRAME);
    bad_frame("a frame beyond RAM", FAR_FRAME);
    bad_frame("a frame still mapped (the start info page)", mm_va_to_mfn(lam_start_info));
    uint64_t pfn;
    unmapped_frames(1, &in_list[0], &pfn);
    in_list[1] = in_list[0];
    out_list[0] = pfn;
    struct lam_memory_exchange x = request(2, 0, 1, 1);
    mm_expect_rc("a frame named twice", exchange(&x), -LAM_EINVAL);
    mm_expect(x.nr_exchanged == 0, "  nothing exchanged");
    if (!privileged)
        bad_frame("a frame of another owner (0x1000)", 0x1000);
}

static void partial(void)
{
    uint64_t pfns[3], old[3];
    unmapped_frames(3, in_list, pfns);
    in_list[1] = HV_FRAME;
    for (int i = 0; i < 3; i++) {
        old[i] = in_list[i];
        out_list[i] = pfns[i];
    }
    struct lam_memory_exchange x = request(3, 0, 3, 0);
    mm_expect_rc("three extents, the second bad", exchange(&x), -LAM_EINVAL);
    mm_expect(x.nr_exchanged == 1, "  nr_exchanged 1");
    lam_printf("  first: old %lx new %lx\n", (unsigned long)old[0], (unsigned long)out_list[0]);
    mm_expect(out_list[0] != old[0] && mm_m2p(out_list[0]) == pfns[0],
              "  the first has a new frame with its PFN");
    mm_expect(mm_m2p(old[2]) == pfns[2], "  the third still ours");
}

/* Map mfn at the tree's first slot and check it reads as zeros. */
static bool zeroed(uint64_t mfn)
{
    if (hypercall_update_va_mapping(tree.base, (mfn << LAM_PAGE_SHIFT) | MM_PTE_FLAGS,
                                    LAM_UVMF_INVLPG))
        return false;
    const volatile uint64_t *p = (const volatile uint64_t *)tree.base;
    bool z = true;
    for (int i = 0; i < 512; i++)
        z = z && p[i] == 0;
    hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG);
    return z;
}

static void contiguous(unsigned order)
{
    unsigned long n = 1ul << order;
    static uint64_t pfns[1 << BIG_ORDER];
    unmapped_frames(n, in_list, pfns);
    uint64_t old0 = in_list[0];
    out_list[0] = pfns[0];
    long before = current_reservation();
    struct lam_memory_exchange x = request(n, 0, 1, order);
    char what[64];
    lam_snprintf(what, sizeof(what), "%lu frames for one order-%u extent below 4 GiB", n, order);
    mm_expect_rc(what, exchange(&x), 0);
    mm_expect(x.nr_exchanged == n, "  nr_exchanged counts every input extent");
    uint64_t mfn = out_list[0];
    lam_printf("  new extent at mfn %lx\n", (unsigned long)mfn);
    mm_expect((mfn & (n - 1)) == 0, "  aligned to its size");
    mm_expect(mfn + n <= FOUR_GIB, "  below 4 GiB");
    bool m2p = true;
    for (unsigned long k = 0; k < n; k++)
        m2p = m2p && mm_m2p(mfn + k) == pfns[0] + k;
    mm_expect(m2p, "  the M2P gives the PFNs asked");
    mm_expect(zeroed(mfn) && zeroed(mfn + n - 1), "  zeroed");
    long rc = hypercall_update_va_mapping(tree.base, (old0 << LAM_PAGE_SHIFT) | MM_PTE_FLAGS,
                                          LAM_UVMF_INVLPG);
    lam_printf("  mapping the old frame: %ld\n", rc);
    mm_expect(rc < 0, "  the old frame no longer ours (it cannot be mapped)");
    if (!rc)
        hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG);
    mm_expect(current_reservation() == before, "  the reservation unchanged");
}

void test_main(void)
{
    mm_init();
    privileged = lam_start_info->flags & LAM_SIF_PRIVILEGED;
    lam_printf("running as %s\n", privileged ? "dom0" : "a domU");
    mm_expect_rc("a tree for mappings", mm_tree_build(&tree, TREE_SLOT), 0);
    bad_arguments();
    frames();
    partial();
    contiguous(2);
    contiguous(BIG_ORDER);
    mm_tree_destroy(&tree);
}
