/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Weights and caps across several CPUs: two boot-time domUs (sched-spin) with
 * four vCPUs each spin on every vCPU, so each domain has at least as many
 * busy vCPUs as there are CPUs (up to 4) and the clamp "one vCPU uses at most
 * one CPU" does not decide the shares. dom0 (one vCPU per CPU, only vCPU 0
 * used) sleeps through windows and reads each domain's CPU time, summed over
 * its vCPUs, with domctl getdomaininfo. Built twice:
 *  - smp-weight: weights 256 (d1) and 512 (d2), given at boot: the d2/d1
 *    ratio of the CPU time, the median of the windows' or that of their sums,
 *    must be 1.6-2.4, and together they must use most of the CPUs;
 *  - smp-cap (SMP_CAP=1): both weight 256, then d1 capped at 50 (percent of
 *    one CPU, summed over its vCPUs and CPUs) with domctl scheduler_op: at the
 *    median d1 must use 35-65% of one CPU, d2 most of the rest.
 */
#include <lamina/domctl.h>

#include "domctl_util.h"
#include "sched_util.h"
#include "smp.h"

#if SMP_CAP
const char lam_test_title[] = "a 50% cap holds summed over a domain's vCPUs and CPUs";
#else
#define SMP_CAP 0
const char lam_test_title[] = "weights 1:2 hold summed over vCPUs and CPUs";
#endif

#define WINDOW_NS   (500000000ull)
#define WINDOWS     5
#define PEER_VCPUS  4
#define CAP_PERCENT 50

static struct lam_domctl op;
static unsigned int nr_cpus;

/* CPU time (ns) domain dom's vCPUs have used, from getdomaininfo; 0 with a failure recorded. */
static uint64_t cpu_time(uint16_t dom)
{
    long rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, dom);
    if (rc || op.domain != dom) {
        lam_error("getdomaininfo(d%u): rc %ld, answered for d%u", dom, rc, op.domain);
        return 0;
    }
    return op.u.getdomaininfo.cpu_time;
}

static long set_sched(uint16_t dom, uint16_t weight, uint16_t cap)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_scheduler_op;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.scheduler_op.sched_id = LAM_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = LAM_DOMCTL_SCHEDOP_putinfo;
    op.u.scheduler_op.u.credit.weight = weight;
    op.u.scheduler_op.u.credit.cap = cap;
    return hypercall_domctl(&op);
}

/* WINDOWS windows of sleeping: per window, the CPU time d1 and d2 used in percent of one
 * CPU (pct[d - 1][w]), and in ns over all windows (sum[d - 1]); every window is printed.
 * Returns the windows' total length (ns). */
static uint64_t measure(const char *phase, uint64_t pct[2][WINDOWS], uint64_t sum[2])
{
    uint64_t length = 0;
    sum[0] = sum[1] = 0;
    sched_sleep_until(sched_pvclock_ns() + 200000000ull); /* settle into the schedule */
    for (int w = 0; w < WINDOWS && lam_status() == LAM_SUCCESS; w++) {
        uint64_t t0 = sched_pvclock_ns();
        uint64_t c0[2] = {cpu_time(1), cpu_time(2)};
        sched_sleep_until(t0 + WINDOW_NS);
        uint64_t c1[2] = {cpu_time(1), cpu_time(2)};
        uint64_t window = sched_pvclock_ns() - t0;
        length += window;
        for (int i = 0; i < 2; i++) {
            pct[i][w] = (c1[i] - c0[i]) * 100 / window;
            sum[i] += c1[i] - c0[i];
        }
        lam_printf("%s: window %lu ms: d1 used %lu%%, d2 %lu%% of one CPU\n", phase,
                   (unsigned long)(window / 1000000), (unsigned long)pct[0][w],
                   (unsigned long)pct[1][w]);
    }
    return length;
}

