/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A domU that does nothing: it blocks until the end of time, so the dom0
 * system test has a running domain to list, pause, reschedule and destroy
 * with lam (tests/system/dom0/dom0.sh). It never prints a result line.
 */
#include <lamina/sched.h>

#include "lam.h"

const char lam_test_title[] = "idle domU for the dom0 system test";

void test_main(void)
{
    for (;;)
        hypercall_sched_op(LAM_SCHEDOP_block, NULL);
}
