/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Concurrent page-table work from every vCPU of one domain. Each vCPU cycles
 * its own pages through read-only, pinned as L1, an entry written and cleared
 * with mmu_update, unpinned and writable again; all also fight over one
 * shared read-only page: whoever pins it (rc 0) writes its own entry, clears
 * it and unpins, a loser must get -EINVAL ("already pinned"). Every return
 * code is checked and the pins and unpins must match; the runner fails the
 * run on Lamina if the frame audit at shutdown is not balanced. Each vCPU does
 * ROUNDS rounds or stops after RUN_NS (4 emulated CPUs on 2 host cores make a
 * remote flush take milliseconds), but at least MIN_ROUNDS.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "concurrent mmu_update/pin/unpin from every vCPU";

#define PAGES_PER_VCPU 6
#define ROUNDS         150
#define MIN_ROUNDS     2
#define RUN_NS         2000000000ull

static unsigned int nr; /* vCPUs at work */
static uint64_t *pages[SMP_MAX_VCPUS][PAGES_PER_VCPU];
static uint64_t *shared;
static uint64_t data_mfn;
static volatile uint64_t bad_rc[SMP_MAX_VCPUS], pins[SMP_MAX_VCPUS], unpins[SMP_MAX_VCPUS],
    lost_races[SMP_MAX_VCPUS], ops[SMP_MAX_VCPUS], rounds[SMP_MAX_VCPUS];
static uint64_t deadline;
static volatile long first_bad[SMP_MAX_VCPUS];

static void check(unsigned int id, long rc, long want)
{
    ops[id]++;
    if (rc != want && bad_rc[id]++ == 0)
        first_bad[id] = rc;
}

static void cycle_private(unsigned int id, uint64_t *page, unsigned int slot)
{
    uint64_t mfn = mm_va_to_mfn(page);
    check(id, mm_page_set_ro(page), 0);
    check(id, mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mfn), 0);
    check(id, mm_update(mm_tab_ma(page, slot), (data_mfn << 12) | MM_PTE_RO), 0);
    check(id, mm_update(mm_tab_ma(page, slot), 0), 0);
    check(id, mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn), 0);
    check(id, mm_page_set_rw(page), 0);
}

static void contend_shared(unsigned int id)
{
    uint64_t mfn = mm_va_to_mfn(shared);
    long rc = mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mfn);
    if (rc == -LAM_EINVAL) {
        lost_races[id]++;
        return;
    }
    check(id, rc, 0);
    if (rc)
        return;
    pins[id]++;
    check(id, mm_update(mm_tab_ma(shared, 10 + id), (data_mfn << 12) | MM_PTE_RO), 0);
    check(id, mm_update(mm_tab_ma(shared, 10 + id), 0), 0);
    rc = mm_ext(LAM_MMUEXT_UNPIN_TABLE, mfn);
    check(id, rc, 0);
    if (!rc)
        unpins[id]++;
}

static void worker(unsigned int id)
{
    for (unsigned int r = 0; r < ROUNDS && (r < MIN_ROUNDS || smp_now_ns() < deadline); r++) {
        for (unsigned int i = 0; i < PAGES_PER_VCPU; i++)
            cycle_private(id, pages[id][i], (r + i) % 512);
        contend_shared(id);
        rounds[id]++;
    }
}

void test_main(void)
{
    mm_init();
    nr = smp_test_vcpus();
    if (!nr)
        return;
    lam_printf("vCPUs: %u\n", nr);
    for (unsigned int v = 0; v < nr; v++)
        for (unsigned int i = 0; i < PAGES_PER_VCPU; i++)
            if (!(pages[v][i] = mm_alloc_page())) {
                lam_error("out of pages");
                return;
            }
    uint64_t *data = mm_alloc_page();
    shared = mm_alloc_page();
    if (!data || !shared) {
        lam_error("out of pages");
        return;
    }
    data_mfn = mm_va_to_mfn(data);
    mm_expect_rc("shared page read-only", mm_page_set_ro(shared), 0);

    uint64_t t0 = smp_now_ns();
    deadline = t0 + RUN_NS;
    for (unsigned int v = 1; v < nr; v++)
        mm_expect_rc("start a vCPU", smp_start_vcpu(v, worker), 0);
    worker(0);
    int all_done = 1;
    for (unsigned int v = 1; v < nr; v++)
        all_done &= smp_wait_done(v, 30000) == 0;
    mm_expect(all_done, "every vCPU finished");
    lam_printf("%u vCPUs worked for %lu ms\n", nr, (unsigned long)((smp_now_ns() - t0) / 1000000));
    uint64_t attempts = 0, all_rounds = 0;
    for (unsigned int v = 0; v < nr; v++) {
        lam_printf(
            "vCPU %u: %lu rounds, %lu operations, %lu bad (first rc %ld), shared pinned %lu times, "
            "lost %lu races\n",
            v, (unsigned long)rounds[v], (unsigned long)ops[v], (unsigned long)bad_rc[v],
            first_bad[v], (unsigned long)pins[v], (unsigned long)lost_races[v]);
        mm_expect(bad_rc[v] == 0, "every operation returned what it should");
        mm_expect(pins[v] == unpins[v], "every pin of the shared page undone");
        mm_expect(rounds[v] >= MIN_ROUNDS, "every vCPU did its rounds");
        attempts += pins[v] + lost_races[v];
        all_rounds += rounds[v];
    }
    mm_expect(attempts == all_rounds, "every attempt on the shared page either pinned it or lost");
    mm_expect_rc("pin the shared page once more",
                 mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mm_va_to_mfn(shared)), 0);
    mm_expect_rc("and unpin it", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mm_va_to_mfn(shared)), 0);
    mm_expect_rc("shared page writable again", mm_page_set_rw(shared), 0);
}