static void weights(void)
{
    uint64_t pct[2][WINDOWS], sum[2], ratio[WINDOWS], total[WINDOWS];
    measure("weights 256:512", pct, sum);
    if (lam_status() != LAM_SUCCESS)
        return;
    for (int w = 0; w < WINDOWS; w++) {
        ratio[w] = pct[0][w] ? pct[1][w] * 100 / pct[0][w] : 100000;
        total[w] = pct[0][w] + pct[1][w];
    }
    unsigned long r = (unsigned long)sched_median(ratio, WINDOWS);
    unsigned long t = (unsigned long)sched_median(total, WINDOWS);
    unsigned long all = (unsigned long)(sum[0] ? sum[1] * 100 / sum[0] : 100000);
    lam_printf("weights: d2/d1 median %lu.%02lu, over all windows %lu.%02lu (want 1.60-2.40 "
               "either way); both used %lu%% of %u CPUs\n",
               r / 100, r % 100, all / 100, all % 100, t, nr_cpus);
    /* A host stall is charged to whoever runs, and a vCPU charged a long stall has its share
     * cut for a while after (until the debt is paid back): the median then misses while the
     * sum over all windows, which includes the stall and the payback, still holds. */
    LAM_CHECK((r >= 160 && r <= 240) || (all >= 160 && all <= 240),
              "d2/d1 CPU time (median %lu.%02lu, overall %lu.%02lu) is not about 2", r / 100,
              r % 100, all / 100, all % 100);
    LAM_CHECK(t * 10 >= nr_cpus * 100 * 8, "the two domains used under 80%% of %u CPUs (%lu%%)",
              nr_cpus, t);
}

static void cap(void)
{
    mm_expect_rc("cap d1 at 50%", set_sched(1, 0, CAP_PERCENT), 0);
    uint64_t pct[2][WINDOWS], sum[2];
    uint64_t length = measure("d1 capped at 50%", pct, sum);
    if (lam_status() != LAM_SUCCESS)
        return;
    unsigned long m1 = (unsigned long)sched_median(pct[0], WINDOWS);
    unsigned long m2 = (unsigned long)sched_median(pct[1], WINDOWS);
    unsigned long rest = nr_cpus * 100 - CAP_PERCENT;
    lam_printf("cap: median d1 %lu%% (cap %u%%, over all windows %lu%%), d2 %lu%% of one CPU "
               "(the rest is %lu%%)\n",
               m1, CAP_PERCENT, (unsigned long)(length ? sum[0] * 100 / length : 0), m2, rest);
    LAM_CHECK(m1 >= CAP_PERCENT - 15 && m1 <= CAP_PERCENT + 15,
              "d1 used %lu%% of one CPU, not about its %u%% cap", m1, CAP_PERCENT);
    LAM_CHECK(m2 * 10 >= rest * 8, "d2 used only %lu%% beside a capped domain (the rest: %lu%%)",
              m2, rest);
}

void test_main(void)
{
    struct mm_tree tree;
    volatile struct sched_peer_page *peer[2];
    uint32_t handle[2];
    if (sched_attach_peers(&tree, 2, peer, handle))
        return;
    nr_cpus = smp_nr_vcpus(); /* the runner gives dom0 one vCPU per CPU */
    lam_printf("CPUs: %u\n", nr_cpus);
    if (nr_cpus < 2 || nr_cpus > PEER_VCPUS) {
        lam_skip("needs 2 to %u CPUs (_SMP in test.mk), one dom0 vCPU each", PEER_VCPUS);
        return;
    }
    /* Each spinner starts its other vCPUs before it shows the magic. */
    for (uint16_t d = 1; d <= 2; d++) {
        mm_expect_rc("getdomaininfo", lam_domctl(&op, LAM_DOMCTL_getdomaininfo, d), 0);
        LAM_CHECK(op.u.getdomaininfo.nr_online_vcpus == PEER_VCPUS,
                  "d%u has %u vCPUs online, not %u", d, op.u.getdomaininfo.nr_online_vcpus,
                  PEER_VCPUS);
    }
    if (lam_status() == LAM_SUCCESS) {
        if (SMP_CAP)
            cap();
        else
            weights();
    }
    for (int i = 0; i < 2; i++)
        mm_expect_rc("unmap", sched_unmap_peer(tree.base + (uint64_t)i * LAM_PAGE_SIZE, handle[i]),
                     0);
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
