/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page types and reference counts: hypervisor/arch/x86/pv/pagetype.c built
 * unchanged on a fake frame table (pagetype_shim.c). Every test checks the
 * exact counts it expects, and an independent recount (like mm_audit.c, but
 * written from the frame contents alone) must agree with the frame table
 * after every operation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pagetype_shim.h"
#include <asm/pv/iomem.h>
#include <hv/continuation.h>
#include <hv/errcodes.h>
#include "hv_stubs.h"
#include <asm/memlayout.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <asm/tlbclock.h>

#define NF SHIM_FRAMES

/* Frame indexes of domU used by the fixed trees below. */
enum { L4A = 0, L3A = 1, L2A = 2, L2B = 3, L1A = 4, L1B = 5, L1C = 6, L4B = 7, D0 = 10 };

/* References the test itself holds on frames (as a CR3 load does): general + type. */
static unsigned int held[NF];
/* General references only (as a vCPU's old_guest_table holds one). */
static unsigned int held_general[NF];

struct counts {
    uint64_t count, type_count;
};

static void snapshot(struct counts *c)
{
    for (unsigned int i = 0; i < NF; i++) {
        c[i].count = page_count(shim_page(i));
        c[i].type_count = page_type_count(shim_page(i));
    }
}

/* Which frame index an entry names, or -1 if it is outside the fake frame table. */
static int entry_index(pte_t e)
{
    mfn_t mfn = pte_mfn(e);
    if (mfn < SHIM_MFN(0) || mfn >= SHIM_MFN(NF))
        return -1;
    return (int)(mfn - SHIM_MFN(0));
}

static bool index_is_hole(int i)
{
    return i >= SHIM_HOLE_0 && i < SHIM_HOLE_0 + SHIM_HOLE_N;
}

static bool is_table_live(unsigned int i)
{
    const struct page_info *pg = shim_page(i);
    return pt_type_level(page_type(pg)) && page_type_count(pg) && page_type_validated(pg);
}

/*
 * Recount from the tables themselves: allocation reference, pins, the test's
 * own holds, and the references every present entry of a live table holds.
 * Also checks the invariants the counts exist for. Returns the number of
 * problems (printed).
 */
static unsigned int recount(void)
{
    struct counts exp[NF];
    unsigned int bad = 0;

    for (unsigned int i = 0; i < NF; i++) {
        const struct page_info *pg = shim_page(i);
        exp[i].count = ((pg->count_info & PGC_allocated) ? 1 : 0) + held[i] + held_general[i];
        exp[i].type_count = held[i];
        if (pg->type_info & PGT_pinned) {
            exp[i].count++;
            exp[i].type_count++;
        }
        if (pg->type_info & PGT_partial) {
            /* Its own type count; a partial child entry holds a general reference. */
            exp[i].type_count++;
            if (page_type_count(pg) != 1 || page_type_validated(pg)) {
                printf("# frame %u: partial with count %llu\n", i,
                       (unsigned long long)page_type_count(pg));
                bad++;
            }
        } else if (pt_type_level(page_type(pg)) && page_type_count(pg) &&
                   !page_type_validated(pg)) {
            printf("# frame %u: table type in use but not validated\n", i);
            bad++;
        }
    }
    for (unsigned int i = 0; i < NF; i++) {
        const struct page_info *pg = shim_page(i);
        bool partial = pg->type_info & PGT_partial;
        if (!is_table_live(i) && !partial)
            continue;
        unsigned int level = pt_type_level(page_type(pg));
        const pte_t *t = shim_table(i);
        unsigned int nr = partial ? pg->nr_validated : PT_ENTRIES;
        if (partial && pg->partial_child) {
            int ci = entry_index(shim_table(i)[pg->nr_validated]);
            if (ci < 0) {
                printf("# frame %u: partial child outside the frame table\n", i);
                bad++;
            } else {
                exp[ci].count++;
            }
        }
        for (unsigned int s = 0; s < nr; s++) {
            if (level == 4 && s >= HV_SLOT_FIRST && s <= HV_SLOT_LAST) {
                if (t[s] != shim_hv_slot_entry && !partial) {
                    printf("# L4 %u: hypervisor slot %u is %#llx\n", i, s,
                           (unsigned long long)t[s]);
                    bad++;
                }
                continue;
            }
            pte_t e = t[s];
            if (!(e & _PAGE_PRESENT))
                continue;
            int ti = entry_index(e);
            if (level > 1 && ti == (int)i) {
                if (e & _PAGE_RW) {
                    printf("# L%u %u[%u]: writable self-reference\n", level, i, s);
                    bad++;
                }
                continue;
            }
            if (ti < 0 || (level == 1 && index_is_hole(ti))) {
                if (level > 1 || !page_get_owner(pg)->is_privileged) {
                    printf("# L%u %u[%u]: non-RAM frame %#llx\n", level, i, s,
                           (unsigned long long)pte_mfn(e));
                    bad++;
                }
                continue;
            }
            const struct page_info *tp = shim_page((unsigned int)ti);
            exp[ti].count++;
            if (level == 1 && (e & _PAGE_RW)) {
                exp[ti].type_count++;
                if (page_type(tp) != PGT_writable_page) {
                    printf("# L1 %u[%u]: writable mapping of frame %d of type %llu\n", i, s, ti,
                           (unsigned long long)(page_type(tp) >> PGT_type_shift));
                    bad++;
                }
            } else if (level > 1) {
                exp[ti].type_count++;
                bool child = page_type(tp) == pt_level_type(level - 1);
                bool linear = page_type(tp) == pt_level_type(level) && !(e & _PAGE_RW);
                if (!(child || linear) || !page_type_validated(tp)) {
                    printf("# L%u %u[%u]: points at frame %d of type %llu\n", level, i, s, ti,
                           (unsigned long long)(page_type(tp) >> PGT_type_shift));
                    bad++;
                }
            }
            if (page_get_owner(tp) != page_get_owner(pg) &&
                !(level == 1 && page_get_owner(pg)->is_privileged)) {
                printf("# L%u %u[%u]: maps frame %d of another domain\n", level, i, s, ti);
                bad++;
            }
        }
    }
    for (unsigned int i = 0; i < NF; i++) {
        const struct page_info *pg = shim_page(i);
        if (page_count(pg) != exp[i].count || page_type_count(pg) != exp[i].type_count) {
            printf("# frame %u: count %llu type count %llu, recount %llu / %llu\n", i,
                   (unsigned long long)page_count(pg), (unsigned long long)page_type_count(pg),
                   (unsigned long long)exp[i].count, (unsigned long long)exp[i].type_count);
            bad++;
        }
    }
    return bad;
}

static int setup(void **state)
{
    (void)state;
    shim_reset();
    iomem_reset();
    memset(held, 0, sizeof(held));
    memset(held_general, 0, sizeof(held_general));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return 0;
}

static void assert_counts(unsigned int i, uint64_t count, uint64_t type, uint64_t type_count)
{
    const struct page_info *pg = shim_page(i);
    if (page_count(pg) != count || page_type_count(pg) != type_count ||
        (type_count && page_type(pg) != type))
        printf("# frame %u: count %llu type %llu/%llu, expected %llu type %llu/%llu\n", i,
               (unsigned long long)page_count(pg),
               (unsigned long long)(page_type(pg) >> PGT_type_shift),
               (unsigned long long)page_type_count(pg), (unsigned long long)count,
               (unsigned long long)(type >> PGT_type_shift), (unsigned long long)type_count);
    assert_int_equal(page_count(pg), count);
    assert_int_equal(page_type_count(pg), type_count);
    if (type_count)
        assert_int_equal(page_type(pg), type);
}

static void assert_unchanged(const struct counts *before)
{
    struct counts now[NF];
    snapshot(now);
    for (unsigned int i = 0; i < NF; i++) {
        if (now[i].count != before[i].count || now[i].type_count != before[i].type_count)
            printf("# frame %u: %llu/%llu, was %llu/%llu\n", i, (unsigned long long)now[i].count,
                   (unsigned long long)now[i].type_count, (unsigned long long)before[i].count,
                   (unsigned long long)before[i].type_count);
        assert_int_equal(now[i].count, before[i].count);
        assert_int_equal(now[i].type_count, before[i].type_count);
    }
}

/* Pin as mmuext_op does (pv/mm.c): a type reference plus the pinned flag. */
static int pin(unsigned int i, unsigned int level, struct domain *d)
{
    int rc = get_page_and_type(SHIM_MFN(i), d, pt_level_type(level));
    if (rc)
        return rc;
    if (shim_page(i)->type_info & PGT_pinned) {
        put_page_and_type(shim_page(i));
        return -EINVAL;
    }
    shim_page(i)->type_info |= PGT_pinned;
    return 0;
}

static void unpin(unsigned int i)
{
    assert_true(shim_page(i)->type_info & PGT_pinned);
    shim_page(i)->type_info &= ~PGT_pinned;
    put_page_and_type(shim_page(i));
}

/*
 * The fixed tree of domU:
 *   L4A[0] -> L3A;  L3A[0] -> L2A, L3A[1] -> L2B
 *   L2A[0] -> L1A, L2A[1] -> L1B;  L2B[0] -> L1A (shared)
 *   L1A[0] -> D0 RW, [1] -> D0+1 RO, [2] -> D0 RW, [3] -> L1B RO, [4] not present junk
 *   L1B[0] -> D0+2 RW
 * and junk in L4A's hypervisor slots, which validation must ignore.
 */
static void build_tree(void)
{
    shim_table(L4A)[0] = shim_pte(L3A, _PAGE_RW);
    shim_table(L4A)[HV_SLOT_FIRST] = shim_pte(D0, _PAGE_RW);
    shim_table(L4A)[HV_SLOT_LAST] = shim_pte(L4A, _PAGE_RW);
    shim_table(L3A)[0] = shim_pte(L2A, _PAGE_RW);
    shim_table(L3A)[1] = shim_pte(L2B, _PAGE_RW);
    shim_table(L2A)[0] = shim_pte(L1A, _PAGE_RW);
    shim_table(L2A)[1] = shim_pte(L1B, _PAGE_RW);
    shim_table(L2B)[0] = shim_pte(L1A, _PAGE_RW);
    shim_table(L1A)[0] = shim_pte(D0, _PAGE_RW);
    shim_table(L1A)[1] = shim_pte(D0 + 1, 0);
    shim_table(L1A)[2] = shim_pte(D0, _PAGE_RW | _PAGE_NX);
    shim_table(L1A)[3] = shim_pte(L1B, 0);
    shim_table(L1A)[4] = shim_pte(SHIM_HV_0, _PAGE_RW) & ~_PAGE_PRESENT;
    shim_table(L1B)[0] = shim_pte(D0 + 2, _PAGE_RW);
}

