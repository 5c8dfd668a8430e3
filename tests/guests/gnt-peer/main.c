/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU half of gnt-2dom. Its console ring page is granted to dom0 as
 * reference 0 by the builder (as a toolstack does); this kernel writes a
 * pattern there, waits for dom0 to write an answer through its grant
 * mapping, then writes a second pattern and exits.
 */
#include <lamina/sched.h>

#include "mm_util.h"

const char lam_test_title[] = "gnt-2dom peer (domU)";

#define HELLO  0x706565722d313131ULL
#define ANSWER 0x646f6d302d323232ULL
#define BYE    0x706565722d333333ULL

void test_main(void)
{
    mm_init();
    volatile uint64_t *ring = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    LAM_CHECK(ring != NULL, "console ring page %#lx is in our initial mapping",
              (unsigned long)lam_start_info->console.domU.mfn);
    if (!ring)
        return;
    ring[0] = HELLO;
    int got = 0;
    for (int i = 0; i < 2000000 && !got; i++) {
        if (ring[1] == ANSWER)
            got = 1;
        else
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    LAM_CHECK(got, "dom0 wrote its answer into our page through the grant");
    ring[2] = BYE;
}
