/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scheduler's machine-wide credit accounting (hypervisor/common/sched/sched_credit.c,
 * unchanged): shares by weight over several CPUs, the one-CPU clamp, the hoarding
 * limit, caps summed over a domain's vCPUs (and slices on several CPUs sharing one
 * budget), and slice ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/sched.h>
#include <asm/irqflags.h>
#include <asm/time.h>
#include "sched_credit.h"

#define S ((int64_t)SCHED_SLICE_NS)

/* What sched_credit.c takes from the rest of the hypervisor. A host process has no
 * interrupt flag, and the test runs on one thread: its irqsave sections do nothing. */
unsigned long local_irq_save(void)
{
    return 0;
}
void local_irq_restore(unsigned long flags)
{
    (void)flags;
}
static uint64_t now_ns;
uint64_t time_now_ns(void)
{
    return now_ns;
}
unsigned int nr_cpus_online;

static struct domain doms[3];
static struct vcpu vcpus[8];
static unsigned int nr_added;

static int setup(void **state)
{
    (void)state;
    memset(doms, 0, sizeof(doms));
    memset(vcpus, 0, sizeof(vcpus));
    nr_added = 0;
    for (unsigned int i = 0; i < 3; i++) {
        doms[i].domain_id = (uint16_t)i;
        doms[i].state = DOMAIN_RUNNING;
        doms[i].weight = SCHED_DEFAULT_WEIGHT;
    }
    now_ns = 1000000000ull;
    credit_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < nr_added; i++)
        credit_remove_vcpu(&vcpus[i]);
    return 0;
}

/* A runnable vCPU of doms[d]. */
static struct vcpu *add_vcpu(unsigned int d)
{
    struct vcpu *v = &vcpus[nr_added];
    v->vcpu_id = nr_added++;
    v->domain = &doms[d];
    v->online = true;
    credit_add_vcpu(v);
    return v;
}

static void advance(int64_t ns)
{
    now_ns += (uint64_t)ns;
    credit_maybe_account(now_ns);
}

/* Two CPUs, weights 256 and 512, two vCPUs each: the period's two CPUs' worth is shared
 * 1:2 between the domains, and each domain's part evenly between its vCPUs. */
static void test_weights_over_two_cpus(void **state)
{
    (void)state;
    nr_cpus_online = 2;
    doms[1].weight = 256;
    doms[2].weight = 512;
    struct vcpu *a0 = add_vcpu(1), *a1 = add_vcpu(1), *b0 = add_vcpu(2), *b1 = add_vcpu(2);
    advance(S);
    assert_int_equal(credit_of(a0), 2 * S / 6);
    assert_int_equal(credit_of(a1), 2 * S / 6);
    assert_int_equal(credit_of(b0), 4 * S / 6);
    assert_int_equal(credit_of(b1), 4 * S / 6);
    assert_int_equal(credit_of(a0) + credit_of(a1) + credit_of(b0) + credit_of(b1), 2 * S);
}

/* Four CPUs, three domains of weight 256 with one, one and two vCPUs: total weight counts
 * per runnable vCPU, and nobody is handed more than one CPU. */
static void test_four_cpus_per_vcpu_weight(void **state)
{
    (void)state;
    nr_cpus_online = 4;
    struct vcpu *a = add_vcpu(0), *b = add_vcpu(1), *c0 = add_vcpu(2), *c1 = add_vcpu(2);
    advance(S);
    assert_int_equal(credit_of(a), S);
    assert_int_equal(credit_of(b), S);
    assert_int_equal(credit_of(c0), S);
    assert_int_equal(credit_of(c1), S);
}

/* A heavy domain with one vCPU on two CPUs gets one CPU, not its 80 % of two. */
static void test_one_cpu_per_vcpu(void **state)
{
    (void)state;
    nr_cpus_online = 2;
    doms[1].weight = 1024;
    struct vcpu *heavy = add_vcpu(1), *light = add_vcpu(2);
    advance(S);
    assert_int_equal(credit_of(heavy), S);
    assert_int_equal(credit_of(light), 2 * S * 256 / 1280);
}

/* Blocked or offline vCPUs and paused domains get nothing and weigh nothing. */
static void test_only_runnable_vcpus_share(void **state)
{
    (void)state;
    nr_cpus_online = 1;
    struct vcpu *run = add_vcpu(1), *blocked = add_vcpu(1), *off = add_vcpu(1);
    struct vcpu *paused = add_vcpu(2);
    blocked->blocked = true;
    off->online = false;
    doms[2].state = DOMAIN_PAUSED;
    advance(S);
    assert_int_equal(credit_of(run), S);
    assert_int_equal(credit_of(blocked), 0);
    assert_int_equal(credit_of(off), 0);
    assert_int_equal(credit_of(paused), 0);
}

/* Credit comes once per slice, a long stretch counts as two slices at most, and nobody
 * holds more than two slices' worth. */
static void test_period_and_hoarding(void **state)
{
    (void)state;
    nr_cpus_online = 1;
    struct vcpu *a = add_vcpu(1), *b = add_vcpu(2);
    advance(S / 2);
    assert_int_equal(credit_of(a), 0);
    advance(S / 2);
    assert_int_equal(credit_of(a), S / 2);
    advance(10 * S);
    assert_int_equal(credit_of(a), S / 2 + S);
    for (int i = 0; i < 10; i++)
        advance(S);
    assert_int_equal(credit_of(a), 2 * S);
    assert_int_equal(credit_of(b), 2 * S);
}

