/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB shootdown: every other vCPU of the domain (1..N-1) keeps reading one
 * virtual address while vCPU 0 rotates the frame behind it through A, B, C,
 * each change followed by a remote flush: update_va_mapping with
 * UVMF_INVLPG|UVMF_ALL or UVMF_TLB_FLUSH with a mask of every vCPU
 * (UVMF_MULTI), or mmu_update then MMUEXT_INVLPG_MULTI or MMUEXT_TLB_FLUSH_ALL.
 * Only after the flush returns does vCPU 0 publish generation g (frame g % 3),
 * and it goes on once every reader has used it. A reader that saw generation g
 * before its read may find frame g % 3, or the next one if vCPU 0 is already
 * changing it, but never the frame of generation g - 1: that translation was
 * flushed. A stale TLB entry on a reader's CPU shows up exactly as that old frame.
 * vCPU v is pinned to CPU v, so each reader's TLB is on another CPU.
 * SWITCHES generations, or as many as fit in RUN_NS (with 4 emulated CPUs on 2
 * host cores a remote flush takes milliseconds), but at least MIN_SWITCHES.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "TLB shootdown: no stale translation after a remote flush";

#define SWITCHES     1500
#define MIN_SWITCHES 30
#define RUN_NS       2000000000ull
#define READERS      (SMP_MAX_VCPUS - 1)

static const uint64_t pattern[3] = {0x4141414141414141ULL, 0x4242424242424242ULL,
                                    0x4343434343434343ULL};
static volatile uint64_t *probe; /* the VA whose frame changes */
static volatile uint64_t gen;    /* generation g maps frame g % 3 (published after the flush) */
static volatile int stop;
static uint64_t all_vcpus; /* vCPU mask for the _MULTI flushes */
static unsigned int nr;    /* vCPUs: 0 writes, 1..nr-1 read */

/* One reader's counts (vCPU id, index id - 1), a cache line each. */
static struct reader_counts {
    volatile uint64_t reads, stale, other, seen[3], first_stale_gen;
} __attribute__((aligned(64))) rd[READERS];

static void reader(unsigned int id)
{
    struct reader_counts *c = &rd[id - 1];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        uint64_t g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
        uint64_t v = *probe;
        c->reads++;
        unsigned int f = 3;
        for (unsigned int i = 0; i < 3; i++)
            if (v == pattern[i])
                f = i;
        if (f == 3) {
            c->other++;
            continue;
        }
        c->seen[f]++;
        if (f == (g + 2) % 3 && c->stale++ == 0) /* generation g - 1's frame */
            c->first_stale_gen = g;
    }
}

/* Wait until every reader has read the probe n more times. */
static void let_readers_read(uint64_t n)
{
    for (unsigned int r = 0; r + 1 < nr; r++)
        for (uint64_t until = rd[r].reads + n; rd[r].reads < until;)
            ;
}

static long remap(uint64_t mfn, unsigned int how)
{
    uint64_t pte = (mfn << 12) | MM_PTE_FLAGS;
    uint64_t vcpus = all_vcpus;
    switch (how % 4) {
    case 0:
        return hypercall_update_va_mapping((unsigned long)probe, pte,
                                           LAM_UVMF_INVLPG | LAM_UVMF_ALL);
    case 1:
        return hypercall_update_va_mapping((unsigned long)probe, pte,
                                           LAM_UVMF_TLB_FLUSH | (unsigned long)&vcpus);
    case 2: {
        long rc = mm_update(mm_entry_ma((uint64_t)probe, 1), pte);
        return rc ? rc : mm_ext2(LAM_MMUEXT_INVLPG_MULTI, (uint64_t)probe, (uint64_t)&vcpus);
    }
    default: {
        long rc = mm_update(mm_entry_ma((uint64_t)probe, 1), pte);
        return rc ? rc : mm_ext(LAM_MMUEXT_TLB_FLUSH_ALL, 0);
    }
    }
}

void test_main(void)
{
    mm_init();
    nr = smp_test_vcpus();
    if (!nr)
        return;
    lam_printf("vCPUs: %u (vCPU 0 remaps, %u read)\n", nr, nr - 1);
    all_vcpus = (1ull << nr) - 1;
    uint64_t mfn[3];
    for (unsigned int f = 0; f < 3; f++) {
        uint64_t *page = mm_alloc_page();
        if (!page) {
            lam_error("out of pages");
            return;
        }
        for (unsigned int i = 0; i < 512; i++)
            page[i] = pattern[f];
        mfn[f] = mm_va_to_mfn(page);
    }
    uint64_t *p = mm_alloc_page();
    if (!p) {
        lam_error("out of pages");
        return;
    }
    uint64_t mfn_p = mm_va_to_mfn(p);
    probe = p;
    mm_expect_rc("map frame 0 at the probe", remap(mfn[0], 0), 0);
    gen = 0;
    /* vCPU v on CPU v: every reader's TLB is on another CPU than the writer's. */
    for (unsigned int v = 0; v < nr; v++)
        mm_expect_rc("pin vCPU v to CPU v", smp_pin(v, v), 0);
    for (unsigned int v = 1; v < nr; v++)
        mm_expect_rc("start a reader vCPU", smp_start_vcpu(v, reader), 0);
    if (lam_status() != LAM_SUCCESS)
        return;
    let_readers_read(1000); /* every reader runs and has the probe in its TLB */

    uint64_t t0 = smp_now_ns();
    long rc = 0;
    uint64_t g = 0;
    while (g < SWITCHES && !rc && (g < MIN_SWITCHES || smp_now_ns() - t0 < RUN_NS)) {
        g++;
        rc = remap(mfn[g % 3], (unsigned int)(g / 3));
        __atomic_store_n(&gen, g, __ATOMIC_RELEASE);
        let_readers_read(20); /* let every reader use this generation */
    }
    uint64_t t1 = smp_now_ns();
    mm_expect_rc("every remap and flush", rc, 0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    int all_done = 1;
    for (unsigned int v = 1; v < nr; v++)
        all_done &= smp_wait_done(v, 10000) == 0;
    mm_expect(all_done, "every reader finished");
    int placed = 1;
    for (unsigned int v = 0; v < nr; v++)
        placed &= smp_cpu_of(v) == (int)v;
    mm_expect(placed, "every vCPU ran on the CPU it is pinned to");
    lam_printf("%lu remaps with remote flushes in %lu ms\n", (unsigned long)g,
               (unsigned long)((t1 - t0) / 1000000));
    for (unsigned int v = 1; v < nr; v++) {
        const struct reader_counts *c = &rd[v - 1];
        lam_printf("reader vCPU %u: reads %lu: frames %lu/%lu/%lu, other %lu, stale %lu "
                   "(first at generation %lu)\n",
                   v, (unsigned long)c->reads, (unsigned long)c->seen[0], (unsigned long)c->seen[1],
                   (unsigned long)c->seen[2], (unsigned long)c->other, (unsigned long)c->stale,
                   (unsigned long)c->first_stale_gen);
        mm_expect(c->seen[0] > g / 6 && c->seen[1] > g / 6 && c->seen[2] > g / 6,
                  "the reader saw every frame");
        mm_expect(c->other == 0, "no read returned anything but the three frames");
        mm_expect(c->stale == 0, "no stale translation after a flush returned");
    }
    mm_expect_rc("restore the probe page", remap(mfn_p, 0), 0);
}
