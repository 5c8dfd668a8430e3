/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-memory benchmark: four operations, each timed with
 * rdtsc over a loop, several rounds after a warm-up, best and median printed
 * per operation. run.sh in this directory runs it on Lamina and Xen 4.17 and
 * prints the ratios.
 *
 *  - mmu_update: one hypercall carrying 512 NORMAL_PT_UPDATE requests that
 *    fill (then, next batch, clear) every entry of one L1 table;
 *  - update_va_mapping of one address, alternating two data frames, with
 *    UVMF_INVLPG;
 *  - an emulated PTE write: a plain MOV to an entry of a pinned, read-only L1
 *    (it faults and the hypervisor emulates it);
 *  - pin then unpin of an L4 tree holding BENCH_L1S full L1 tables (the pin
 *    validates the whole tree, the unpin tears it down).
 */
#include "mm_util.h"

const char lam_test_title[] = "PV memory benchmark";

#define ROUNDS         5
#define BATCHES        200       /* 512-entry mmu_update batches per round */
#define UVA_CALLS      20000     /* update_va_mapping calls per round */
#define PTWR_CALLS     20000     /* emulated L1 writes per round */
#define PINS           100       /* pin + unpin pairs per round */
#define BENCH_L1S      4         /* L1 tables under the pinned L4 (512 entries each) */
#define BENCH_L1S_TEXT "4 x 512" /* the same, for the report */

#define TREE_SLOT 302 /* L4 slot of the tree the first three operations use */

/* The two batches: fill every entry of the L1, and clear it again. */
static struct lam_mmu_update fill[512], clear[512];

