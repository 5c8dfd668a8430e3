/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Null hypercall round trip: rdtsc around a tight loop of N xen_version(0)
 * calls (the call Linux uses to force event delivery), several rounds after a
 * warm-up. Prints the best and median cycles per call; the script in this
 * directory runs the kernel on Lamina and Xen 4.17 and prints the ratio.
 */
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "null hypercall benchmark";

#define CALLS  100000
#define ROUNDS 5

void test_main(void)
{
    uint64_t per_call[ROUNDS];

    for (int i = 0; i < 1000; i++)
        hypercall_xen_version(LAM_XENVER_version, NULL);

    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = lam_rdtsc();
        for (int i = 0; i < CALLS; i++)
            hypercall_xen_version(LAM_XENVER_version, NULL);
        per_call[r] = (lam_rdtsc() - t0) / CALLS;
    }
    /* Insertion sort: ROUNDS is tiny. */
    for (int i = 1; i < ROUNDS; i++)
        for (int j = i; j > 0 && per_call[j] < per_call[j - 1]; j--) {
            uint64_t t = per_call[j];
            per_call[j] = per_call[j - 1];
            per_call[j - 1] = t;
        }
    lam_printf("bench: xen_version(0) x %d, %d rounds: best %lu median %lu cycles/call\n", CALLS,
               ROUNDS, per_call[0], per_call[ROUNDS / 2]);
}
