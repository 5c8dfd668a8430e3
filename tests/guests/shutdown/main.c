/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_op(shutdown, <reason>) for one reason (SHUTDOWN_REASON, set by
 * test.mk). The kernel reports SUCCESS first, then shuts down; whether the
 * hypervisor acted on the right reason is checked by the runner in the
 * hypervisor's log. If the hypercall returns, the kernel panics (no second
 * result line), which the runner sees as a wrong shutdown. With SHUTDOWN_CODE
 * set, the reason is first recorded with SCHEDOP_shutdown_code; the hypervisor
 * must then report that reason instead of SHUTDOWN_REASON.
 */
#include <lamina/sched.h>

#include "lam.h"

#ifndef SHUTDOWN_REASON
#error "SHUTDOWN_REASON must be set by test.mk"
#endif

const char lam_test_title[] = "sched_op(shutdown) with one reason";

void test_main(void)
{
#ifdef SHUTDOWN_CODE
    /* Record the reason a later shutdown reports; the domain keeps running. */
    struct lam_sched_shutdown code = {.reason = SHUTDOWN_CODE};
    long rc = hypercall_sched_op(LAM_SCHEDOP_shutdown_code, &code);
    LAM_CHECK(rc == 0, "sched_op(shutdown_code) returned %ld", rc);
    lam_printf("shutdown code %u recorded\n", (unsigned)SHUTDOWN_CODE);
#endif
    lam_printf("shutting down with reason %u\n", (unsigned)SHUTDOWN_REASON);
    lam_exit(SHUTDOWN_REASON);
}