static void assert_tree_released(void)
{
    for (unsigned int i = 0; i < SHIM_DOMU_N; i++)
        assert_counts(i, 1, 0, 0);
}

static void test_validate_l4_tree(void **state)
{
    (void)state;
    build_tree();
    assert_int_equal(get_page_and_type(SHIM_MFN(L4A), &shim_domu, PGT_l4_page_table), 0);
    held[L4A] = 1;

    assert_counts(L4A, 2, PGT_l4_page_table, 1);
    assert_counts(L3A, 2, PGT_l3_page_table, 1);
    assert_counts(L2A, 2, PGT_l2_page_table, 1);
    assert_counts(L2B, 2, PGT_l2_page_table, 1);
    assert_counts(L1A, 3, PGT_l1_page_table, 2);
    assert_counts(L1B, 3, PGT_l1_page_table, 1); /* L2A[1] and the read-only L1A[3] */
    assert_counts(D0, 3, PGT_writable_page, 2);
    assert_counts(D0 + 1, 2, 0, 0);
    assert_counts(D0 + 2, 2, PGT_writable_page, 1);
    for (unsigned int i = L1C; i < NF; i++)
        if (i != D0 && i != D0 + 1 && i != D0 + 2)
            assert_int_equal(page_count(shim_page(i)), i < SHIM_DOM0_0 + SHIM_DOM0_N ? 1 : 0);
    for (unsigned int i = L4A; i <= L1B; i++)
        assert_true(page_type_validated(shim_page(i)));
    /* Present entries read back with U (and A in the L4); the hypervisor slots are its own. */
    assert_int_equal(shim_table(L4A)[0], shim_pte(L3A, _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED));
    assert_int_equal(shim_table(L1A)[1], shim_pte(D0 + 1, _PAGE_USER));
    assert_int_equal(shim_table(L1A)[4] & _PAGE_USER, 0);
    assert_int_equal(shim_l4_slots_count, 1);
    assert_int_equal(shim_table(L4A)[HV_SLOT_FIRST], shim_hv_slot_entry);
    assert_int_equal(recount(), 0);

    /* The last put devalidates the whole tree. */
    put_page_and_type(shim_page(L4A));
    held[L4A] = 0;
    assert_tree_released();
    for (unsigned int i = L4A; i <= L1B; i++)
        assert_false(page_type_validated(shim_page(i)));
    assert_int_equal(recount(), 0);
}

static void test_validate_shares_validated_subtree(void **state)
{
    (void)state;
    build_tree();
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    assert_counts(D0, 3, PGT_writable_page, 2);
    /* The tree now finds L1A validated: its entries take nothing more. */
    assert_int_equal(pin(L4A, 4, &shim_domu), 0);
    assert_counts(L1A, 4, PGT_l1_page_table, 3);
    assert_counts(D0, 3, PGT_writable_page, 2);
    assert_int_equal(recount(), 0);
    unpin(L4A);
    assert_counts(L1A, 2, PGT_l1_page_table, 1);
    assert_counts(D0, 3, PGT_writable_page, 2);
    assert_counts(L2A, 1, 0, 0);
    unpin(L1A);
    assert_tree_released();
    assert_int_equal(recount(), 0);
}

/* A bad entry in the middle of an L1: everything before it is given back. */
static void check_l1_unwind(pte_t bad, int expect_rc)
{
    struct counts before[NF];
    pte_t *t = shim_table(L1C);

    assert_int_equal(pin(L1B, 1, &shim_domu), 0); /* a page table to map read-only */
    for (unsigned int s = 0; s < 40; s++)
        t[s] = shim_pte(D0 + s % 5, (s & 1) ? _PAGE_RW : 0);
    t[40] = shim_pte(L1B, 0);
    t[41] = bad;
    for (unsigned int s = 42; s < 60; s++)
        t[s] = shim_pte(D0 + s % 3, _PAGE_RW);
    snapshot(before);
    assert_int_equal(get_page_and_type(SHIM_MFN(L1C), &shim_domu, PGT_l1_page_table), expect_rc);
    assert_unchanged(before);
    assert_int_equal(shim_page(L1C)->type_info, 0);
    assert_int_equal(recount(), 0);
    unpin(L1B);
    assert_tree_released();
}

/* dom0's I/O policy (pv/iomem.c): denied and read-only frames, uncacheable entries. */
static void test_iomem_policy(void **state)
{
    struct counts before[NF];
    unsigned int l1 = SHIM_DOM0_0;
    pte_t *t = shim_table(l1);
    mfn_t denied = SHIM_MFN(SHIM_HOLE_0), ro = SHIM_MFN(SHIM_HOLE_0 + 1);
    mfn_t open = SHIM_MFN(SHIM_HOLE_0 + 2), far = max_mfn + 20;
    const pte_t types = _PAGE_PAT | _PAGE_PCD | _PAGE_PWT, uc = _PAGE_PCD | _PAGE_PWT;
    (void)state;

    assert_int_equal(iomem_deny(denied, denied), 0);
    assert_int_equal(iomem_read_only(ro, ro), 0);
    assert_int_equal(iomem_read_only(far, far + 3), 0);
    assert_int_equal(pin(l1, 1, &shim_dom0), 0);
    snapshot(before);
    /* Denied: -EPERM, the slot untouched; also when dom0 names a foreign domain. */
    t[0] = 0;
    assert_int_equal(
        mod_pt_entry(&t[0], 1, denied << PAGE_SHIFT | 1, &shim_dom0, &shim_dom0, false), -EPERM);
    assert_int_equal(t[0], 0);
    assert_int_equal(mod_pt_entry(&t[0], 1, open << PAGE_SHIFT | 1, &shim_dom0, &shim_domu, false),
                     -EPERM);
    assert_int_equal(
        mod_pt_entry(&t[0], 1, IOMEM_TOP_MFN << PAGE_SHIFT | 1, &shim_dom0, &shim_dom0, false),
        -EINVAL);
    /* Read-only: a writable request is installed without RW, as uncacheable. */
    assert_int_equal(mod_pt_entry(&t[1], 1, ro << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW, &shim_dom0,
                                  &shim_dom0, false),
                     0);
    assert_int_equal(t[1] & (_PAGE_RW | types), uc);
    assert_int_equal(mod_pt_entry(&t[2], 1,
                                  (far + 3) << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD,
                                  &shim_dom0, &shim_dom0, false),
                     0);
    assert_int_equal(t[2] & (_PAGE_RW | types), _PAGE_PCD);
    /* Memory types: WB, WT, WP become UC; UC-, UC, WC stay; RW stays where allowed. */
    const struct {
        pte_t asked, installed;
    } m[] = {
        {0, uc},
        {_PAGE_PWT, uc},
        {_PAGE_PAT | _PAGE_PWT, uc},
        {_PAGE_PCD, _PAGE_PCD},
        {uc, uc},
        {_PAGE_PAT, _PAGE_PAT},
        {_PAGE_PAT | _PAGE_PCD, _PAGE_PAT | _PAGE_PCD},
    };
    for (unsigned int i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        pte_t e = open << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW | m[i].asked;
        assert_int_equal(mod_pt_entry(&t[3 + i], 1, e, &shim_dom0, &shim_dom0, false), 0);
        assert_int_equal(t[3 + i] & (_PAGE_RW | types), _PAGE_RW | m[i].installed);
        /* The same frame and RW again (no reference change): still adjusted. */
        assert_int_equal(mod_pt_entry(&t[3 + i], 1, e, &shim_dom0, &shim_dom0, false), 0);
        assert_int_equal(t[3 + i] & (_PAGE_RW | types), _PAGE_RW | m[i].installed);
    }
    /* RAM keeps what it asked for. */
    assert_int_equal(
        mod_pt_entry(&t[20], 1, shim_pte(SHIM_DOM0_0 + 1, _PAGE_RW), &shim_dom0, &shim_dom0, false),
        0);
    assert_int_equal(t[20] & (_PAGE_RW | types), _PAGE_RW);
    assert_int_equal(mod_pt_entry(&t[20], 1, 0, &shim_dom0, &shim_dom0, false), 0);
    assert_unchanged(before);
    /* A table validated with such entries gets the same treatment. */
    unpin(l1);
    pte_t *v = shim_table(l1 + 1);
    v[0] = ro << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW;
    v[1] = open << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_PWT;
    assert_int_equal(pin(l1 + 1, 1, &shim_dom0), 0);
    assert_int_equal(v[0] & (_PAGE_RW | types), uc);
    assert_int_equal(v[1] & (_PAGE_RW | types), uc);
    v[2] = denied << PAGE_SHIFT | _PAGE_PRESENT;
    unpin(l1 + 1);
    assert_int_equal(pin(l1 + 1, 1, &shim_dom0), -EPERM);
    assert_tree_released();
}

/* A read-only range for as long as a device uses it (MSI-X tables): writable requests
 * are installed without RW while it is set, with RW again once it is removed, and a
 * removed slot is used again. */
static void test_iomem_read_only_while_used(void **state)
{
    unsigned int l1 = SHIM_DOM0_0;
    pte_t *t = shim_table(l1);
    mfn_t table = SHIM_MFN(SHIM_HOLE_0 + 3);
    const pte_t rw = table << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW;
    (void)state;

    assert_int_equal(pin(l1, 1, &shim_dom0), 0);
    int slot = iomem_read_only_add(table, table);
    assert_true(slot >= 0);
    assert_true(iomem_is_read_only(table));
    assert_false(iomem_is_read_only(table + 1));
    assert_int_equal(mod_pt_entry(&t[0], 1, rw, &shim_dom0, &shim_dom0, false), 0);
    assert_int_equal(t[0] & _PAGE_RW, 0);
    iomem_read_only_remove(slot);
    assert_false(iomem_is_read_only(table));
    assert_int_equal(mod_pt_entry(&t[1], 1, rw, &shim_dom0, &shim_dom0, false), 0);
    assert_int_equal(t[1] & _PAGE_RW, _PAGE_RW);
    assert_int_equal(iomem_read_only_add(table, table), slot);
    /* Every slot taken: -ENOSPC, and removing one frees it. */
    int last = slot;
    for (int n = 1; n < IOMEM_DYN_RO_SLOTS; n++)
        last = iomem_read_only_add(table + 1, table + 1);
    assert_true(last >= 0);
    assert_int_equal(iomem_read_only_add(table + 2, table + 2), -ENOSPC);
    iomem_read_only_remove(last);
    assert_int_equal(iomem_read_only_add(table + 2, table + 2), last);
    assert_int_equal(mod_pt_entry(&t[0], 1, 0, &shim_dom0, &shim_dom0, false), 0);
    assert_int_equal(mod_pt_entry(&t[1], 1, 0, &shim_dom0, &shim_dom0, false), 0);
    unpin(l1);
    iomem_reset();
    assert_false(iomem_is_read_only(table));
    assert_tree_released();
}

