/*
 * TLB shootdown: vCPU 1 keeps reading one virtual address while vCPU 0
 * rotates the frame behind it through A, B, C, each change followed by a
 * remote flush: update_va_mapping with UVMF_INVLPG|UVMF_ALL or UVMF_TLB_FLUSH
 * with a vCPU mask (UVMF_MULTI), or mmu_update then MMUEXT_INVLPG_MULTI or
 * MMUEXT_TLB_FLUSH_ALL. Only after the flush returns does vCPU 0 publish
 * generation g (frame g % 3). A reader that saw generation g before its read
 * may find frame g % 3, or the next one if vCPU 0 is already changing it, but
 * never the frame of generation g - 1: that translation was flushed. A stale
 * TLB entry on the reader's CPU shows up exactly as that old frame.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "TLB shootdown: no stale translation after a remote flush";

#define SWITCHES 1500

static const uint64_t pattern[3] = {0x4141414141414141ULL, 0x4242424242424242ULL,
                                    0x4343434343434343ULL};
static volatile uint64_t *probe; /* the VA whose frame changes */
static volatile uint64_t gen;    /* generation g maps frame g % 3 (published after the flush) */
static volatile int stop;
static volatile uint64_t reads, stale, other, seen[3];
static volatile uint64_t first_stale_gen;

static void reader(unsigned int id)
{
    (void)id;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        uint64_t g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
        uint64_t v = *probe;
        reads++;
        unsigned int f = 3;
        for (unsigned int i = 0; i < 3; i++)
            if (v == pattern[i])
                f = i;
        if (f == 3) {
            other++;
            continue;
        }
        seen[f]++;
        if (f == (g + 2) % 3 && stale++ == 0) /* generation g - 1's frame */
            first_stale_gen = g;
    }
}

static long remap(uint64_t mfn, unsigned int how)
{
    uint64_t pte = (mfn << 12) | MM_PTE_FLAGS;
    uint64_t vcpus = 3; /* vCPUs 0 and 1 */
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
    if (smp_nr_vcpus() < 2) {
        lam_skip("needs 2 vCPUs (dom0_max_vcpus=2)");
        return;
    }
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
    mm_expect_rc("start reader vCPU", smp_start_vcpu(1, reader), 0);
    while (reads < 1000)
        ; /* the reader runs and has the probe in its TLB */

    long rc = 0;
    for (uint64_t g = 1; g <= SWITCHES && !rc; g++) {
        rc = remap(mfn[g % 3], (unsigned int)(g / 3));
        __atomic_store_n(&gen, g, __ATOMIC_RELEASE);
        for (uint64_t r = reads + 20; reads < r;)
            ; /* let the reader use this generation */
    }
    mm_expect_rc("every remap and flush", rc, 0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    mm_expect(smp_wait_done(1, 10000) == 0, "reader finished");
    lam_printf("reads %lu: frames %lu/%lu/%lu, other %lu, stale %lu (first at generation %lu)\n",
               (unsigned long)reads, (unsigned long)seen[0], (unsigned long)seen[1],
               (unsigned long)seen[2], (unsigned long)other, (unsigned long)stale,
               (unsigned long)first_stale_gen);
    mm_expect(seen[0] > SWITCHES / 6 && seen[1] > SWITCHES / 6 && seen[2] > SWITCHES / 6,
              "the reader saw every frame");
    mm_expect(other == 0, "no read returned anything but the three frames");
    mm_expect(stale == 0, "no stale translation after a flush returned");
    mm_expect_rc("restore the probe page", remap(mfn_p, 0), 0);
}
