/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * More vCPUs than the credit scheduler's list once held (the timer heap's sibling: 256 entries, and
 * credit_add_vcpu dropped the rest silently: such a vCPU never got credit, its debt was never
 * bounded, and it starved behind every other). Here 258 vCPUs exist: dom0's 32, a spinner d1, seven
 * idle domUs of 32 vCPUs (d2-d8) and a second spinner d9, created last. With equal weights d1 and
 * d9 must share the CPU evenly: over three 1 s windows each uses at least 25% and d9/d1 is 0.5-2.
 */
#include <lamina/domctl.h>

#include "domctl_util.h"
#include "sched_util.h"

const char lam_test_title[] = "258 vCPUs: the last domain's share of the CPU";

#define WINDOW_NS 1000000000ull
#define WINDOWS   3
#define LAST      9

static uint64_t cpu_time(uint16_t dom)
{
    struct lam_domctl op;
    long rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, dom);
    if (rc || op.domain != dom) {
        lam_error("getdomaininfo(d%u): rc %ld, answered for d%u", dom, rc, op.domain);
        return 0;
    }
    return op.u.getdomaininfo.cpu_time;
}

void test_main(void)
{
    mm_init();
    sched_sleep_until(sched_pvclock_ns() + 300000000ull); /* every domain up and spinning */
    uint64_t first_sum = 0, last_sum = 0, length = 0;
    for (int w = 0; w < WINDOWS && lam_status() == LAM_SUCCESS; w++) {
        uint64_t t0 = sched_pvclock_ns(), a0 = cpu_time(1), b0 = cpu_time(LAST);
        sched_sleep_until(t0 + WINDOW_NS);
        uint64_t a = cpu_time(1) - a0, b = cpu_time(LAST) - b0, window = sched_pvclock_ns() - t0;
        lam_printf("window %lu ms: d1 used %lu%%, d%u %lu%%\n", (unsigned long)(window / 1000000),
                   (unsigned long)(a * 100 / window), LAST, (unsigned long)(b * 100 / window));
        first_sum += a;
        last_sum += b;
        length += window;
    }
    LAM_CHECK(first_sum * 4 >= length && last_sum * 4 >= length,
              "each spinner uses at least 25%% (d1 %lu%%, d%u %lu%%)",
              (unsigned long)(first_sum * 100 / length), LAST,
              (unsigned long)(last_sum * 100 / length));
    LAM_CHECK(last_sum * 2 >= first_sum && last_sum <= first_sum * 2, "d%u/d1 is 0.5-2 (%lu.%02lu)",
              LAST, (unsigned long)(last_sum / (first_sum | 1)),
              (unsigned long)(last_sum * 100 / (first_sum | 1) % 100));
}
