/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * C entry of a test kernel: check start_info, map shared_info, install the
 * trap table, run the test, report and power off.
 */
#include <lamina/memory_layout.h>
#include <lamina/mmu.h>
#include <lamina/sched.h>

#include "lam.h"

const struct lam_start_info *lam_start_info;
struct lam_shared_info *lam_shared_info;

__attribute__((weak)) const char lam_test_title[] = "";

/* A page of our own image whose mapping is replaced by shared_info. */
static uint8_t shared_info_window[LAM_PAGE_SIZE] __attribute__((aligned(LAM_PAGE_SIZE)));

static void map_shared_info(void)
{
    uint64_t pte = (lam_start_info->shared_info & LAM_PTE_MFN_MASK) | LAM_PTE_PRESENT | LAM_PTE_RW |
                   LAM_PTE_ACCESSED | LAM_PTE_DIRTY;
    long rc = hypercall_update_va_mapping((unsigned long)shared_info_window, pte, LAM_UVMF_INVLPG);
    if (rc)
        lam_panic("update_va_mapping(shared_info) failed: %ld", rc);
    lam_shared_info = (struct lam_shared_info *)shared_info_window;
}

__attribute__((noreturn)) void lam_start(const struct lam_start_info *si);

void lam_start(const struct lam_start_info *si)
{
    lam_start_info = si;
    lam_printf("--- Lamina test kernel: %s%s%s\n", LAM_TEST_NAME, lam_test_title[0] ? ": " : "",
               lam_test_title);
    if (memcmp(si->magic, LAM_START_INFO_MAGIC, sizeof(LAM_START_INFO_MAGIC)) != 0)
        lam_panic("start_info magic is not %s", LAM_START_INFO_MAGIC);
    map_shared_info();
    long rc = lam_install_trap_table();
    if (rc)
        lam_panic("set_trap_table failed: %ld", rc);
    test_main();
    lam_exit(LAM_SHUTDOWN_poweroff);
}