static void test_unwind_bad_l1_entry(void **state)
{
    (void)state;
    check_l1_unwind(shim_pte(SHIM_HV_0, 0), -EBUSY);          /* hypervisor memory */
    check_l1_unwind(shim_pte(SHIM_DOM0_0, 0), -EBUSY);        /* another domain's */
    check_l1_unwind(shim_pte(SHIM_FREE_0, _PAGE_RW), -EBUSY); /* a free frame */
    check_l1_unwind(shim_pte(L1B, _PAGE_RW), -EBUSY);         /* a table, writable */
    check_l1_unwind(shim_pte(D0, _PAGE_PCD), -EINVAL);        /* cache bits, unprivileged */
    check_l1_unwind(shim_pte(D0, _PAGE_PAT), -EINVAL);        /* PAT bit */
    /* I/O memory, unprivileged: Xen 4.17's -EPERM (iomem_access_permitted) */
    check_l1_unwind(shim_pte(SHIM_HOLE_0, 0), -EPERM);               /* a hole */
    check_l1_unwind((max_phys_mfn() + 7) << PAGE_SHIFT | 1, -EPERM); /* no such address */
    check_l1_unwind(shim_pte(SHIM_FRAMES + 3, 0), -EPERM);           /* past the frame table */
    check_l1_unwind(IOMEM_TOP_MFN << PAGE_SHIFT | 1, -EINVAL);       /* Xen's "invalid" frame */
}

/* A bad L1 below the third entry of an L2 under an L3 under an L4: all four levels unwind. */
static void test_unwind_bad_l2_entry(void **state)
{
    struct counts before[NF];
    enum { L1X = 8, L1Y = 9 };
    (void)state;

    build_tree();
    shim_table(L2A)[2] = shim_pte(L1X, _PAGE_RW);
    shim_table(L2A)[3] = shim_pte(L1Y, _PAGE_RW);
    shim_table(L2A)[4] = shim_pte(L1B, _PAGE_RW);
    for (unsigned int s = 0; s < 20; s++)
        shim_table(L1X)[s] = shim_pte(D0 + 3, _PAGE_RW);
    shim_table(L1Y)[0] = shim_pte(D0 + 4, _PAGE_RW);
    shim_table(L1Y)[7] = shim_pte(D0 + 5, 0);
    shim_table(L1Y)[8] = shim_pte(L4A, _PAGE_RW); /* the L4 being validated, writable */
    shim_table(L1Y)[9] = shim_pte(D0 + 6, _PAGE_RW);
    snapshot(before);
    assert_int_equal(get_page_and_type(SHIM_MFN(L4A), &shim_domu, PGT_l4_page_table), -EBUSY);
    assert_unchanged(before);
    for (unsigned int i = L4A; i <= L1Y; i++)
        assert_int_equal(page_type_count(shim_page(i)), 0);
    assert_int_equal(recount(), 0);

    /*
     * L1Y[8] maps L2B writable before L3A[1] reaches it: the L1 side succeeds
     * and L3A[1] is the entry refused, after the whole L2A subtree was built.
     */
    shim_table(L1Y)[8] = shim_pte(L2B, _PAGE_RW);
    assert_int_equal(get_page_and_type(SHIM_MFN(L4A), &shim_domu, PGT_l4_page_table), -EINVAL);
    assert_unchanged(before);
    for (unsigned int i = L4A; i <= L1Y; i++)
        assert_int_equal(page_type_count(shim_page(i)), 0);
    assert_int_equal(recount(), 0);

    /* The same tree with the entry read-only validates, and releases fully. */
    shim_table(L1Y)[8] = shim_pte(L2B, 0);
    assert_int_equal(pin(L4A, 4, &shim_domu), 0);
    assert_counts(L1X, 2, PGT_l1_page_table, 1);
    assert_counts(D0 + 3, 21, PGT_writable_page, 20);
    assert_counts(L2B, 3, PGT_l2_page_table, 1); /* L3A[1] and L1Y[8] (read-only) */
    assert_int_equal(recount(), 0);
    unpin(L4A);
    assert_tree_released();
}

static void test_writable_table_refused(void **state)
{
    struct counts before[NF];
    (void)state;

    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    assert_int_equal(pin(L1B, 1, &shim_domu), 0);
    pte_t *slot = &shim_table(L1B)[5];
    snapshot(before);
    /* Directly, through a second alias, and after mapping it read-only first. */
    assert_int_equal(mod_pt_entry(slot, 1, shim_pte(L1A, _PAGE_RW), &shim_domu, &shim_domu, false),
                     -EBUSY);
    assert_int_equal(mod_pt_entry(slot, 1, shim_pte(L1B, _PAGE_RW), &shim_domu, &shim_domu, false),
                     -EBUSY);
    assert_unchanged(before);
    assert_int_equal(*slot, 0);
    assert_int_equal(mod_pt_entry(slot, 1, shim_pte(L1A, 0), &shim_domu, &shim_domu, false), 0);
    assert_counts(L1A, 3, PGT_l1_page_table, 1);
    assert_int_equal(mod_pt_entry(slot, 1, shim_pte(L1A, _PAGE_RW), &shim_domu, &shim_domu, false),
                     -EBUSY);
    assert_int_equal(*slot, shim_pte(L1A, _PAGE_USER)); /* the old entry stays */
    assert_counts(L1A, 3, PGT_l1_page_table, 1);
    /* The other way round: a page mapped writable cannot become a table. */
    assert_int_equal(mod_pt_entry(slot, 1, shim_pte(D0, _PAGE_RW), &shim_domu, &shim_domu, false),
                     0);
    snapshot(before);
    assert_int_equal(pin(D0, 1, &shim_domu), -EINVAL);
    assert_int_equal(pin(D0, 4, &shim_domu), -EINVAL);
    assert_unchanged(before);
    assert_int_equal(recount(), 0);
    unpin(L1B);
    unpin(L1A);
    assert_tree_released();
}

static void test_pin_unpin(void **state)
{
    (void)state;
    build_tree();
    assert_int_equal(pin(L2A, 2, &shim_domu), 0);
    assert_counts(L2A, 2, PGT_l2_page_table, 1);
    assert_true(shim_page(L2A)->type_info & PGT_pinned);
    /* Pinning twice fails and leaves the counts. */
    assert_int_equal(pin(L2A, 2, &shim_domu), -EINVAL);
    assert_counts(L2A, 2, PGT_l2_page_table, 1);
    /* As another level: the type is in use. */
    assert_int_equal(pin(L2A, 3, &shim_domu), -EINVAL);
    assert_int_equal(pin(L2A, 1, &shim_domu), -EINVAL);
    /* Pinning what a pinned table references: no second validation. */
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    assert_counts(L1A, 3, PGT_l1_page_table, 2);
    assert_counts(D0, 3, PGT_writable_page, 2);
    assert_int_equal(recount(), 0);
    unpin(L2A);
    assert_counts(L2A, 1, 0, 0);
    assert_counts(L1B, 2, 0, 0); /* still mapped read-only by L1A[3] */
    assert_counts(L1A, 2, PGT_l1_page_table, 1);
    assert_counts(D0, 3, PGT_writable_page, 2);
    unpin(L1A);
    assert_tree_released();
    /* Another domain's frame, a free frame, the hypervisor's, past the end. */
    assert_int_equal(pin(SHIM_DOM0_0, 1, &shim_domu), -EINVAL);
    assert_int_equal(pin(SHIM_FREE_0, 1, &shim_domu), -EINVAL);
    assert_int_equal(pin(SHIM_HV_0, 1, &shim_domu), -EINVAL);
    assert_int_equal(get_page_and_type(max_mfn, &shim_domu, PGT_l1_page_table), -EINVAL);
    assert_int_equal(get_page_and_type(INVALID_MFN, &shim_domu, PGT_l1_page_table), -EINVAL);
    assert_int_equal(recount(), 0);
}

/* A dying domain gives its frames up (PGC_allocated cleared); put_page of the last
 * reference, and only that, hands the frame back (domain_page_released). */
static void test_last_reference_of_given_up_frame(void **state)
{
    (void)state;
    struct page_info *pg = shim_page(D0);
    uint64_t held = page_count(pg);
    assert_true(get_page(pg, &shim_domu));
    put_page(pg);
    assert_int_equal(shim_released_count, 0); /* still allocated: nothing happens */
    assert_true(get_page(pg, &shim_domu));    /* another domain's mapping, say */
    pg->count_info &= ~PGC_allocated;
    for (uint64_t i = 0; i < held; i++)
        put_page(pg); /* what the allocation held */
    assert_int_equal(shim_released_count, 0);
    assert_false(get_page(pg, &shim_domu)); /* given up: no new references */
    put_page(pg);
    assert_int_equal(shim_released_count, 1);
    assert_ptr_equal(shim_released_last, pg);
    pg->count_info |= PGC_allocated | held; /* leave the shim as it was */
}

/*
 * Log-dirty mode marks a frame when its last writable (or table) reference goes: only
 * then, once per drop to 0, for the frame itself; a writable L1 entry replaced by a
 * read-only one drops its target's reference, a table unpinned drops its own.
 */
static void test_type_released_for_logdirty(void **state)
{
    struct page_info *pg = shim_page(D0);
    (void)state;

    assert_true(get_page(pg, &shim_domu));
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    put_page_type(pg);
    assert_int_equal(shim_type_released_count, 0);
    put_page_type(pg);
    assert_int_equal(shim_type_released_count, 1);
    assert_ptr_equal(shim_type_released_last, pg);
    put_page(pg);

    /* An L1 mapping D0 + 1 writable, then read-only: the writable reference goes. */
    shim_table(D0 + 2)[3] = shim_pte(D0 + 1, _PAGE_RW);
    assert_int_equal(get_page_and_type(SHIM_MFN(D0 + 2), &shim_domu, PGT_l1_page_table), 0);
    shim_type_released_count = 0;
    assert_int_equal(
        mod_pt_entry(&shim_table(D0 + 2)[3], 1, shim_pte(D0 + 1, 0), &shim_domu, &shim_domu, false),
        0);
    assert_int_equal(shim_type_released_count, 1);
    assert_ptr_equal(shim_type_released_last, shim_page(D0 + 1));
    /* The table's own last reference: its entry's frame had no writable reference left. */
    put_page_and_type(shim_page(D0 + 2));
    assert_int_equal(shim_type_released_count, 2);
    assert_ptr_equal(shim_type_released_last, shim_page(D0 + 2));
}

