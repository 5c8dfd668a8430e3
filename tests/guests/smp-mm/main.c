/*
 * Concurrent page-table work from two vCPUs of one domain. Each vCPU cycles
 * its own pages through read-only, pinned as L1, an entry written and cleared
 * with mmu_update, unpinned and writable again; both also fight over one
 * shared read-only page: whoever pins it (rc 0) writes its own entry, clears
 * it and unpins, the loser must get -EINVAL ("already pinned"). Every return
 * code is checked and the pins and unpins must match; the runner fails the
 * run on Lamina if the frame audit at shutdown is not balanced.
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "concurrent mmu_update/pin/unpin from two vCPUs";

#define PAGES_PER_VCPU 6
#define ROUNDS         150

static uint64_t *pages[2][PAGES_PER_VCPU];
static uint64_t *shared;
static uint64_t data_mfn;
static volatile uint64_t bad_rc[2], pins[2], unpins[2], lost_races[2], ops[2];
static volatile long first_bad[2];

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
    for (unsigned int r = 0; r < ROUNDS; r++) {
        for (unsigned int i = 0; i < PAGES_PER_VCPU; i++)
            cycle_private(id, pages[id][i], (r + i) % 512);
        contend_shared(id);
    }
}

void test_main(void)
{
    mm_init();
    if (smp_nr_vcpus() < 2) {
        lam_skip("needs 2 vCPUs (dom0_max_vcpus=2)");
        return;
    }
    for (unsigned int v = 0; v < 2; v++)
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

    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, worker), 0);
    worker(0);
    mm_expect(smp_wait_done(1, 30000) == 0, "vCPU 1 finished");
    for (unsigned int v = 0; v < 2; v++)
        lam_printf("vCPU %u: %lu operations, %lu bad (first rc %ld), shared pinned %lu times, "
                   "lost %lu races\n",
                   v, (unsigned long)ops[v], (unsigned long)bad_rc[v], first_bad[v],
                   (unsigned long)pins[v], (unsigned long)lost_races[v]);
    mm_expect(bad_rc[0] == 0 && bad_rc[1] == 0, "every operation returned what it should");
    mm_expect(pins[0] == unpins[0] && pins[1] == unpins[1], "every pin of the shared page undone");
    mm_expect(pins[0] + pins[1] + lost_races[0] + lost_races[1] == 2 * ROUNDS,
              "every attempt on the shared page either pinned it or lost");
    mm_expect_rc("pin the shared page once more",
                 mm_ext(LAM_MMUEXT_PIN_L1_TABLE, mm_va_to_mfn(shared)), 0);
    mm_expect_rc("and unpin it", mm_ext(LAM_MMUEXT_UNPIN_TABLE, mm_va_to_mfn(shared)), 0);
    mm_expect_rc("shared page writable again", mm_page_set_rw(shared), 0);
}
