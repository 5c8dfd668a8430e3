/*
 * sched_op(shutdown, <reason>) for one reason (SHUTDOWN_REASON, set by
 * test.mk). The kernel reports SUCCESS first, then shuts down; whether the
 * hypervisor acted on the right reason is checked by the runner in the
 * hypervisor's log. If the hypercall returns, the kernel panics (no second
 * result line), which the runner sees as a wrong shutdown.
 */
#include <lamina/sched.h>

#include "lam.h"

#ifndef SHUTDOWN_REASON
#error "SHUTDOWN_REASON must be set by test.mk"
#endif

const char lam_test_title[] = "sched_op(shutdown) with one reason";

void test_main(void)
{
    lam_printf("shutting down with reason %u\n", (unsigned)SHUTDOWN_REASON);
    lam_exit(SHUTDOWN_REASON);
}
