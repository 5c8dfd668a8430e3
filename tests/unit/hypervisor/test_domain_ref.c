/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain lookups by id and their references: hypervisor/common/domain_ref.c
 * built unchanged; the interrupt flag is this file's (local_irq_save/restore,
 * declared by the stand-in of <asm/irqflags.h>). The
 * reaper's rule is checked on its own (a held domain is never unlisted; the
 * last put of a dying one asks for a reap) and under contention: one thread
 * looks the domain up and uses it while another reaps it exactly as
 * domain_reap() does (only when asked, then unlist-if-unused, then free) and
 * creates a new one under the same id. The freed struct really is freed, so a
 * lookup that handed out a domain being freed is a use-after-free ASan
 * reports; a put that forgot to ask for the reap leaves the reaper waiting,
 * which the test counts as a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include <asm/irqflags.h>
#include <asm/x86.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include "hv_stubs.h"

bool domain_reap_pending; /* domain_destroy.c's, which this test does not link */

/* The interrupt flag of this thread, as spin_lock_irqsave sees it. */
static _Thread_local unsigned int irq_off_depth;

unsigned long local_irq_save(void)
{
    return irq_off_depth++ == 0 ? X86_EFLAGS_IF /* it was set */ : 0;
}

/* Also called on the looker thread, where a cmocka assertion cannot report: abort. */
void local_irq_restore(unsigned long flags)
{
    if (irq_off_depth == 0)
        abort(); /* restored more often than saved */
    irq_off_depth--;
    if ((flags & X86_EFLAGS_IF) && irq_off_depth != 0)
        abort(); /* interrupts back on inside an outer irqsave section */
}

#define MAGIC_ALIVE 0x6c697665u

struct test_domain {
    struct domain d;
    uint32_t magic;
};

static struct domain *new_domain(domid_t id)
{
    struct test_domain *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->d.domain_id = id;
    t->d.state = DOMAIN_RUNNING;
    t->magic = MAGIC_ALIVE;
    return &t->d;
}

static void free_domain(struct domain *d)
{
    ((struct test_domain *)d)->magic = 0;
    free(d);
}

static uint32_t magic_of(const struct domain *d)
{
    return ((const struct test_domain *)d)->magic;
}

/* Take the domain under id off the list (test cleanup) and free it. */
static void drop(domid_t id)
{
    struct domain *d = domain_list[id];
    assert_non_null(d);
    assert_true(domain_unlist_if_unused(d));
    free_domain(d);
}

static void test_lookup_misses(void **state)
{
    (void)state;
    assert_null(domain_get(5));
    assert_null(domain_get(MAX_DOMAINS));
    assert_null(domain_get(LAM_DOMID_SELF));
    assert_null(domain_get(~0u));
    assert_int_equal(irq_off_depth, 0);
}

static void test_get_put_counts(void **state)
{
    (void)state;
    struct domain *d = new_domain(3);
    assert_int_equal(domain_list_add(d), 0);
    assert_ptr_equal(domain_get(3), d);
    assert_ptr_equal(domain_get(3), d);
    assert_int_equal(domain_refs(d), 2);
    domain_put(d);
    domain_put(d);
    assert_int_equal(domain_refs(d), 0);
    /* A live domain's last put asks for no reap. */
    assert_false(d->reap_pending);
    assert_false(domain_reap_pending);
    assert_int_equal(irq_off_depth, 0);
    drop(3);
    assert_null(domain_get(3));
}

static void test_add_refuses_taken_id(void **state)
{
    (void)state;
    struct domain *a = new_domain(7), *b = new_domain(7);
    assert_int_equal(domain_list_add(a), 0);
    assert_int_equal(domain_list_add(b), -EEXIST);
    assert_ptr_equal(domain_list[7], a);
    free_domain(b);
    drop(7);
}