static uint64_t pte_of(const void *page, uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

static uint64_t median_of(uint64_t *v, uint64_t *best)
{
    for (int i = 1; i < ROUNDS; i++) /* insertion sort: ROUNDS is tiny */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *best = v[0];
    return v[ROUNDS / 2];
}

static void report(const char *what, const char *unit, uint64_t *per_op)
{
    uint64_t best, med = median_of(per_op, &best);
    lam_printf("bench: %s: %d rounds: best %lu median %lu cycles/%s\n", what, ROUNDS, best, med,
               unit);
}

static int bench_mmu_update(struct mm_tree *t, const void *data)
{
    uint64_t per[ROUNDS];
    long rc = 0;

    for (unsigned i = 0; i < 512; i++) {
        fill[i].ptr = mm_tab_ma(t->l1, i);
        fill[i].val = pte_of(data, MM_PTE_FLAGS);
        clear[i].ptr = mm_tab_ma(t->l1, i);
        clear[i].val = 0;
    }
    for (int r = -1; r < ROUNDS && !rc; r++) { /* round -1 is the warm-up */
        uint64_t t0 = lam_rdtsc();
        for (int b = 0; b < BATCHES && !rc; b++)
            rc = hypercall_mmu_update(b & 1 ? clear : fill, 512, NULL, LAM_DOMID_SELF);
        if (r >= 0)
            per[r] = (lam_rdtsc() - t0) / BATCHES;
    }
    mm_expect_rc("512-entry mmu_update batches", rc, 0);
    if (rc)
        return -1;
    mm_expect(t->l1[511] == 0, "the last batch cleared the L1");
    report("mmu_update 512-entry batch", "batch", per);
    return 0;
}

static int bench_update_va_mapping(struct mm_tree *t, const void *a, const void *b)
{
    uint64_t per[ROUNDS], va = t->base + 7 * LAM_PAGE_SIZE;
    uint64_t pa = pte_of(a, MM_PTE_FLAGS), pb = pte_of(b, MM_PTE_FLAGS);
    long rc = 0;

    for (int r = -1; r < ROUNDS && !rc; r++) {
        uint64_t t0 = lam_rdtsc();
        for (int i = 0; i < UVA_CALLS && !rc; i++)
            rc = hypercall_update_va_mapping(va, i & 1 ? pb : pa, LAM_UVMF_INVLPG);
        if (r >= 0)
            per[r] = (lam_rdtsc() - t0) / UVA_CALLS;
    }
    mm_expect_rc("update_va_mapping", rc, 0);
    if (rc)
        return -1;
    mm_expect(*(volatile const uint64_t *)va == *(const uint64_t *)b,
              "the address maps the last frame given");
    report("update_va_mapping (INVLPG)", "call", per);
    return hypercall_update_va_mapping(va, 0, LAM_UVMF_INVLPG) ? -1 : 0;
}

static int bench_ptwr(struct mm_tree *t, const void *a, const void *b)
{
    uint64_t per[ROUNDS];
    volatile uint64_t *slot = &t->l1[9];
    uint64_t pa = pte_of(a, MM_PTE_FLAGS), pb = pte_of(b, MM_PTE_FLAGS);

    for (int r = -1; r < ROUNDS; r++) {
        uint64_t t0 = lam_rdtsc();
        for (int i = 0; i < PTWR_CALLS; i++)
            *slot = i & 1 ? pb : pa;
        if (r >= 0)
            per[r] = (lam_rdtsc() - t0) / PTWR_CALLS;
    }
    mm_expect((*slot & LAM_PTE_MFN_MASK) == (pb & LAM_PTE_MFN_MASK),
              "emulated writes reached the L1");
    report("emulated PTE write (MOV)", "write", per);
    *slot = 0;
    return 0;
}

/* A private L4 -> L3 -> L2 -> BENCH_L1S full L1s, all read-only, referenced by nothing else. */
static int build_pin_tree(uint64_t *l4_mfn, const void *data)
{
    uint64_t *l4 = mm_alloc_page(), *l3 = mm_alloc_page(), *l2 = mm_alloc_page();
    uint64_t *l1[BENCH_L1S];
    if (!l4 || !l3 || !l2)
        return -1;
    for (int k = 0; k < BENCH_L1S; k++) {
        if (!(l1[k] = mm_alloc_page()))
            return -1;
        for (unsigned i = 0; i < 512; i++)
            l1[k][i] = pte_of(data, MM_PTE_RO);
        l2[k] = pte_of(l1[k], MM_PTE_FLAGS);
    }
    l3[0] = pte_of(l2, MM_PTE_FLAGS);
    l4[0] = pte_of(l3, MM_PTE_FLAGS);
    for (int k = 0; k < BENCH_L1S; k++)
        if (mm_page_set_ro(l1[k]))
            return -1;
    if (mm_page_set_ro(l2) || mm_page_set_ro(l3) || mm_page_set_ro(l4))
        return -1;
    *l4_mfn = mm_va_to_mfn(l4);
    return 0;
}

static int bench_pin(const void *data)
{
    uint64_t pin[ROUNDS], unpin[ROUNDS], mfn = 0;
    long rc = 0;

    mm_expect_rc("build a private L4 tree", build_pin_tree(&mfn, data), 0);
    if (!mfn)
        return -1;
    for (int r = -1; r < ROUNDS && !rc; r++) {
        uint64_t tp = 0, tu = 0;
        for (int i = 0; i < PINS && !rc; i++) {
            uint64_t t0 = lam_rdtsc();
            rc = mm_ext(LAM_MMUEXT_PIN_L4_TABLE, mfn);
            uint64_t t1 = lam_rdtsc();
            if (!rc)
                rc = mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn);
            tp += t1 - t0;
            tu += lam_rdtsc() - t1;
        }
        if (r >= 0) {
            pin[r] = tp / PINS;
            unpin[r] = tu / PINS;
        }
    }
    mm_expect_rc("pin and unpin the L4 tree", rc, 0);
    if (rc)
        return -1;
    report("pin L4 tree (" BENCH_L1S_TEXT " L1 entries)", "pin", pin);
    report("unpin L4 tree (" BENCH_L1S_TEXT " L1 entries)", "unpin", unpin);
    return 0;
}

void test_main(void)
{
    struct mm_tree t;

    mm_init();
    uint64_t *a = mm_alloc_page(), *b = mm_alloc_page();
    if (!a || !b) {
        lam_fail("no free pages for the data frames");
        return;
    }
    a[0] = 0xaaaa;
    b[0] = 0xbbbb;
    mm_expect_rc("build a tree under a free L4 slot", mm_tree_build(&t, TREE_SLOT), 0);
    if (bench_mmu_update(&t, a) || bench_update_va_mapping(&t, a, b) || bench_ptwr(&t, a, b))
        return;
    mm_expect_rc("tear the tree down", mm_tree_destroy(&t), 0);
    bench_pin(a);
}