/* Running burns credit; the charge may take it below zero, but not far. */
static void test_charge(void **state)
{
    (void)state;
    nr_cpus_online = 1;
    struct vcpu *a = add_vcpu(1);
    advance(S);
    credit_charge(a, (uint64_t)(S + S / 4), 0);
    assert_int_equal(credit_of(a), -S / 4);
    assert_int_equal(doms[1].consumed_this_period, S + S / 4);
    /* A long stall charged to it is a debt of one slice at most, once accounted. */
    credit_charge(a, (uint64_t)(20 * S), 0);
    advance(S);
    assert_int_equal(credit_of(a), -S);
}

/* A 50 % cap is 15 ms per 30 ms period, summed over the domain's vCPUs wherever they ran;
 * what it overran counts against the next period. */
static void test_cap_summed_over_vcpus(void **state)
{
    (void)state;
    nr_cpus_online = 2;
    doms[1].cap = 50;
    struct vcpu *a = add_vcpu(1), *b = add_vcpu(1);
    const int64_t budget = S / 2;
    uint64_t reserved;
    advance(S);
    assert_false(credit_over_cap(a));
    credit_charge(a, (uint64_t)(budget / 2), 0);
    assert_false(credit_over_cap(b));
    assert_int_equal(credit_start_slice(b, false, now_ns, &reserved),
                     now_ns + (uint64_t)(budget / 2));
    assert_int_equal(reserved, budget / 2);
    credit_charge(b, (uint64_t)(budget / 2 + S / 10), reserved);
    assert_int_equal(doms[1].cap_reserved, 0);
    assert_true(credit_over_cap(a));
    assert_true(credit_over_cap(b));
    assert_int_equal(credit_start_slice(a, false, now_ns, &reserved), now_ns);
    assert_int_equal(reserved, 0);
    advance(S);
    assert_int_equal(doms[1].consumed_this_period, S / 10);
    assert_false(credit_over_cap(a));
    /* An uncapped domain is never over its cap, and reserves nothing. */
    struct vcpu *c = add_vcpu(2);
    credit_charge(c, (uint64_t)(10 * S), 0);
    assert_false(credit_over_cap(c));
    assert_int_equal(credit_start_slice(c, false, now_ns, &reserved), now_ns + (uint64_t)S);
    assert_int_equal(reserved, 0);
}

/* Four CPUs start the four vCPUs of a domain capped at 50 % in one period: together they
 * are granted one budget (15 ms), not four; what a slice leaves unused goes back. */
static void test_cap_shared_by_cpus(void **state)
{
    (void)state;
    nr_cpus_online = 4;
    doms[1].cap = 50;
    struct vcpu *v[4] = {add_vcpu(1), add_vcpu(1), add_vcpu(1), add_vcpu(1)};
    const uint64_t budget = (uint64_t)S / 2;
    uint64_t reserved[4], granted = 0;
    advance(S);
    uint64_t end0 = credit_start_slice(v[0], false, now_ns, &reserved[0]);
    assert_int_equal(end0, now_ns + budget);
    for (int i = 1; i < 4; i++) {
        assert_true(credit_over_cap(v[i]));
        assert_int_equal(credit_start_slice(v[i], false, now_ns, &reserved[i]), now_ns);
    }
    for (int i = 0; i < 4; i++)
        granted += reserved[i];
    assert_int_equal(granted, budget);
    /* vCPU 0 blocks after 5 ms: 10 ms go back, and the next slice gets exactly those. */
    credit_charge(v[0], budget / 3, reserved[0]);
    assert_false(credit_over_cap(v[1]));
    assert_int_equal(credit_start_slice(v[1], false, now_ns, &reserved[1]),
                     now_ns + budget - budget / 3);
    assert_true(credit_over_cap(v[2]));
    credit_charge(v[1], budget - budget / 3, reserved[1]);
    assert_int_equal(doms[1].consumed_this_period, budget);
    assert_int_equal(doms[1].cap_reserved, 0);
}

/* A slice is SCHED_SLICE_NS, or up to the next accounting when a capped vCPU waits. */
static void test_slice_end(void **state)
{
    (void)state;
    nr_cpus_online = 1;
    struct vcpu *a = add_vcpu(1);
    uint64_t reserved;
    assert_int_equal(credit_start_slice(a, false, now_ns, &reserved), now_ns + (uint64_t)S);
    uint64_t start = now_ns;
    now_ns += (uint64_t)(S / 3);
    assert_int_equal(credit_start_slice(a, true, now_ns, &reserved), start + (uint64_t)S);
    now_ns = start + (uint64_t)S - SCHED_MIN_SLICE_NS / 2;
    assert_int_equal(credit_start_slice(a, true, now_ns, &reserved), now_ns + SCHED_MIN_SLICE_NS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_weights_over_two_cpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_four_cpus_per_vcpu_weight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_cpu_per_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_runnable_vcpus_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_period_and_hoarding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_charge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_summed_over_vcpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_shared_by_cpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slice_end, setup, teardown),
    };
    return cmocka_run_group_tests_name("sched_credit", tests, NULL, NULL);
}