static void test_type_change_at_zero(void **state)
{
    struct page_info *pg = shim_page(D0);
    (void)state;

    assert_true(get_page(pg, &shim_domu));
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    assert_int_equal(shim_flush_count, 0);
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), -EINVAL);
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), -EINVAL);
    assert_counts(D0, 2, PGT_writable_page, 1);
    put_page_type(pg);
    /* Writable to table: stale writable TLB entries must be flushed first (domU runs on
     * CPU 0, which has not flushed since the writable type went). */
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), 0);
    assert_int_equal(shim_flush_count, 1);
    assert_int_equal(get_page_type(pg, PGT_writable_page), -EINVAL);
    assert_int_equal(get_page_type(pg, PGT_l2_page_table), -EINVAL);
    put_page_type(pg);
    /* Table to writable: a walk cached through the old table must go too. */
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    assert_int_equal(shim_flush_count, 2);
    put_page_type(pg);
    /* Descriptor pages are validated by their own checker; a refusal leaves no type. Writable
     * to descriptor page flushes (a kept writable translation would write descriptors). */
    shim_desc_validate_rc = -EINVAL;
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), -EINVAL);
    assert_int_equal(shim_flush_count, 3);
    assert_int_equal(pg->type_info, 0);
    shim_desc_validate_rc = 0;
    /* CPU 0 flushed after the frame's last mapping went: no second flush. */
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), 0);
    assert_int_equal(shim_flush_count, 3);
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), 0);
    assert_int_equal(shim_desc_validate_count, 2); /* validated once per 0 -> 1 */
    assert_counts(D0, 2, PGT_seg_desc_page, 2);
    put_page_type(pg);
    put_page_type(pg);
    put_page(pg);
    /* Putting what is not held is a hypervisor bug, caught. */
    EXPECT_PANIC(put_page_type(pg));
    assert_int_equal(recount(), 0);
}

/* The TLB-flush clock decides which CPUs a retype flushes (arch/x86/flushtlb.c). */
static void test_retype_flush_clock(void **state)
{
    struct page_info *pg = shim_page(D0);
    (void)state;

    /* A frame never mapped since it came from the heap (stamp 0) flushes nobody. */
    assert_int_equal(pg->tlbflush_timestamp, 0);
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), 0);
    assert_int_equal(shim_flush_count, 0);
    put_page_type(pg);
    assert_int_equal(pg->tlbflush_timestamp, tlbflush_clock);

    /* The stamp is taken when the type count reaches 0, not before. */
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0); /* CPU 0 flushed: count 1 */
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    tlbflush_clock = 10;
    put_page_type(pg);
    assert_int_not_equal(pg->tlbflush_timestamp, 10);
    put_page_type(pg);
    assert_int_equal(pg->tlbflush_timestamp, 10);

    /* Same type again at count 0: nothing to flush, however old the CPUs' flushes. */
    shim_flush_count = 0;
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    assert_int_equal(shim_flush_count, 0);
    put_page_type(pg); /* stamp 10 */

    /* domU on CPUs 0-2: only those whose last flush is not newer than the stamp. */
    shim_domu.dirty_cpumask = cpumask_of(0) | cpumask_of(1) | cpumask_of(2);
    tlbflush_cpus[0].time = 11; /* flushed after the mapping went */
    tlbflush_cpus[1].time = 10; /* took its time before the stamp was read */
    tlbflush_cpus[2].time = 3;
    tlbflush_clock = 11;
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), 0);
    assert_int_equal(shim_flush_count, 1);
    assert_int_equal(shim_flush_last_mask, cpumask_of(1) | cpumask_of(2));
    put_page_type(pg);

    /* An owner running nowhere: nobody can hold its translations. */
    shim_domu.dirty_cpumask = 0;
    assert_int_equal(get_page_type(pg, PGT_l2_page_table), 0);
    assert_int_equal(shim_flush_count, 1);
    put_page_type(pg);

    /* Removing a writable entry stamps the frame it mapped; so does a pin's teardown. */
    shim_domu.dirty_cpumask = cpumask_of(0);
    pte_t *l1 = shim_table(L1A);
    l1[3] = shim_pte(D0 + 3, _PAGE_RW);
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    assert_counts(D0 + 3, 2, PGT_writable_page, 1);
    tlbflush_clock = 42;
    assert_int_equal(mod_pt_entry(&l1[3], 1, 0, &shim_domu, &shim_domu, false), 0);
    assert_int_equal(shim_page(D0 + 3)->tlbflush_timestamp, 42);
    tlbflush_clock = 43;
    unpin(L1A);
    assert_int_equal(shim_page(L1A)->tlbflush_timestamp, 43);
    /* ... and its next type flushes CPU 0, whose last flush is older. */
    shim_flush_count = 0;
    assert_int_equal(get_page_type(shim_page(L1A), PGT_writable_page), 0);
    assert_int_equal(shim_flush_count, 1);
    put_page_type(shim_page(L1A));
    assert_int_equal(recount(), 0);
}

/* Frames of domU no fixed tree uses: an L2, an L1, a data page (the put-off tests). */
enum { PO_L2 = 16, PO_L1 = 17, PO_DATA = 18 };

/* Make frame i's last writable mapping end at clock value 20 while domU ran on CPUs 1 and
 * 2, neither flushed since: its next new type needs both flushed. */
static void stale_on_cpus_1_2(unsigned int i)
{
    assert_int_equal(get_page_type(shim_page(i), PGT_writable_page), 0);
    shim_domu.dirty_cpumask = cpumask_of(1) | cpumask_of(2);
    tlbflush_clock = 20;
    put_page_type(shim_page(i));
    tlbflush_cpus[1].time = 5;
    tlbflush_cpus[2].time = 7;
    shim_flush_count = 0;
}

/* Under a hold that may put flushes off (pv/mm_lock.c), a retype needing a flush fails
 * with nothing changed, names the CPUs, and succeeds once they flushed. */
static void test_retype_flush_put_off(void **state)
{
    struct page_info *pg = shim_page(PO_DATA);
    (void)state;
    stale_on_cpus_1_2(PO_DATA);

    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), -ERETYPEFLUSH);
    assert_counts(PO_DATA, 1, PGT_writable_page, 0);
    assert_int_equal(page_type(pg), PGT_writable_page); /* the old type stays */
    assert_int_equal(shim_flush_count, 0);
    cpumask_t cpus = retype_flush_end(&global_retype_flush);
    assert_int_equal(cpus, cpumask_of(1) | cpumask_of(2));

    /* The flush with the lock dropped, then the operation again: nothing left to flush. */
    flush_tlb_mask(cpus);
    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_type(pg, PGT_seg_desc_page), 0);
    assert_int_equal(retype_flush_end(&global_retype_flush), 0);
    assert_int_equal(shim_flush_count, 1);
    put_page_type(pg);

    /* Mapped and unmapped again meanwhile (a newer stamp): put off again. */
    stale_on_cpus_1_2(PO_DATA);
    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), -ERETYPEFLUSH);
    assert_int_not_equal(retype_flush_end(&global_retype_flush), 0);
    /* The last attempt may not put it off: it flushes in place, as before. */
    retype_flush_begin(&global_retype_flush, false);
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), 0);
    assert_int_equal(retype_flush_end(&global_retype_flush), 0);
    assert_int_equal(shim_flush_count, 1);
    assert_int_equal(shim_flush_last_mask, cpumask_of(1) | cpumask_of(2));
    put_page_type(pg);
    assert_int_equal(recount(), 0);
}

/* In a preemptible validation a put-off flush stops it as preemption does: the parent is
 * left partial with the child (still free) as its partial child, and resumes after. */
static void test_retype_flush_put_off_preemptible(void **state)
{
    (void)state;
    shim_table(PO_L2)[0] = shim_pte(PO_L1, _PAGE_RW);
    shim_table(PO_L1)[0] = shim_pte(PO_DATA, _PAGE_RW);

    /* The child table needs the flush. */
    stale_on_cpus_1_2(PO_L1);
    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_and_type_preemptible(SHIM_MFN(PO_L2), &shim_domu, PGT_l2_page_table),
                     -ERESTART);
    assert_int_equal(retype_flush_end(&global_retype_flush), cpumask_of(1) | cpumask_of(2));
    assert_true(shim_page(PO_L2)->type_info & PGT_partial);
    assert_int_equal(shim_page(PO_L2)->nr_validated, 0);
    assert_true(shim_page(PO_L2)->partial_child);
    assert_counts(PO_L1, 2, PGT_writable_page, 0); /* allocation + the parent's reference */
    assert_int_equal(recount(), 0);
    flush_tlb_mask(cpumask_of(1) | cpumask_of(2));

    /* A data page below it needs one: the child L1 fails whole and stays free. */
    stale_on_cpus_1_2(PO_DATA);
    shim_page(PO_DATA)->type_info = PGT_seg_desc_page; /* count 0, last a descriptor page */
    shim_page(PO_L1)->tlbflush_timestamp = 0;          /* the child itself needs none now */
    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_and_type_preemptible(SHIM_MFN(PO_L2), &shim_domu, PGT_l2_page_table),
                     -ERESTART);
    assert_int_equal(retype_flush_end(&global_retype_flush), cpumask_of(1) | cpumask_of(2));
    assert_true(shim_page(PO_L2)->partial_child);
    assert_counts(PO_L1, 2, 0, 0);
    assert_int_equal(page_type(shim_page(PO_L1)), 0); /* validated, failed, unwound */
    assert_counts(PO_DATA, 1, 0, 0);
    assert_int_equal(recount(), 0);
    flush_tlb_mask(cpumask_of(1) | cpumask_of(2));

    /* Flushed: the retry resumes and validates everything. */
    retype_flush_begin(&global_retype_flush, true);
    assert_int_equal(get_page_and_type_preemptible(SHIM_MFN(PO_L2), &shim_domu, PGT_l2_page_table),
                     0);
    assert_int_equal(retype_flush_end(&global_retype_flush), 0);
    assert_counts(PO_L2, 2, PGT_l2_page_table, 1);
    assert_counts(PO_L1, 2, PGT_l1_page_table, 1);
    assert_counts(PO_DATA, 2, PGT_writable_page, 1);
    held[PO_L2]++;
    assert_int_equal(recount(), 0);
    held[PO_L2]--;
    put_page_and_type(shim_page(PO_L2));
    assert_int_equal(recount(), 0);
}

