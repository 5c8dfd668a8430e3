/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lock-order checker of the lock-debug image (hypervisor/common/lock_debug.c,
 * unchanged, built with LOCK_DEBUG): the documented order is accepted, each way of
 * breaking it panics with both locks' names, and the trylock and nested rules hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv_stubs.h"
#include <asm/irqflags.h>
#include <asm/x86.h>
#include <hv/spinlock.h>

/* The interrupt flag the checker reads: a variable the test sets, since a host
 * process cannot execute CLI/PUSHF (stand-in/asm/irqflags.h declares these). */
static unsigned long shim_rflags;

unsigned long local_irq_save(void)
{
    unsigned long f = shim_rflags;
    shim_rflags &= ~X86_EFLAGS_IF;
    return f;
}

void local_irq_restore(unsigned long flags)
{
    shim_rflags = flags;
}

static spinlock_t reap, mm, dom, evtchn_a, evtchn_b, credit, runq_a, runq_b, timer, console, buddy,
    xmalloc, unclassified;

static int setup(void **state)
{
    (void)state;
    spin_lock_init(&reap, LOCK_CLASS_REAP);
    spin_lock_init(&mm, LOCK_CLASS_MM);
    spin_lock_init(&dom, LOCK_CLASS_DOMAIN);
    spin_lock_init(&evtchn_a, LOCK_CLASS_EVTCHN);
    spin_lock_init(&evtchn_b, LOCK_CLASS_EVTCHN);
    spin_lock_init(&credit, LOCK_CLASS_CREDIT);
    spin_lock_init(&runq_a, LOCK_CLASS_RUNQ);
    spin_lock_init(&runq_b, LOCK_CLASS_RUNQ);
    spin_lock_init(&timer, LOCK_CLASS_TIMER);
    spin_lock_init(&console, LOCK_CLASS_CONSOLE);
    spin_lock_init(&buddy, LOCK_CLASS_BUDDY);
    spin_lock_init(&xmalloc, LOCK_CLASS_XMALLOC);
    spin_lock_init(&unclassified, LOCK_CLASS_NONE);
    shim_rflags = 0; /* interrupts off, as for most classes */
    lock_debug_restart();
    return 0;
}

/* A violation panics (the stub longjmps back); forget it and the locks it left taken. */
#define EXPECT_VIOLATION(stmt, ...)                                                                \
    do {                                                                                           \
        EXPECT_PANIC(stmt);                                                                        \
        const char *want_[] = {__VA_ARGS__};                                                       \
        for (size_t i_ = 0; i_ < sizeof(want_) / sizeof(want_[0]); i_++)                           \
            if (!strstr(stub_panic_msg, want_[i_]))                                                \
                fail_msg("panic '%s' lacks '%s'", stub_panic_msg, want_[i_]);                      \
    } while (0)

static void test_documented_order(void **state)
{
    (void)state;
    spin_lock(&mm);
    spin_lock(&dom);
    spin_lock(&xmalloc);
    spin_lock(&buddy);
    spin_lock(&evtchn_a);
    spin_lock(&runq_a);
    spin_lock(&timer);
    spin_lock(&console);
    assert_true(spin_is_locked_by_me(&timer));
    spin_unlock(&console);
    spin_unlock(&timer);
    spin_unlock(&runq_a);
    spin_unlock(&evtchn_a);
    spin_unlock(&buddy);
    spin_unlock(&xmalloc);
    spin_unlock(&dom);
    spin_unlock(&mm);
    assert_false(spin_is_locked_by_me(&mm));
}

static void test_inversion_names_both(void **state)
{
    (void)state;
    spin_lock(&dom);
    EXPECT_VIOLATION(spin_lock(&mm), "taking mm_lock", "holding d->lock", "lower level");
}

static void test_inner_then_outer_across_levels(void **state)
{
    (void)state;
    spin_lock(&runq_a);
    EXPECT_VIOLATION(spin_lock(&evtchn_a), "taking d->evtchn_lock", "holding run-queue lock");
}

static void test_credit_not_under_runq(void **state)
{
    (void)state;
    spin_lock(&credit);
    spin_lock(&runq_a);
    spin_unlock(&runq_a);
    spin_unlock(&credit);
    spin_lock(&runq_a);
    EXPECT_VIOLATION(spin_lock(&credit), "taking credit_lock", "holding run-queue lock");
}

static void test_trylock_any_order(void **state)
{
    (void)state;
    /* The reaper tries mm_lock under reap_lock; a stealing CPU tries a peer's queue. */
    spin_lock(&reap);
    assert_true(spin_trylock(&mm));
    spin_unlock(&mm);
    spin_unlock(&reap);
    spin_lock(&runq_a);
    assert_true(spin_trylock(&runq_b));
    spin_lock(&timer); /* both queues count as held: the timer lock ranks above them */
    spin_unlock(&timer);
    spin_unlock(&runq_a); /* released out of order, as rehome() does */
    spin_unlock(&runq_b);
    spin_lock(&runq_a);
    EXPECT_VIOLATION(spin_lock(&runq_b), "taking run-queue lock", "holding run-queue lock",
                     "same level");
}

static void test_trylock_counts_as_held(void **state)
{
    (void)state;
    assert_true(spin_trylock(&timer));
    EXPECT_VIOLATION(spin_lock(&runq_a), "taking run-queue lock", "holding timer lock");
}

static void test_nested_same_class(void **state)
{
    (void)state;
    spin_lock(&evtchn_a);
    spin_lock_nested(&evtchn_b);
    spin_unlock(&evtchn_a);
    spin_unlock(&evtchn_b);
    spin_lock(&runq_a);
    EXPECT_VIOLATION(spin_lock_nested(&evtchn_a), "taking d->evtchn_lock");
}

static void test_twice(void **state)
{
    (void)state;
    spin_lock(&mm);
    EXPECT_VIOLATION(spin_lock(&mm), "mm_lock", "already holds");
}

static void test_interrupts(void **state)
{
    (void)state;
    shim_rflags = X86_EFLAGS_IF;
    spin_lock(&mm); /* taken with interrupts on */
    spin_unlock(&mm);
    EXPECT_VIOLATION(spin_lock(&evtchn_a), "d->evtchn_lock", "interrupts on");
}

static void test_unclassified(void **state)
{
    (void)state;
    EXPECT_VIOLATION(spin_lock(&unclassified), "no lock class");
}

static void test_release_unheld(void **state)
{
    (void)state;
    /* Taken behind the checker's back (as by another CPU): releasing it here is a bug. */
    __atomic_store_n(&mm.next, 1, __ATOMIC_RELAXED);
    EXPECT_VIOLATION(spin_unlock(&mm), "mm_lock", "does not hold");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_documented_order, setup),
        cmocka_unit_test_setup(test_inversion_names_both, setup),
        cmocka_unit_test_setup(test_inner_then_outer_across_levels, setup),
        cmocka_unit_test_setup(test_credit_not_under_runq, setup),
        cmocka_unit_test_setup(test_trylock_any_order, setup),
        cmocka_unit_test_setup(test_trylock_counts_as_held, setup),
        cmocka_unit_test_setup(test_nested_same_class, setup),
        cmocka_unit_test_setup(test_twice, setup),
        cmocka_unit_test_setup(test_interrupts, setup),
        cmocka_unit_test_setup(test_unclassified, setup),
        cmocka_unit_test_setup(test_release_unheld, setup),
    };

    return cmocka_run_group_tests_name("lock_debug", tests, NULL, NULL);
}
