/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linear page tables one level deep only (the XSA-240 class). A read-only
 * entry may point at another validated table of its own level, but a table
 * that holds such entries may not be the target of one, and a target may not
 * hold any: otherwise chains of tables make the teardown recurse as deep as
 * the chain, and two tables pointing at each other keep each other alive after
 * both are unpinned (frames that can never be freed or retyped). At L2, L3
 * and L4, with pinned empty tables A, B, C, D of the level:
 *  - A -> B twice: accepted (several entries may name one target);
 *  - B -> C (B is a target): refused; D -> A (A holds linear entries): refused;
 *  - A -> A (itself): accepted and counts for neither rule;
 *  - after A's entries to B are gone, B -> A is accepted and A -> B refused:
 *    no loop can be built;
 * all refusals with Xen 4.17's -EINVAL. Everything is torn down at the end
 * and every table must come back as a writable page (nothing kept alive).
 */
#include "mm_util.h"

const char lam_test_title[] = "linear page tables: no chains, no loops (XSA-240)";

static uint64_t ma(const uint64_t *t)
{
    return mm_va_to_ma(t) & LAM_PTE_MFN_MASK;
}

/* Entry i of table `from` := a read-only link to `to` (or 0). */
static long link(uint64_t *from, unsigned i, uint64_t *to)
{
    return mm_update(ma(from) + 8 * i, to ? ma(to) | MM_PTE_RO : 0);
}

static void one_level(unsigned level)
{
    char what[96];
    uint64_t *t[4];
    const char *names = "ABCD";
    for (unsigned i = 0; i < 4; i++) {
        t[i] = mm_alloc_page();
        mm_expect_rc("table read-only", mm_page_set_ro(t[i]), 0);
        lam_snprintf(what, sizeof(what), "pin %c as L%u", names[i], level);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_PIN_L1_TABLE + level - 1, mm_va_to_mfn(t[i])), 0);
    }
    uint64_t *A = t[0], *B = t[1], *C = t[2], *D = t[3];
#define STEP(desc, call, want)                                                                     \
    do {                                                                                           \
        lam_snprintf(what, sizeof(what), "L%u: %s", level, desc);                                  \
        mm_expect_rc(what, call, want);                                                            \
    } while (0)
    STEP("A[1] -> B", link(A, 1, B), 0);
    STEP("A[2] -> B", link(A, 2, B), 0);
    STEP("B[1] -> C (B is a linear target)", link(B, 1, C), -LAM_EINVAL);
    STEP("D[1] -> A (A holds linear entries)", link(D, 1, A), -LAM_EINVAL);
    STEP("A[3] -> A (itself)", link(A, 3, A), 0);
    STEP("C[1] -> A (A still holds linear entries)", link(C, 1, A), -LAM_EINVAL);
    STEP("B[3] -> B (itself, though a target)", link(B, 3, B), 0);
    STEP("A[1] := 0", link(A, 1, NULL), 0);
    STEP("B[1] -> A (A still links to B)", link(B, 1, A), -LAM_EINVAL);
    STEP("A[2] := 0", link(A, 2, NULL), 0);
    STEP("B[1] -> A (A links only to itself)", link(B, 1, A), 0);
    STEP("A[4] -> B (A is now a target: no loop)", link(A, 4, B), -LAM_EINVAL);
    STEP("C[1] -> B (B holds linear entries)", link(C, 1, B), -LAM_EINVAL);
    STEP("C[1] -> A (a second user of A)", link(C, 1, A), 0);
    STEP("D[1] -> C (C holds linear entries)", link(D, 1, C), -LAM_EINVAL);
    /* Unpin everything with the links still in place: the last reference tears down. */
    for (unsigned i = 0; i < 4; i++) {
        lam_snprintf(what, sizeof(what), "L%u: unpin %c", level, names[i]);
        mm_expect_rc(what, mm_ext(LAM_MMUEXT_UNPIN_TABLE, mm_va_to_mfn(t[i])), 0);
    }
    for (unsigned i = 0; i < 4; i++) {
        lam_snprintf(what, sizeof(what), "L%u: %c writable again (nothing keeps it)", level,
                     names[i]);
        mm_expect_rc(what, mm_page_set_rw(t[i]), 0);
    }
#undef STEP
}

void test_main(void)
{
    mm_init();
    for (unsigned level = 2; level <= 4; level++)
        one_level(level);
}