static void test_linear_entries(void **state)
{
    pte_t *l4 = shim_table(L4A);
    (void)state;

    build_tree();
    assert_int_equal(pin(L4A, 4, &shim_domu), 0);
    assert_int_equal(pin(L4B, 4, &shim_domu), 0);
    struct counts before[NF];
    snapshot(before);
    /* Self-reference, read-only: accepted, no reference. */
    assert_int_equal(mod_pt_entry(&l4[300], 4, shim_pte(L4A, 0), &shim_domu, &shim_domu, false), 0);
    assert_unchanged(before);
    /* Self-reference, writable: refused. */
    assert_int_equal(
        mod_pt_entry(&l4[301], 4, shim_pte(L4A, _PAGE_RW), &shim_domu, &shim_domu, false), -EINVAL);
    /* Another validated L4: read-only takes a general and a type reference. */
    assert_int_equal(mod_pt_entry(&l4[302], 4, shim_pte(L4B, 0), &shim_domu, &shim_domu, false), 0);
    assert_counts(L4B, 3, PGT_l4_page_table, 2);
    assert_int_equal(
        mod_pt_entry(&l4[303], 4, shim_pte(L4B, _PAGE_RW), &shim_domu, &shim_domu, false), -EINVAL);
    assert_counts(L4B, 3, PGT_l4_page_table, 2);
    /* One level down: L3A[5] -> L3A (self) and L2A[9] -> L2B. */
    assert_int_equal(
        mod_pt_entry(&shim_table(L3A)[5], 3, shim_pte(L3A, 0), &shim_domu, &shim_domu, false), 0);
    assert_int_equal(
        mod_pt_entry(&shim_table(L2A)[9], 2, shim_pte(L2B, 0), &shim_domu, &shim_domu, false), 0);
    assert_counts(L2B, 3, PGT_l2_page_table, 2);
    assert_int_equal(mod_pt_entry(&shim_table(L2A)[10], 2, shim_pte(L2B, _PAGE_RW), &shim_domu,
                                  &shim_domu, false),
                     -EINVAL);
    assert_int_equal(recount(), 0);
    /* Dropping the linear entry releases its references. */
    assert_int_equal(mod_pt_entry(&l4[302], 4, 0, &shim_domu, &shim_domu, false), 0);
    assert_counts(L4B, 2, PGT_l4_page_table, 1);
    unpin(L4B);
    unpin(L4A);
    assert_tree_released();
    assert_int_equal(recount(), 0);
}

/*
 * A frame that was an L2 table and is no longer one keeps the L2 type bits at
 * type count 0. Xen's get_page_from_l2e asks for the L1 type first and only
 * falls back to a linear mapping when that fails, so such a frame becomes an
 * L1 table here too.
 */
static void test_stale_type_retyped(void **state)
{
    (void)state;
    assert_int_equal(pin(L2B, 2, &shim_domu), 0);
    unpin(L2B);
    assert_int_equal(page_type(shim_page(L2B)), PGT_l2_page_table);
    assert_int_equal(page_type_count(shim_page(L2B)), 0);
    assert_int_equal(pin(L2A, 2, &shim_domu), 0);
    int rc = mod_pt_entry(&shim_table(L2A)[0], 2, shim_pte(L2B, _PAGE_RW), &shim_domu, &shim_domu,
                          false);
    assert_int_equal(recount(), 0);
    assert_int_equal(rc, 0);
    assert_counts(L2B, 2, PGT_l1_page_table, 1);
    unpin(L2A);
    assert_tree_released();
}

/*
 * Linear entries chained through several tables: Xen (since XSA-240) refuses
 * a linear entry in a table that is itself the target of one, and the other
 * way round, so there are no chains (unbounded devalidation recursion) and no
 * loops (two tables holding each other's type references forever).
 */
static void test_linear_chain_refused(void **state)
{
    (void)state;
    assert_int_equal(pin(L2A, 2, &shim_domu), 0);
    assert_int_equal(pin(L2B, 2, &shim_domu), 0);
    assert_int_equal(
        mod_pt_entry(&shim_table(L2A)[0], 2, shim_pte(L2B, 0), &shim_domu, &shim_domu, false), 0);
    int rc = mod_pt_entry(&shim_table(L2B)[0], 2, shim_pte(L2A, 0), &shim_domu, &shim_domu, false);
    assert_int_equal(recount(), 0);
    if (rc == 0) {
        /* The loop: after both unpins neither table can ever drop to type count 0. */
        unpin(L2A);
        unpin(L2B);
        printf("# loop kept: L2A %llu/%llu L2B %llu/%llu after unpinning both\n",
               (unsigned long long)page_count(shim_page(L2A)),
               (unsigned long long)page_type_count(shim_page(L2A)),
               (unsigned long long)page_count(shim_page(L2B)),
               (unsigned long long)page_type_count(shim_page(L2B)));
        assert_int_equal(mod_pt_entry(&shim_table(L2B)[0], 2, 0, &shim_domu, &shim_domu, false), 0);
        assert_tree_released();
        fail_msg("linear entry accepted in a table that is the target of one (L2B -> L2A -> L2B)");
    }
    assert_int_not_equal(rc, 0);
    unpin(L2B);
    unpin(L2A);
    assert_tree_released();
}

static void test_mmio_privileged_only(void **state)
{
    struct counts before[NF];
    unsigned int l1 = SHIM_DOM0_0;
    pte_t *t0 = shim_table(l1);
    pte_t beyond = (max_mfn + 10) << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW;
    pte_t nowhere = (max_phys_mfn() + 1) << PAGE_SHIFT | _PAGE_PRESENT;
    (void)state;

    assert_int_equal(pin(l1, 1, &shim_dom0), 0);
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    snapshot(before);
    /* dom0: holes and frames past the table map without references, with cache bits. */
    assert_int_equal(mod_pt_entry(&t0[0], 1, shim_pte(SHIM_HOLE_0, _PAGE_RW | _PAGE_PCD),
                                  &shim_dom0, &shim_dom0, false),
                     0);
    assert_int_equal(mod_pt_entry(&t0[1], 1, beyond | _PAGE_PWT, &shim_dom0, &shim_dom0, false), 0);
    assert_unchanged(before);
    assert_int_equal(mod_pt_entry(&t0[2], 1, nowhere, &shim_dom0, &shim_dom0, false), -EPERM);
    /* Hypervisor RAM is not MMIO. */
    assert_int_equal(mod_pt_entry(&t0[3], 1, shim_pte(SHIM_HV_0, 0), &shim_dom0, &shim_dom0, false),
                     -EBUSY);
    /* Not in an L2. */
    assert_int_equal(pin(SHIM_DOM0_0 + 1, 2, &shim_dom0), 0);
    assert_int_equal(mod_pt_entry(&shim_table(SHIM_DOM0_0 + 1)[0], 2, shim_pte(SHIM_HOLE_0, 0),
                                  &shim_dom0, &shim_dom0, false),
                     -EINVAL);
    assert_int_equal(
        mod_pt_entry(&shim_table(SHIM_DOM0_0 + 1)[0], 2, beyond, &shim_dom0, &shim_dom0, false),
        -EINVAL);
    unpin(SHIM_DOM0_0 + 1);
    /* domU: none of it. */
    pte_t *tu = shim_table(L1A);
    assert_int_equal(
        mod_pt_entry(&tu[0], 1, shim_pte(SHIM_HOLE_0, 0), &shim_domu, &shim_domu, false), -EPERM);
    assert_int_equal(mod_pt_entry(&tu[0], 1, beyond, &shim_domu, &shim_domu, false), -EPERM);
    assert_int_equal(
        mod_pt_entry(&tu[0], 1, shim_pte(D0, _PAGE_PCD), &shim_domu, &shim_domu, false), -EINVAL);
    assert_unchanged(before);
    /* dom0 with domU as the foreign domain maps domU's frame (references on domU's frame). */
    assert_int_equal(mod_pt_entry(&t0[4], 1, shim_pte(D0, _PAGE_RW), &shim_dom0, &shim_domu, false),
                     0);
    assert_counts(D0, 2, PGT_writable_page, 1);
    assert_int_equal(recount(), 0);
    /* Removing the MMIO entries releases nothing; the foreign one is released. */
    unpin(l1);
    unpin(L1A);
    assert_tree_released();
    for (unsigned int i = SHIM_DOM0_0; i < SHIM_DOM0_0 + SHIM_DOM0_N; i++)
        assert_counts(i, 1, 0, 0);
    for (unsigned int i = SHIM_HOLE_0; i < SHIM_HOLE_0 + SHIM_HOLE_N; i++)
        assert_counts(i, 0, 0, 0);
    assert_int_equal(recount(), 0);
}

static int mod_u(pte_t *slot, unsigned int level, pte_t e)
{
    return mod_pt_entry(slot, level, e, &shim_domu, &shim_domu, false);
}

