/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writable page tables: the guest kernel writes entries of its own (pinned,
 * read-only) L1 tables with ordinary instructions, and the hypervisor
 * emulates each write after validating the new entry: MOV (8 and 4 bytes),
 * XCHG, CMPXCHG (success and failure), LOCK BTR/BTS/OR/AND. Writes that
 * would map a frame the guest does not own, or map a page table writable,
 * must fault back to the guest and leave the entry as it was.
 */
#include <lamina/memory.h>

#include "mm_util.h"

const char lam_test_title[] = "emulated writes to L1 page tables";

#define TREE_SLOT 301
#define PATTERN   0x1122334455667788ULL

static uint64_t *data;

static uint64_t pte_of(const void *page, uint64_t flags)
{
    return (mm_va_to_mfn(page) << LAM_PAGE_SHIFT) | flags;
}

static int try_read_va(uint64_t va, uint64_t *out)
{
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, va);
    return mm_try_read((const volatile uint64_t *)va, out);
}

static void check_writes(struct mm_tree *t)
{
    volatile uint64_t *l1 = t->l1;
    uint64_t va2 = t->base + 2 * LAM_PAGE_SIZE, v = 0;
    uint64_t good = pte_of(data, MM_PTE_FLAGS);

    l1[2] = good; /* plain MOV: faults, emulated */
    mm_expect((l1[2] & LAM_PTE_MFN_MASK) == (good & LAM_PTE_MFN_MASK) && (l1[2] & LAM_PTE_PRESENT),
              "MOV store to an L1 entry is emulated");
    mm_expect(try_read_va(va2, &v) == 0 && v == PATTERN, "the new mapping reads the data page");

    uint64_t old = good & ~(LAM_PTE_ACCESSED | LAM_PTE_DIRTY);
    uint64_t got;
    __asm__ volatile("xchgq %0, %1" : "=r"(got), "+m"(l1[3]) : "0"(old) : "memory");
    mm_expect(got == 0 && (l1[3] & LAM_PTE_PRESENT),
              "XCHG installs an entry and returns the old one");

    uint64_t expect = l1[3], newval = 0;
    unsigned char ok;
    __asm__ volatile("lock cmpxchgq %3, %1; sete %2"
                     : "+a"(expect), "+m"(l1[3]), "=q"(ok)
                     : "r"(newval)
                     : "memory", "cc");
    mm_expect(ok && l1[3] == 0, "CMPXCHG with the right old value clears the entry");
    expect = 0x1234;
    __asm__ volatile("lock cmpxchgq %3, %1; sete %2"
                     : "+a"(expect), "+m"(l1[2]), "=q"(ok)
                     : "r"(newval)
                     : "memory", "cc");
    mm_expect(!ok && expect == l1[2] && (l1[2] & LAM_PTE_PRESENT),
              "CMPXCHG with a stale old value fails, loads RAX, changes nothing");

    __asm__ volatile("lock btrq $1, %0" : "+m"(l1[2]) : : "memory", "cc"); /* clear RW */
    mm_expect(!(l1[2] & LAM_PTE_RW), "LOCK BTR clears RW");
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, va2);
    mm_expect(mm_try_write((volatile uint64_t *)va2, 1) != 0, "the page is now read-only");
    __asm__ volatile("lock btsq $1, %0" : "+m"(l1[2]) : : "memory", "cc");
    mm_expect(l1[2] & LAM_PTE_RW, "LOCK BTS sets RW again");
    __asm__ volatile("lock andq %1, %0"
                     : "+m"(l1[2])
                     : "r"(~(uint64_t)LAM_PTE_DIRTY)
                     : "memory", "cc");
    mm_expect(!(l1[2] & LAM_PTE_DIRTY) && (l1[2] & LAM_PTE_PRESENT), "LOCK AND clears D");
    __asm__ volatile("lock orq %1, %0"
                     : "+m"(l1[2])
                     : "r"((uint64_t)LAM_PTE_DIRTY)
                     : "memory", "cc");
    mm_expect(l1[2] & LAM_PTE_DIRTY, "LOCK OR sets D");

    /* Byte forms, as Linux's clear_bit/set_bit on a constant bit compile to. */
    __asm__ volatile("lock andb $0xfd, %0" : "+m"(*(volatile uint8_t *)&l1[2]) : : "memory", "cc");
    mm_expect(!(l1[2] & LAM_PTE_RW) && (l1[2] & LAM_PTE_PRESENT), "LOCK ANDB clears RW");
    __asm__ volatile("lock orb $0x02, %0" : "+m"(*(volatile uint8_t *)&l1[2]) : : "memory", "cc");
    mm_expect(l1[2] & LAM_PTE_RW, "LOCK ORB sets RW");

    /* 4-byte store to the low half: the frame number's low bits stay, flags change. */
    volatile uint32_t *lo = (volatile uint32_t *)&l1[2];
    *lo = (uint32_t)(good & ~(uint64_t)LAM_PTE_RW);
    mm_expect((l1[2] & LAM_PTE_PRESENT) && !(l1[2] & LAM_PTE_RW), "32-bit store to the low half");
}

static void check_refused(struct mm_tree *t)
{
    volatile uint64_t *l1 = t->l1;
    uint64_t before = l1[2];

    /* A frame nobody gave us: the hypervisor's own memory at 2 MiB. */
    mm_expect(mm_try_write(&l1[2], (0x200ULL << LAM_PAGE_SHIFT) | MM_PTE_FLAGS) != 0,
              "writing an entry for a frame we do not own faults");
    mm_expect(l1[2] == before, "... and leaves the entry unchanged");
    /* A writable mapping of the L1 table itself. */
    mm_expect(mm_try_write(&l1[4], pte_of((const void *)t->l1, MM_PTE_FLAGS)) != 0,
              "writing a writable mapping of a page table faults");
    mm_expect(l1[4] == 0, "... and leaves the entry empty");
    /* A read-only mapping of it is fine. */
    mm_expect(mm_try_write(&l1[4], pte_of((const void *)t->l1, MM_PTE_RO)) == 0,
              "a read-only mapping of a page table is accepted");
    l1[4] = 0;
    l1[2] = 0;
    l1[3] = 0;
}

void test_main(void)
{
    struct mm_tree t;

    mm_init();
    data = mm_alloc_page();
    data[0] = PATTERN;
    mm_expect_rc("build a tree under a free L4 slot", mm_tree_build(&t, TREE_SLOT), 0);
    check_writes(&t);
    check_refused(&t);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&t), 0);
}
