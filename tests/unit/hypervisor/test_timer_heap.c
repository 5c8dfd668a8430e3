/* SPDX-License-Identifier: GPL-2.0-only */
/* The timer heap against a simple model: an array kept sorted on demand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <hv/errcodes.h>
#include <hv/timer_heap.h>

#define CAP 512

/* Every queued timer's heap_index points back at it; parents not later. */
static void check_heap(const struct timer_heap *h)
{
    for (unsigned int i = 0; i < h->nr; i++) {
        assert_int_equal(h->slots[i]->heap_index, i);
        if (i)
            assert_true(h->slots[(i - 1) / 2]->expires <= h->slots[i]->expires);
    }
}

static uint64_t model_min(struct timer *const *model, size_t n)
{
    uint64_t m = UINT64_MAX;

    for (size_t i = 0; i < n; i++)
        m = model[i]->expires < m ? model[i]->expires : m;
    return m;
}

static void test_basic(void **state)
{
    struct timer *slots[2];
    struct timer_heap h;
    struct timer a, b, c;

    (void)state;
    timer_heap_init(&h, slots, 2);
    timer_init(&a, NULL, NULL);
    timer_init(&b, NULL, NULL);
    timer_init(&c, NULL, NULL);
    assert_null(timer_heap_peek(&h));
    assert_null(timer_heap_pop_expired(&h, UINT64_MAX));
    a.expires = 50;
    b.expires = 20;
    c.expires = 10;
    assert_int_equal(timer_heap_add(&h, &a), 0);
    assert_int_equal(timer_heap_add(&h, &a), -EEXIST);
    assert_int_equal(timer_heap_add(&h, &b), 0);
    assert_int_equal(timer_heap_add(&h, &c), -ENOSPC);
    assert_false(timer_is_queued(&c));
    assert_ptr_equal(timer_heap_peek(&h), &b);
    assert_null(timer_heap_pop_expired(&h, 19));
    assert_ptr_equal(timer_heap_pop_expired(&h, 20), &b);
    assert_false(timer_is_queued(&b));
    assert_false(timer_heap_remove(&h, &b));
    assert_false(timer_heap_remove(&h, &c));
    assert_true(timer_heap_remove(&h, &a));
    assert_null(timer_heap_peek(&h));
}

static int fired;
static void count_fire(void *data)
{
    fired += (int)(intptr_t)data;
}

/* A caller's run loop: pop everything due, call it, in expiry order. */
static void test_run_loop(void **state)
{
    struct timer *slots[8];
    struct timer t[8];
    struct timer_heap h;
    uint64_t last = 0;

    (void)state;
    timer_heap_init(&h, slots, 8);
    for (int i = 0; i < 8; i++) {
        timer_init(&t[i], count_fire, (void *)(intptr_t)(1 << i));
        t[i].expires = (uint64_t)((i * 37) % 8) * 100;
        assert_int_equal(timer_heap_add(&h, &t[i]), 0);
    }
    fired = 0;
    for (struct timer *x; (x = timer_heap_pop_expired(&h, 450));) {
        assert_true(x->expires >= last && x->expires <= 450);
        last = x->expires;
        x->fn(x->data);
    }
    /* Timers with expiries 0..400 (five of them) ran; the rest wait. */
    int want = 0;
    for (int i = 0; i < 8; i++)
        want |= t[i].expires <= 450 ? 1 << i : 0;
    assert_int_equal(fired, want);
    assert_int_equal(h.nr, 3);
    check_heap(&h);
}

static void test_random_against_model(void **state)
{
    static struct timer pool[CAP];
    struct timer *slots[CAP], *model[CAP];
    struct timer_heap h;
    size_t n = 0;
    unsigned int seed = 42;
    uint64_t now = 0;
    unsigned long pops = 0, max_n = 0;

    (void)state;
    timer_heap_init(&h, slots, CAP);
    for (size_t i = 0; i < CAP; i++)
        timer_init(&pool[i], NULL, NULL);
    for (int step = 0; step < 100000; step++) {
        unsigned int op = (unsigned int)rand_r(&seed) % 10;
        struct timer *t = &pool[(size_t)rand_r(&seed) % CAP];

        if (step < 20000 && op >= 7) /* first grow a deep heap: no expiries */
            op = (unsigned int)rand_r(&seed) % 7;

        if (op < 4) { /* add (or re-add after changing the expiry) */
            if (timer_is_queued(t)) {
                assert_int_equal(timer_heap_add(&h, t), -EEXIST);
                continue;
            }
            t->expires = now + (uint64_t)(rand_r(&seed) % 1000);
            assert_int_equal(timer_heap_add(&h, t), 0);
            model[n++] = t;
        } else if (op < 7) { /* remove an arbitrary timer */
            bool queued = timer_is_queued(t);

            assert_int_equal(timer_heap_remove(&h, t), queued);
            for (size_t i = 0; queued && i < n; i++) {
                if (model[i] == t) {
                    model[i] = model[--n];
                    break;
                }
            }
        } else { /* advance time and pop what expired */
            now += (uint64_t)(rand_r(&seed) % 50);
            for (struct timer *x; (x = timer_heap_pop_expired(&h, now));) {
                assert_int_equal(x->expires, model_min(model, n));
                assert_true(x->expires <= now);
                pops++;
                for (size_t i = 0; i < n; i++) {
                    if (model[i] == x) {
                        model[i] = model[--n];
                        break;
                    }
                }
            }
            assert_true(model_min(model, n) > now);
        }
        assert_int_equal(h.nr, n);
        max_n = n > max_n ? n : max_n;
        if (n)
            assert_int_equal(timer_heap_peek(&h)->expires, model_min(model, n));
        if (step % 1000 == 0)
            check_heap(&h);
    }
    check_heap(&h);
    /* The run really exercised a deep heap and many expiries. */
    assert_true(pops > 10000);
    assert_true(max_n > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_run_loop),
        cmocka_unit_test(test_random_against_model),
    };

    return cmocka_run_group_tests_name("timer_heap", tests, NULL, NULL);
}