static void test_mod_entry_l1_combinations(void **state)
{
    (void)state;
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    pte_t *s = &shim_table(L1A)[7];
    const unsigned int A = D0, B = D0 + 1;

    assert_int_equal(mod_u(s, 1, shim_pte(A, 0)), 0); /* none -> RO */
    assert_counts(A, 2, 0, 0);
    assert_int_equal(mod_u(s, 1, shim_pte(A, _PAGE_RW)), 0); /* RO -> RW, same frame */
    assert_counts(A, 2, PGT_writable_page, 1);
    assert_int_equal(mod_u(s, 1, shim_pte(A, _PAGE_RW | _PAGE_NX | _PAGE_DIRTY)), 0); /* same */
    assert_counts(A, 2, PGT_writable_page, 1);
    assert_int_equal(*s, shim_pte(A, _PAGE_RW | _PAGE_NX | _PAGE_DIRTY | _PAGE_USER));
    assert_int_equal(mod_u(s, 1, shim_pte(A, _PAGE_RW | _PAGE_PCD)), -EINVAL); /* same, bad bit */
    assert_int_equal(mod_u(s, 1, shim_pte(B, _PAGE_RW)), 0);                   /* RW A -> RW B */
    assert_counts(A, 1, PGT_writable_page, 0);
    assert_counts(B, 2, PGT_writable_page, 1);
    assert_int_equal(mod_u(s, 1, shim_pte(A, 0)), 0); /* RW B -> RO A */
    assert_counts(A, 2, 0, 0);
    assert_counts(B, 1, 0, 0);
    assert_int_equal(mod_u(s, 1, shim_pte(A, 0)), 0); /* RO A -> RO A */
    assert_counts(A, 2, 0, 0);
    assert_int_equal(mod_u(s, 1, shim_pte(B, _PAGE_RW)), 0); /* RO A -> RW B */
    assert_counts(A, 1, 0, 0);
    assert_counts(B, 2, PGT_writable_page, 1);
    assert_int_equal(mod_u(s, 1, shim_pte(B, 0)), 0); /* RW B -> RO B */
    assert_counts(B, 2, PGT_writable_page, 0);
    /* PRESERVE_AD keeps the hardware's accessed/dirty bits. */
    *s |= _PAGE_ACCESSED | _PAGE_DIRTY;
    assert_int_equal(mod_pt_entry(s, 1, shim_pte(A, 0), &shim_domu, &shim_domu, true), 0);
    assert_int_equal(*s, shim_pte(A, _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY));
    assert_counts(B, 1, 0, 0);
    /* A refused replacement leaves the old entry and its references. */
    assert_int_equal(mod_u(s, 1, shim_pte(SHIM_HV_0, 0)), -EBUSY);
    assert_int_equal(pte_mfn(*s), SHIM_MFN(A));
    assert_counts(A, 2, 0, 0);
    assert_int_equal(mod_u(s, 1, 0), 0); /* present -> none */
    assert_counts(A, 1, 0, 0);
    assert_int_equal(mod_u(s, 1, shim_pte(SHIM_HV_0, 0) & ~_PAGE_PRESENT), 0); /* none -> none */
    assert_int_equal(recount(), 0);
    unpin(L1A);
    assert_tree_released();
}

static void test_mod_entry_upper_levels(void **state)
{
    (void)state;
    build_tree();
    assert_int_equal(pin(L4A, 4, &shim_domu), 0);
    /* L2A[1]: L1B -> L1C; L1C is validated, L1B devalidated (L1A[3] still maps it). */
    shim_table(L1C)[0] = shim_pte(D0 + 4, _PAGE_RW);
    assert_int_equal(mod_u(&shim_table(L2A)[1], 2, shim_pte(L1C, _PAGE_RW)), 0);
    assert_counts(L1C, 2, PGT_l1_page_table, 1);
    assert_counts(D0 + 4, 2, PGT_writable_page, 1);
    assert_counts(L1B, 2, PGT_l1_page_table, 0); /* only L1A's read-only mapping remains */
    assert_counts(D0 + 2, 1, PGT_writable_page, 0);
    /* Same frame, RW dropped: the type reference is given back and retaken, never zero. */
    assert_int_equal(mod_u(&shim_table(L2A)[1], 2, shim_pte(L1C, 0)), 0);
    assert_counts(L1C, 2, PGT_l1_page_table, 1);
    assert_counts(D0 + 4, 2, PGT_writable_page, 1);
    /* Same frame, same RW: the entry changes, the counts do not. */
    assert_int_equal(mod_u(&shim_table(L2A)[1], 2, shim_pte(L1C, _PAGE_ACCESSED)), 0);
    assert_int_equal(shim_table(L2A)[1], shim_pte(L1C, _PAGE_ACCESSED | _PAGE_USER));
    assert_counts(L1C, 2, PGT_l1_page_table, 1);
    /* Flags an upper level may not carry. */
    assert_int_equal(mod_u(&shim_table(L2A)[1], 2, shim_pte(L1C, _PAGE_PSE)), -EINVAL);
    assert_int_equal(mod_u(&shim_table(L3A)[4], 3, shim_pte(L2B, _PAGE_PSE)), -EINVAL);
    assert_int_equal(mod_u(&shim_table(L2A)[5], 2, shim_pte(L1C, _PAGE_GLOBAL)), -EINVAL);
    assert_int_equal(mod_u(&shim_table(L2A)[5], 2, shim_pte(L1C, _PAGE_PCD)), -EINVAL);
    /* A data frame mapped writable is not an L1. */
    assert_int_equal(mod_u(&shim_table(L2A)[5], 2, shim_pte(D0, 0)), -EINVAL);
    /* L3A[0]: L2A -> none releases the L2A subtree except what is shared. */
    assert_int_equal(mod_u(&shim_table(L3A)[0], 3, 0), 0);
    assert_counts(L2A, 1, 0, 0);
    assert_counts(L1C, 1, 0, 0);
    assert_counts(L1A, 2, PGT_l1_page_table, 1); /* still under L2B */
    /* The hypervisor's L4 slots cannot be written. */
    assert_int_equal(mod_u(&shim_table(L4A)[HV_SLOT_FIRST], 4, 0), -EINVAL);
    assert_int_equal(mod_u(&shim_table(L4A)[HV_SLOT_LAST], 4, shim_pte(L3A, 0)), -EINVAL);
    assert_int_equal(shim_table(L4A)[HV_SLOT_FIRST], shim_hv_slot_entry);
    assert_int_equal(recount(), 0);
    unpin(L4A);
    assert_tree_released();
}

static void test_cmpxchg_race(void **state)
{
    (void)state;
    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    assert_int_equal(pin(L2A, 2, &shim_domu), 0);
    pte_t *s = &shim_table(L1A)[3];
    assert_int_equal(mod_u(s, 1, shim_pte(D0, _PAGE_RW)), 0);
    pte_t cur = *s;
    struct counts before[NF];
    snapshot(before);
    /* Someone changed the slot since the caller read it: nothing happens, retry asked. */
    assert_int_equal(
        mod_pt_entry_cmpxchg(s, 1, shim_pte(D0 + 1, 0), shim_pte(D0 + 2, _PAGE_RW), &shim_domu), 1);
    assert_int_equal(*s, cur);
    assert_unchanged(before);
    /* A losing L2 update whose new L1 had to be validated: validated, then released again. */
    shim_table(L1C)[0] = shim_pte(D0 + 3, _PAGE_RW);
    pte_t *s2 = &shim_table(L2A)[0];
    assert_int_equal(mod_pt_entry_cmpxchg(s2, 2, shim_pte(L1B, 0), shim_pte(L1C, 0), &shim_domu),
                     1);
    assert_unchanged(before);
    /* An invalid new entry is an error, not a retry. */
    assert_int_equal(mod_pt_entry_cmpxchg(s, 1, cur, shim_pte(SHIM_HV_0, 0), &shim_domu), -EBUSY);
    assert_unchanged(before);
    /* With the right old value it wins: the old entry's references go. */
    assert_int_equal(mod_pt_entry_cmpxchg(s, 1, cur, shim_pte(D0 + 2, _PAGE_RW), &shim_domu), 0);
    assert_counts(D0, 1, PGT_writable_page, 0);
    assert_counts(D0 + 2, 2, PGT_writable_page, 1);
    assert_int_equal(recount(), 0);
    unpin(L2A);
    unpin(L1A);
    assert_tree_released();
}

static void test_count_overflow_refused(void **state)
{
    struct counts before[NF];
    (void)state;

    assert_int_equal(pin(L1A, 1, &shim_domu), 0);
    pte_t *t = shim_table(L1A);
    /* General count: one below the refusal point takes one more, then no more. */
    struct page_info *pg = shim_page(D0);
    pg->count_info = (pg->count_info & ~PGC_count_mask) | (PGC_count_mask - 2);
    assert_int_equal(mod_u(&t[0], 1, shim_pte(D0, 0)), 0);
    assert_int_equal(page_count(pg), PGC_count_mask - 1);
    snapshot(before);
    assert_int_equal(mod_u(&t[1], 1, shim_pte(D0, 0)), -EBUSY);
    assert_false(get_page(pg, &shim_domu));
    assert_unchanged(before);
    assert_int_equal(mod_u(&t[0], 1, 0), 0);
    pg->count_info = (pg->count_info & ~PGC_count_mask) | 1;

    /* Type count of a writable page. */
    pg = shim_page(D0 + 1);
    pg->type_info = PGT_writable_page | PGT_validated | (PGT_count_mask - 2);
    assert_int_equal(mod_u(&t[2], 1, shim_pte(D0 + 1, _PAGE_RW)), 0);
    snapshot(before);
    assert_int_equal(mod_u(&t[3], 1, shim_pte(D0 + 1, _PAGE_RW)), -EBUSY);
    assert_int_equal(get_page_type(pg, PGT_writable_page), -EOVERFLOW);
    assert_unchanged(before);
    assert_int_equal(mod_u(&t[2], 1, 0), 0);
    assert_int_equal(page_type_count(pg), PGT_count_mask - 2);
    pg->type_info = 0;

    /* Type count of an L1 referenced from an L2, and of a linear target. */
    assert_int_equal(pin(L2A, 2, &shim_domu), 0);
    pg = shim_page(L1A);
    uint64_t saved = pg->type_info;
    pg->type_info = (saved & ~PGT_count_mask) | (PGT_count_mask - 1);
    snapshot(before);
    assert_int_equal(mod_u(&shim_table(L2A)[0], 2, shim_pte(L1A, 0)), -EOVERFLOW);
    assert_unchanged(before);
    pg->type_info = saved;
    assert_int_equal(pin(L2B, 2, &shim_domu), 0);
    pg = shim_page(L2B);
    saved = pg->type_info;
    pg->type_info = (saved & ~PGT_count_mask) | (PGT_count_mask - 1);
    snapshot(before);
    assert_int_equal(mod_u(&shim_table(L2A)[1], 2, shim_pte(L2B, 0)), -EINVAL);
    assert_unchanged(before);
    pg->type_info = saved;
    assert_int_equal(recount(), 0);
    unpin(L2B);
    unpin(L2A);
    unpin(L1A);
    assert_tree_released();
}

/* ---- random operation sequences ---- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Any frame of the machine, or somewhere past it; some attribute noise. */
static pte_t random_entry(void)
{
    unsigned int pick = rnd(100);
    mfn_t mfn;
    if (pick < 75)
        mfn = SHIM_MFN(rnd(SHIM_DOMU_N));
    else if (pick < 95)
        mfn = SHIM_MFN(rnd(NF));
    else
        mfn = max_mfn + rnd(2 * SHIM_MMIO_BEYOND);
    pte_t e = mfn << PAGE_SHIFT;
    if (rnd(10) < 8)
        e |= _PAGE_PRESENT;
    if (rnd(2))
        e |= _PAGE_RW;
    if (rnd(2))
        e |= _PAGE_ACCESSED | _PAGE_DIRTY;
    if (rnd(20) == 0)
        e |= _PAGE_PSE;
    if (rnd(20) == 0)
        e |= _PAGE_PCD;
    if (rnd(4) == 0)
        e |= _PAGE_NX;
    return e;
}

