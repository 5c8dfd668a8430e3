/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Translations cached on another CPU. vCPU 1, pinned to CPU 1,
 * writes through an address on vCPU 0's request and reports whether the write
 * faulted; vCPU 0, on CPU 0, changes what is behind the address:
 *
 *  - It removes the L2, L3 or L4 entry above the address (mmu_update). Xen
 *    4.17 flushes every CPU running the domain after a successful L2-L4
 *    update (since XSA-286: the guest's linear page tables change shape), so
 *    vCPU 1's next write must fault. Lamina flushed only the CPU that made the
 *    update.
 *  - It clears the address's L1 entry (no flush: vCPU 1 may keep using its
 *    cached translation, checked), then makes the frame its GDT page (set_gdt).
 *    The retype must flush CPU 1 too, or vCPU 1 writes a call gate into vCPU
 *    0's GDT. Lamina flushed nothing for a new GDT page, and for a new page
 *    table every CPU running any guest.
 *  - It clears the L1 entry, gives the frame back (decrease_reservation) and
 *    asks for frames until it gets it again (populate_physmap): handing it out
 *    must flush CPU 1, or vCPU 1 writes into a frame that is no longer its
 *    domain's (here it came back to the same domain; it could have gone
 *    anywhere). Lamina never flushed for this.
 *
 * Each check reads the frame afterwards through a fresh mapping: the write must
 * not be there.
 */
#include <lamina/memory.h>

#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "remote translations go on L2-L4 change, retype, reuse";

#define TREE_SLOT     301
#define CALL_GATE_LOW 0x0000ec00e0081000ULL /* 64-bit call gate, DPL 3, to selector 0xe008 */
#define MARK          0x72656d6f74652121ULL /* "remote!!" */
#define TRIES         64
#define WAIT_NS       5000000000ull

/* vCPU 0 -> vCPU 1: write val at target, say whether it faulted. */
static volatile uint64_t *volatile target;
static volatile uint64_t req_val, req_seq, done_seq, quit;
static volatile int result;
static uint64_t others[TRIES];

static void worker(unsigned int id)
{
    (void)id;
    uint64_t seen = 0;
    for (;;) {
        uint64_t s;
        while ((s = __atomic_load_n(&req_seq, __ATOMIC_ACQUIRE)) == seen)
            if (__atomic_load_n(&quit, __ATOMIC_ACQUIRE))
                return;
        seen = s;
        result = mm_try_write(target, req_val);
        __atomic_store_n(&done_seq, s, __ATOMIC_RELEASE);
    }
}

/* 0: vCPU 1 wrote; -1: its write faulted; -2: it did not answer. */
static int remote_write(volatile uint64_t *p, uint64_t val)
{
    target = p;
    req_val = val;
    uint64_t s = req_seq + 1;
    __atomic_store_n(&req_seq, s, __ATOMIC_RELEASE);
    uint64_t end = smp_now_ns() + WAIT_NS;
    while (__atomic_load_n(&done_seq, __ATOMIC_ACQUIRE) != s)
        if (smp_now_ns() > end)
            return -2;
    return result;
}

static const char *outcome(int r)
{
    return r == 0 ? "went through" : r == -1 ? "faulted" : "got no answer";
}

/* The entry at level 2, 3 or 4 above the tree's first page goes while vCPU 1 uses it. */
static void upper_entry_removed(struct mm_tree *t, volatile uint64_t *data, int level)
{
    uint64_t ma = level == 4   ? (mm_cur_l4_mfn << LAM_PAGE_SHIFT) + 8 * t->slot
                  : level == 3 ? mm_tab_ma(t->l3, 0)
                               : mm_tab_ma(t->l2, 0);
    uint64_t old = mm_read_entry_ma(ma);
    volatile uint64_t *va = (volatile uint64_t *)t->base;
    data[0] = 0;
    lam_printf("L%d entry at %lx: %lx\n", level, (unsigned long)ma, (unsigned long)old);
    mm_expect_rc("vCPU 1 writes through it", remote_write(va, 1), 0);
    mm_expect_rc("remove the entry (mmu_update)", mm_update(ma, 0), 0);
    int r = remote_write(va, MARK);
    lam_printf("vCPU 1's next write %s; the data page holds %lx\n", outcome(r),
               (unsigned long)data[0]);
    mm_expect(r == -1, "vCPU 1's write faulted: its CPU was flushed after the L2-L4 update");
    mm_expect(data[0] != MARK, "the data page never got it");
    mm_expect_rc("put the entry back", mm_update(ma, old), 0);
}

/* A fresh page vCPU 1 has a translation of that outlives its PTE; 0 if it did not. */
static volatile uint64_t *kept_page(uint64_t *mfn)
{
    volatile uint64_t *page = mm_alloc_page();
    if (!page) {
        lam_error("out of pages");
        return 0;
    }
    *mfn = mm_va_to_mfn((const void *)page);
    lam_printf("page %p, frame %lx\n", (void *)page, (unsigned long)*mfn);
    mm_expect_rc("vCPU 1 writes through it", remote_write(page, 1), 0);
    mm_expect_rc("clear its only PTE (mmu_update, no flush)",
                 mm_update(mm_entry_ma((uint64_t)page, 1), 0), 0);
    int r = remote_write(page, 2);
    if (r != 0) {
        lam_printf("vCPU 1's translation did not outlive the PTE (write %s): nothing to test\n",
                   outcome(r));
        return 0;
    }
    lam_printf("ok: vCPU 1's translation outlived the PTE (the guest did not flush)\n");
    return page;
}