static void test_reap_deferred_while_held(void **state)
{
    (void)state;
    struct domain *d = new_domain(9);
    assert_int_equal(domain_list_add(d), 0);
    struct domain *held = domain_get(9);
    assert_ptr_equal(held, d);
    d->state = DOMAIN_DYING;
    domain_reap_pending = false;

    /* The reaper finds it referenced: it stays listed and can still be looked up. */
    assert_false(domain_unlist_if_unused(d));
    assert_ptr_equal(domain_list[9], d);
    struct domain *again = domain_get(9);
    assert_ptr_equal(again, d);
    domain_put(again);
    assert_false(d->reap_pending); /* one reference is still held */
    assert_false(domain_reap_pending);

    /* The last put asks for the reap that was deferred. */
    domain_put(held);
    assert_true(d->reap_pending);
    assert_true(domain_reap_pending);
    assert_true(domain_unlist_if_unused(d));
    assert_null(domain_list[9]);
    assert_null(domain_get(9));
    /* Unlisting twice finds nothing to do. */
    assert_false(domain_unlist_if_unused(d));
    free_domain(d);
    domain_reap_pending = false;
}

static void test_put_without_reference_panics(void **state)
{
    (void)state;
    struct domain *d = new_domain(11);
    assert_int_equal(domain_list_add(d), 0);
    EXPECT_PANIC(domain_put(d));
    /* The lock was released before the panic: lookups still work. */
    assert_ptr_equal(domain_get(11), d);
    domain_put(d);
    assert_int_equal(irq_off_depth, 0);
    drop(11);
}

/* ---- a looker-up against the reaper, on two threads ---- */

#define RACE_ID     13
#define RACE_ROUNDS 20000
/* Reaper polls without progress before it calls a reap request lost. */
#define STUCK_POLLS 200000000ull

static volatile bool race_done;
static volatile unsigned long race_hits, race_misses, race_stuck, race_bad;

static void *looker(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) {
        struct domain *d = domain_get(RACE_ID);
        if (!d) {
            race_misses++;
            continue;
        }
        /* Use it as a hypercall would: every field must still be there. */
        if (d->domain_id != RACE_ID || magic_of(d) != MAGIC_ALIVE)
            race_bad++;
        race_hits++;
        domain_put(d);
    }
    return NULL;
}

static void test_lookup_races_reaper(void **state)
{
    (void)state;
    pthread_t t;
    race_done = false;
    race_hits = race_misses = race_stuck = race_bad = 0;
    assert_int_equal(domain_list_add(new_domain(RACE_ID)), 0);
    assert_int_equal(pthread_create(&t, NULL, looker, NULL), 0);

    unsigned long deferred = 0;
    for (unsigned int round = 0; round < RACE_ROUNDS; round++) {
        struct domain *d = domain_list[RACE_ID];
        /* domain_kill: dying, and marked once for reaping. */
        __atomic_store_n(&d->state, DOMAIN_DYING, __ATOMIC_RELEASE);
        __atomic_store_n(&d->reap_pending, true, __ATOMIC_RELEASE);
        /* domain_reap: only when asked; a held domain waits for its last put to ask. */
        unsigned long long polls = 0;
        for (;;) {
            if (__atomic_exchange_n(&d->reap_pending, false, __ATOMIC_ACQ_REL)) {
                if (domain_unlist_if_unused(d))
                    break;
                deferred++;
                polls = 0;
            } else if (++polls == STUCK_POLLS) {
                race_stuck++; /* referenced, and no put asked for the reap */
                break;
            }
        }
        if (race_stuck)
            break;
        free_domain(d);
        /* The id is free again: a new domain takes it. */
        assert_int_equal(domain_list_add(new_domain(RACE_ID)), 0);
    }
    __atomic_store_n(&race_done, true, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    assert_int_equal(race_stuck, 0);
    assert_int_equal(race_bad, 0);
    /* Both sides really met: lookups found the domain, and reaps were deferred. */
    assert_true(race_hits > 0);
    print_message("%lu lookups used a domain, %lu missed, %lu reaps deferred\n", race_hits,
                  race_misses, deferred);
    assert_int_equal(domain_refs(domain_list[RACE_ID]), 0);
    drop(RACE_ID);
    domain_reap_pending = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_misses),
        cmocka_unit_test(test_get_put_counts),
        cmocka_unit_test(test_add_refuses_taken_id),
        cmocka_unit_test(test_reap_deferred_while_held),
        cmocka_unit_test(test_put_without_reference_panics),
        cmocka_unit_test(test_lookup_races_reaper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