static unsigned int random_slot(void)
{
    static const unsigned int slots[] = {0, 1, 2, 3, 4, 5, 256, 271, 272, 511};
    return slots[rnd(sizeof(slots) / sizeof(slots[0]))];
}

/* A random live table of either domain, or -1. */
static int random_live_table(void)
{
    int live[NF] = {0}, n = 0;
    for (unsigned int i = 0; i < NF; i++)
        if (is_table_live(i))
            live[n++] = (int)i;
    return n ? live[rnd((uint32_t)n)] : -1;
}

static struct domain *owner_of(unsigned int i)
{
    return page_get_owner(shim_page(i));
}

/* What the random sequences achieved: successful operations, by kind. */
static unsigned int ok_pins[5], ok_mods, ok_cmpxchg, refused;

/* Preemptible mode: pins, unpins and entry updates stop at random points; teardowns that
 * stop wait in `deferred` (as old_guest_table) and are finished by later steps. */
static bool random_preempt;
static unsigned int stopped, deferred_n;
static struct page_info *deferred[NF * 4];

static bool any_partial(void)
{
    for (unsigned int i = 0; i < NF; i++)
        if (shim_page(i)->type_info & PGT_partial)
            return true;
    return false;
}

static void defer_teardown(struct page_info *pg)
{
    assert_true(deferred_n < NF * 4);
    deferred[deferred_n++] = pg;
    held_general[pg - shim_page(0)]++;
    stopped++;
}

static int finish_deferred(unsigned int k, bool preemptible)
{
    struct page_info *pg = deferred[k];
    int rc = finish_partial_teardown(pg, preemptible);
    if (rc)
        return rc;
    put_page(pg);
    held_general[pg - shim_page(0)]--;
    deferred[k] = deferred[--deferred_n];
    return 0;
}

/* A guest may write a frame only while it has no type in use but writable. */
static bool guest_may_write(unsigned int i)
{
    const struct page_info *pg = shim_page(i);
    return !page_type_count(pg) || page_type(pg) == PGT_writable_page;
}

static void random_step(unsigned int step)
{
    struct counts before[NF];
    unsigned int op = rnd(100);
    unsigned int i = rnd(SHIM_DOM0_0 + 4); /* domU's frames and a few of dom0's */
    int rc = 0;
    const char *what = "";

    snapshot(before);
    bool partial_before = any_partial();
    if (random_preempt)
        shim_preempt_arm(1 + rnd(6));
    if (op < 20) {
        /* The guest writes a frame that is not a live table (it could map it writable). */
        what = "raw write";
        if (random_preempt ? guest_may_write(i) : !is_table_live(i))
            shim_table(i)[random_slot()] = random_entry();
    } else if (op < 35) {
        what = "pin";
        if (!random_preempt) {
            rc = pin(i, 1 + rnd(4), owner_of(i));
        } else {
            rc = get_page_and_type_preemptible(SHIM_MFN(i), owner_of(i), pt_level_type(1 + rnd(4)));
            if (!rc && (shim_page(i)->type_info & PGT_pinned)) {
                put_page_and_type(shim_page(i));
                rc = -EINVAL;
            } else if (!rc) {
                shim_page(i)->type_info |= PGT_pinned;
            }
            stopped += rc == -ERESTART;
        }
    } else if (op < 45) {
        what = "unpin";
        if (!(shim_page(i)->type_info & PGT_pinned)) {
        } else if (!random_preempt) {
            unpin(i);
        } else {
            shim_page(i)->type_info &= ~PGT_pinned;
            if (put_page_type_preemptible(shim_page(i)) == -ERESTART)
                defer_teardown(shim_page(i));
            else
                put_page(shim_page(i));
        }
    } else if (op < 50 && random_preempt && deferred_n && rnd(2)) {
        what = "finish a teardown";
        (void)finish_deferred(rnd(deferred_n), true);
    } else if (op < 50) {
        what = "hold";
        if (held[i] && rnd(2)) {
            put_page_and_type(shim_page(i));
            held[i]--;
        } else {
            rc = get_page_and_type(SHIM_MFN(i), &shim_domu, pt_level_type(4));
            held[i] += rc == 0;
        }
    } else {
        int t = random_live_table();
        if (t < 0)
            return;
        unsigned int level = pt_type_level(page_type(shim_page((unsigned int)t)));
        struct domain *d = owner_of((unsigned int)t);
        pte_t *slot = &shim_table((unsigned int)t)[random_slot()];
        pte_t e = random_entry();
        if (op < 85) {
            what = "mod_pt_entry";
            struct domain *fd = d->is_privileged && rnd(2) ? &shim_domu : d;
            if (!random_preempt) {
                rc = mod_pt_entry(slot, level, e, d, fd, rnd(4) == 0);
            } else {
                struct page_info *later = NULL;
                rc = mod_pt_entry_preemptible(slot, level, e, d, fd, rnd(4) == 0, &later);
                if (later)
                    defer_teardown(later);
                stopped += rc == -ERESTART;
            }
        } else if (level == 1) {
            what = "cmpxchg";
            pte_t old = rnd(2) ? *slot : random_entry();
            rc = mod_pt_entry_cmpxchg(slot, level, old, e, d);
        }
    }
    unsigned int bad = recount();
    if (bad)
        printf("# step %u (%s on frame %u, rc %d): %u problem(s)\n", step, what, i, rc, bad);
    assert_int_equal(bad, 0);
    if (rc == -ERESTART) {
        /* stopped: the table is partial, the caller holds nothing more */
    } else if (rc != 0) {
        refused++;
        /* A refusal changes nothing, unless it came from picking up a partial table
         * (its unwinding gives back what the stopped work held). */
        if (!partial_before)
            assert_unchanged(before);
    } else if (!strcmp(what, "pin")) {
        ok_pins[pt_type_level(page_type(shim_page(i)))]++;
    } else if (!strcmp(what, "mod_pt_entry")) {
        ok_mods++;
    } else if (!strcmp(what, "cmpxchg")) {
        ok_cmpxchg++;
    }
}

/* Clear every entry of every live table, drop pins and holds: all back to the start. */
static void random_cleanup(void)
{
    shim_preempt_arm(0);
    while (deferred_n)
        assert_int_equal(finish_deferred(0, false), 0);
    /* Partial tables nobody resumed: take each over (validation finishes or unwinds). */
    for (unsigned int i = 0; i < NF; i++) {
        struct page_info *pg = shim_page(i);
        if (!(pg->type_info & PGT_partial))
            continue;
        if (!get_page_and_type(SHIM_MFN(i), owner_of(i), page_type(pg)))
            put_page_and_type(pg);
        assert_false(pg->type_info & PGT_partial);
        i = (unsigned int)-1; /* that may have resolved others: look again from the start */
    }
    assert_int_equal(recount(), 0);
    for (int round = 0; round < 8; round++) {
        for (unsigned int i = 0; i < NF; i++) {
            if (!is_table_live(i))
                continue;
            unsigned int level = pt_type_level(page_type(shim_page(i)));
            for (unsigned int s = 0; s < PT_ENTRIES && is_table_live(i); s++)
                if (!(level == 4 && s >= HV_SLOT_FIRST && s <= HV_SLOT_LAST))
                    assert_int_equal(
                        mod_pt_entry(&shim_table(i)[s], level, 0, owner_of(i), owner_of(i), false),
                        0);
        }
    }
    for (unsigned int i = 0; i < NF; i++) {
        if (shim_page(i)->type_info & PGT_pinned)
            unpin(i);
        for (; held[i]; held[i]--)
            put_page_and_type(shim_page(i));
    }
    assert_int_equal(recount(), 0);
    for (unsigned int i = 0; i < SHIM_DOM0_0 + SHIM_DOM0_N; i++)
        assert_counts(i, 1, 0, 0);
}

/* The same random sequences with every long operation stopping at random points. */
static void test_random_preemptible_sequences(void **state)
{
    (void)state;
    random_preempt = true;
    memset(ok_pins, 0, sizeof(ok_pins));
    ok_mods = refused = stopped = 0;
    unsigned long long partial = 0, resumed = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        shim_reset();
        memset(held, 0, sizeof(held));
        memset(held_general, 0, sizeof(held_general));
        deferred_n = 0;
        rng_state = seed * 0x2545f4914f6cdd1dull;
        for (unsigned int step = 0; step < 3000; step++)
            random_step(step);
        random_cleanup();
        partial += preempt_stats.partial_tables;
        resumed += preempt_stats.resumed_tables;
    }
    random_preempt = false;
    printf("# random, preemptible: pins L1 %u L2 %u L3 %u L4 %u, entry updates %u, stopped %u, "
           "refused %u, partial %llu, resumed %llu\n",
           ok_pins[1], ok_pins[2], ok_pins[3], ok_pins[4], ok_mods, stopped, refused, partial,
           resumed);
    assert_true(ok_pins[3] > 20 && ok_pins[4] > 20 && stopped > 100 && resumed > 100);
}

static void test_random_sequences(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        shim_reset();
        memset(held, 0, sizeof(held));
        rng_state = seed * 0x9e3779b97f4a7c15ull;
        for (unsigned int step = 0; step < 3000; step++)
            random_step(step);
        random_cleanup();
    }
    printf("# random: pins L1 %u L2 %u L3 %u L4 %u, entry updates %u, cmpxchg %u, refused %u\n",
           ok_pins[1], ok_pins[2], ok_pins[3], ok_pins[4], ok_mods, ok_cmpxchg, refused);
    /* The sequences must have reached every level, or they checked little. */
    for (unsigned int l = 1; l <= 4; l++)
        assert_true(ok_pins[l] > 20);
    assert_true(ok_mods > 1000 && ok_cmpxchg > 100 && refused > 1000);
}

/* ---- preemptible validation and teardown (PGT_partial) ---- */

enum { L3B = 8, L2C = 9 };

/*
 * build_tree() plus a second L3 below L4A that shares L2B and adds L2C:
 *   L4A[1] -> L3B;  L3B[0] -> L2B, L3B[1] -> L2C;  L2C[0] -> L1C, L2C[1] -> L1A
 *   L1C[0] -> D0+3 RW
 * so validation of L4A has several places to stop at, on every level.
 */
