/* SPDX-License-Identifier: GPL-2.0-only */
/* The ticket spinlock, with real threads contending for it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include <string.h>

#include "hv_stubs.h"
#include <hv/spinlock.h>

static spinlock_t lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_TEST);
static volatile uint64_t counter; /* protected by lock, deliberately non-atomic */
static volatile int inside;       /* threads in the critical section */
static volatile int violations;

/*
 * Two threads on this two-core machine: a third would be preempted while
 * holding its ticket and turn the test into a convoy benchmark.
 */
#define ROUNDS 200000

static pthread_barrier_t start;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start); /* all threads contend from the first round */
    for (int i = 0; i < ROUNDS; i++) {
        spin_lock(&lock);
        if (++inside != 1)
            violations++;
        counter = counter + 1;
        inside--;
        spin_unlock(&lock);
    }
    return NULL;
}

static void test_mutual_exclusion(void **state)
{
    pthread_t t[2];

    (void)state;
    counter = 0;
    pthread_barrier_init(&start, NULL, 2);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(counter, 2ULL * ROUNDS);
    assert_int_equal(violations, 0);
    assert_false(spin_is_locked(&lock));
    pthread_barrier_destroy(&start);
}

static void test_trylock(void **state)
{
    spinlock_t l = SPIN_LOCK_UNLOCKED(LOCK_CLASS_TEST);

    (void)state;
    assert_false(spin_is_locked(&l));
    assert_true(spin_trylock(&l));
    assert_true(spin_is_locked(&l));
    assert_false(spin_trylock(&l));
    spin_unlock(&l);
    assert_false(spin_is_locked(&l));
    spin_lock(&l);
    assert_false(spin_trylock(&l));
    spin_unlock(&l);
    assert_true(spin_trylock(&l));
    spin_unlock(&l);
    /* Tickets wrap around 2^32 without breaking anything. */
    l.next = l.owner = UINT32_MAX;
    spin_lock(&l);
    assert_true(spin_is_locked(&l));
    spin_unlock(&l);
    assert_int_equal(l.owner, 0);
    assert_true(spin_trylock(&l));
    spin_unlock(&l);
}

static spinlock_t held_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_TEST);

static void *other_cpu_view(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)spin_is_locked_by_me(&held_lock);
}

/* The lock knows its holder: true on the holding thread only, false once released. */
static void test_locked_by_me(void **state)
{
    pthread_t t;
    void *seen;

    (void)state;
    assert_false(spin_is_locked_by_me(&held_lock));
    spin_lock(&held_lock);
    assert_true(spin_is_locked_by_me(&held_lock));
    pthread_create(&t, NULL, other_cpu_view, NULL);
    pthread_join(t, &seen);
    assert_false((uintptr_t)seen);
    ASSERT_LOCKED(&held_lock);
    spin_unlock(&held_lock);
    assert_false(spin_is_locked_by_me(&held_lock));
    EXPECT_PANIC(ASSERT_LOCKED(&held_lock));
    assert_non_null(strstr(stub_panic_msg, "spin_is_locked_by_me"));
    assert_true(spin_trylock(&held_lock));
    assert_true(spin_is_locked_by_me(&held_lock));
    spin_unlock(&held_lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutual_exclusion),
        cmocka_unit_test(test_trylock),
        cmocka_unit_test(test_locked_by_me),
    };

    return cmocka_run_group_tests_name("spinlock", tests, NULL, NULL);
}