static void check_kept_write(volatile uint64_t *page, uint64_t mfn, uint64_t val, const char *why)
{
    int r = remote_write(page, val);
    mm_expect_rc("map the frame read-only here",
                 hypercall_update_va_mapping((uint64_t)page, (mfn << LAM_PAGE_SHIFT) | MM_PTE_RO,
                                             LAM_UVMF_INVLPG),
                 0);
    lam_printf("vCPU 1's write %s; quadword 0 of the frame: %lx\n", outcome(r),
               (unsigned long)page[0]);
    mm_expect(r == -1, why);
    mm_expect(page[0] != val, "the frame never got the write");
}

static int retyped_to_gdt(void)
{
    uint64_t mfn;
    volatile uint64_t *page = kept_page(&mfn);
    if (!page)
        return 0;
    mm_expect_rc("make the frame vCPU 0's GDT page (set_gdt)", hypercall_set_gdt(&mfn, 512), 0);
    check_kept_write(page, mfn, CALL_GATE_LOW, "vCPU 1's write faulted: the retype flushed CPU 1");
    mm_expect_rc("drop the GDT", hypercall_set_gdt(&mfn, 0), 0);
    mm_expect_rc("the page writable again", mm_page_set_rw((void *)page), 0);
    return 1;
}

static long reservation(unsigned int cmd, uint64_t *list, unsigned long n)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)list, .nr_extents = n, .domid = LAM_DOMID_SELF};
    return hypercall_memory_op(cmd, &r);
}

static int reused(void)
{
    uint64_t mfn;
    volatile uint64_t *page = kept_page(&mfn);
    if (!page)
        return 0;
    uint64_t pfn = ((uint64_t)page - MM_VIRT_BASE) >> LAM_PAGE_SHIFT, gone = mfn, got = 0;
    mm_expect_rc("decrease_reservation of the frame",
                 reservation(LAM_XENMEM_decrease_reservation, &gone, 1), 1);
    unsigned int n = 0;
    for (; n < TRIES; n++) {
        got = pfn;
        if (reservation(LAM_XENMEM_populate_physmap, &got, 1) != 1 || got == mfn)
            break;
        others[n] = got;
    }
    lam_printf("populate_physmap handed out %u other frame(s) first\n", n);
    if (got != mfn) {
        lam_error("the freed frame %lx did not come back", (unsigned long)mfn);
        return 1;
    }
    ((uint64_t *)lam_start_info->mfn_list)[pfn] = mfn;
    check_kept_write(page, mfn, MARK, "vCPU 1's write faulted: the reuse flushed CPU 1");
    mm_expect_rc("the page writable again", mm_page_set_rw((void *)page), 0);
    if (n)
        mm_expect_rc("give the other frames back",
                     reservation(LAM_XENMEM_decrease_reservation, others, n), (long)n);
    return 1;
}

void test_main(void)
{
    mm_init();
    if (!smp_test_vcpus())
        return;
    mm_expect_rc("pin vCPU 0 to CPU 0", smp_pin(0, 0), 0);
    mm_expect_rc("pin vCPU 1 to CPU 1", smp_pin(1, 1), 0);
    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, worker), 0);
    if (lam_status() != LAM_SUCCESS)
        return;

    struct mm_tree t;
    mm_expect_rc("build a tree below L4 slot 301", mm_tree_build(&t, TREE_SLOT), 0);
    volatile uint64_t *data = mm_alloc_page();
    if (!data || lam_status() != LAM_SUCCESS) {
        lam_error("no tree or data page");
        return;
    }
    mm_expect_rc("map a data page at the tree's first address",
                 mm_update(mm_tab_ma(t.l1, 0),
                           (mm_va_to_mfn((const void *)data) << LAM_PAGE_SHIFT) | MM_PTE_FLAGS),
                 0);
    for (int level = 2; level <= 4; level++)
        upper_entry_removed(&t, data, level);
    mm_expect_rc("unmap the data page", mm_update(mm_tab_ma(t.l1, 0), 0), 0);
    mm_expect_rc("take the tree down", mm_tree_destroy(&t), 0);

    int ran = retyped_to_gdt();
    ran += reused();
    if (!ran && lam_status() == LAM_SUCCESS)
        lam_skip("no translation outlived its PTE on CPU 1: staleness cannot be seen");

    __atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
    mm_expect(smp_wait_done(1, 10000) == 0, "vCPU 1 finished");
    mm_expect(smp_cpu_of(0) == 0 && smp_cpu_of(1) == 1, "each vCPU ran on the CPU it is pinned to");
}