static void build_big_tree(void)
{
    build_tree();
    shim_table(L4A)[1] = shim_pte(L3B, _PAGE_RW);
    shim_table(L3B)[0] = shim_pte(L2B, _PAGE_RW);
    shim_table(L3B)[1] = shim_pte(L2C, _PAGE_RW);
    shim_table(L2C)[0] = shim_pte(L1C, _PAGE_RW);
    shim_table(L2C)[1] = shim_pte(L1A, _PAGE_RW);
    shim_table(L1C)[0] = shim_pte(D0 + 3, _PAGE_RW);
}

/* Pin as mmuext_op does, preemptibly: -ERESTART leaves nothing held by the caller. */
static int pin_preemptible(unsigned int i, unsigned int level)
{
    int rc = get_page_and_type_preemptible(SHIM_MFN(i), &shim_domu, pt_level_type(level));
    if (rc)
        return rc;
    if (shim_page(i)->type_info & PGT_pinned) {
        put_page_and_type(shim_page(i));
        return -EINVAL;
    }
    shim_page(i)->type_info |= PGT_pinned;
    return 0;
}

/* Unpin as mmuext_op does, stopping at every chance; the general reference is kept
 * meanwhile (old_guest_table). Returns how many times it stopped. */
static unsigned int unpin_stopping_everywhere(unsigned int i)
{
    struct page_info *pg = shim_page(i);
    unsigned int stops = 0;
    assert_true(pg->type_info & PGT_pinned);
    pg->type_info &= ~PGT_pinned;
    shim_preempt_arm(1);
    if (put_page_type_preemptible(pg) == -ERESTART) {
        held_general[i]++;
        do {
            stops++;
            assert_true(stops < 200);
            assert_int_equal(recount(), 0);
            shim_preempt_arm(1);
        } while (finish_partial_teardown(pg, true) == -ERESTART);
        held_general[i]--;
    }
    put_page(pg);
    return stops;
}

static void assert_partial(unsigned int i)
{
    assert_true(shim_page(i)->type_info & PGT_partial);
    assert_false(page_type_validated(shim_page(i)));
    assert_int_equal(page_type_count(shim_page(i)), 1);
}

/* Stop the pin of L4A at each possible point in turn; resume it in three ways. */
static void test_partial_pin_each_point(void **state)
{
    unsigned int at;
    (void)state;
    for (at = 1;; at++) {
        shim_reset();
        build_big_tree();
        shim_preempt_arm(at);
        int rc = pin_preemptible(L4A, 4);
        if (rc == 0) {
            assert_true(shim_preempt_checks < at); /* no point left to stop at */
            unpin(L4A);
            assert_tree_released();
            break;
        }
        assert_int_equal(rc, -ERESTART);
        assert_partial(L4A);
        assert_int_equal(page_count(shim_page(L4A)), 1); /* the pin kept no reference */
        assert_int_equal(recount(), 0);
        switch (at % 3) {
        case 0: /* resumed at once */
            shim_preempt_arm(0);
            assert_int_equal(pin_preemptible(L4A, 4), 0);
            break;
        case 1: { /* resumed, stopping at every chance: it still gets there */
            unsigned int tries = 0;
            do {
                assert_true(++tries < 100);
                assert_int_equal(recount(), 0);
                shim_preempt_arm(1);
            } while ((rc = pin_preemptible(L4A, 4)) == -ERESTART);
            assert_int_equal(rc, 0);
            break;
        }
        default: /* the guest changes things in between */
            shim_preempt_arm(0);
            assert_int_equal(get_page_and_type(SHIM_MFN(L4A), &shim_domu, PGT_writable_page),
                             -EINVAL);
            assert_int_equal(pin(L4A, 3, &shim_domu), -EINVAL);
            /* A partial table is no linear target either. */
            assert_int_equal(pin(L4B, 4, &shim_domu), 0);
            assert_int_not_equal(mod_pt_entry(&shim_table(L4B)[5], 4, shim_pte(L4A, 0), &shim_domu,
                                              &shim_domu, false),
                                 0);
            /* Pinning a table the stopped validation is inside finishes that one. */
            assert_int_equal(pin(L3A, 3, &shim_domu), 0);
            assert_int_equal(recount(), 0);
            assert_int_equal(pin_preemptible(L4A, 4), 0);
            assert_int_equal(recount(), 0);
            unpin(L3A);
            unpin(L4B);
            break;
        }
        assert_true(page_type_validated(shim_page(L4A)));
        assert_counts(L4A, 2, PGT_l4_page_table, 1);
        assert_counts(L2B, 3, PGT_l2_page_table, 2);
        assert_counts(L1A, 4, PGT_l1_page_table, 3);
        assert_int_equal(recount(), 0);
        assert_true(unpin_stopping_everywhere(L4A) > 0);
        assert_tree_released();
        assert_int_equal(recount(), 0);
    }
    assert_true(at > 4); /* the tree did have several points to stop at */
}

/* Stop the teardown of L4A at each point; pin it again in between (validation picks
 * the partial table up where the teardown left it). */
static void test_partial_unpin_then_repin(void **state)
{
    unsigned int at;
    (void)state;
    for (at = 1;; at++) {
        shim_reset();
        build_big_tree();
        assert_int_equal(pin(L4A, 4, &shim_domu), 0);
        struct page_info *pg = shim_page(L4A);
        pg->type_info &= ~PGT_pinned;
        shim_preempt_arm(at);
        int rc = put_page_type_preemptible(pg);
        if (rc == 0) {
            put_page(pg);
            assert_tree_released();
            break;
        }
        assert_int_equal(rc, -ERESTART);
        held_general[L4A]++; /* as old_guest_table */
        assert_partial(L4A);
        assert_int_equal(recount(), 0);
        shim_preempt_arm(0);
        assert_int_equal(pin_preemptible(L4A, 4), 0); /* validates back up */
        assert_int_equal(recount(), 0);
        /* The deferred teardown finds the table taken over: only its reference is left. */
        assert_int_equal(finish_partial_teardown(pg, true), 0);
        held_general[L4A]--;
        put_page(pg);
        assert_counts(L4A, 2, PGT_l4_page_table, 1);
        assert_int_equal(recount(), 0);
        unpin(L4A);
        assert_tree_released();
    }
    assert_true(at > 4);
}

/* A bad entry written into a table the stopped validation has not reached yet: the
 * resumed validation fails and gives back everything, partial child included. */
static void test_partial_resume_finds_bad_entry(void **state)
{
    (void)state;
    for (unsigned int at = 1; at <= 3; at++) {
        shim_reset();
        build_big_tree();
        shim_preempt_arm(at);
        assert_int_equal(pin_preemptible(L4A, 4), -ERESTART);
        assert_int_equal(recount(), 0);
        /* L2C is not typed yet: an ordinary page the guest may still write. */
        assert_int_equal(page_type_count(shim_page(L2C)), 0);
        shim_table(L2C)[7] = shim_pte(SHIM_DOM0_0, _PAGE_RW);
        shim_preempt_arm(0);
        assert_int_not_equal(pin_preemptible(L4A, 4), 0);
        assert_false(shim_page(L4A)->type_info & PGT_partial);
        assert_tree_released();
        assert_int_equal(recount(), 0);
    }
}

/* A partial child whose own pin the guest finished and dropped in between. */
static void test_partial_child_changed_in_between(void **state)
{
    (void)state;
    build_big_tree();
    shim_preempt_arm(2); /* inside L3A (before its entry 1) */
    assert_int_equal(pin_preemptible(L4A, 4), -ERESTART);
    assert_partial(L3A);
    assert_true(shim_page(L4A)->partial_child);
    assert_int_equal(recount(), 0);
    shim_preempt_arm(0);
    assert_int_equal(pin(L3A, 3, &shim_domu), 0);
    unpin(L3A); /* L3A is free again: L4A still holds its general reference */
    assert_counts(L3A, 2, 0, 0);
    assert_int_equal(recount(), 0);
    assert_int_equal(pin_preemptible(L4A, 4), 0); /* validates L3A from scratch */
    assert_counts(L3A, 2, PGT_l3_page_table, 1);
    assert_int_equal(recount(), 0);
    unpin(L4A);
    assert_tree_released();
}

/* mmu_update of an upper-level entry: validating the new table stops and is retried;
 * tearing the old one down stops and is finished later (old_guest_table). */
static void test_partial_mod_entry(void **state)
{
    struct page_info *deferred = NULL;
    int rc;
    (void)state;
    build_big_tree();
    assert_int_equal(pin(L4B, 4, &shim_domu), 0);
    pte_t *slot = &shim_table(L4B)[3];
    unsigned int tries = 0;
    do {
        assert_true(++tries < 100);
        assert_int_equal(recount(), 0);
        shim_preempt_arm(1);
        rc = mod_pt_entry_preemptible(slot, 4, shim_pte(L3B, _PAGE_RW), &shim_domu, &shim_domu,
                                      false, &deferred);
    } while (rc == -ERESTART);
    assert_int_equal(rc, 0);
    assert_true(tries > 1);
    assert_null(deferred);
    assert_counts(L3B, 2, PGT_l3_page_table, 1);
    assert_int_equal(recount(), 0);
    shim_preempt_arm(1);
    assert_int_equal(mod_pt_entry_preemptible(slot, 4, 0, &shim_domu, &shim_domu, false, &deferred),
                     0);
    assert_ptr_equal(deferred, shim_page(L3B));
    held_general[L3B]++;
    assert_int_equal(recount(), 0);
    do {
        assert_true(++tries < 200);
        shim_preempt_arm(1);
    } while (finish_partial_teardown(deferred, true) == -ERESTART);
    held_general[L3B]--;
    put_page(deferred);
    assert_int_equal(recount(), 0);
    unpin(L4B);
    assert_tree_released();
    assert_true(preempt_stats.partial_tables > 0 && preempt_stats.resumed_tables > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validate_l4_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_shares_validated_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwind_bad_l1_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwind_bad_l2_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writable_table_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_unpin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_reference_of_given_up_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_change_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retype_flush_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retype_flush_put_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retype_flush_put_off_preemptible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_type_retyped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_chain_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_privileged_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iomem_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iomem_read_only_while_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mod_entry_l1_combinations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mod_entry_upper_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmpxchg_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_overflow_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_sequences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_pin_each_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_unpin_then_repin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_resume_finds_bad_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_child_changed_in_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_mod_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_preemptible_sequences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_released_for_logdirty, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    shim_teardown();
    return rc;
}
