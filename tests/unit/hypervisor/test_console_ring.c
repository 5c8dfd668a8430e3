/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysctl readconsole's index and clear rules (<hv/console_ring.h>, as Xen 4.17's
 * read_console_ring): where a read starts for every position of the caller's index
 * against the held range (cons, prod], also when that range wraps round 2^32; where a clear
 * leaves cons; and, on a model ring driven by those two rules and readconsole's copy loop,
 * that an incremental reader sees every byte once and a cleared ring is not read again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/console_ring.h>

static void test_full_read_starts_at_cons(void **state)
{
    (void)state;
    /* Not incremental: the index does not matter. */
    assert_int_equal(console_ring_start(100, 200, false, 150), 100);
    assert_int_equal(console_ring_start(100, 200, false, 200), 100);
    assert_int_equal(console_ring_start(100, 100, false, 7), 100);
}

static void test_incremental_index(void **state)
{
    (void)state;
    assert_int_equal(console_ring_start(100, 200, true, 150), 150);
    assert_int_equal(console_ring_start(100, 200, true, 101), 101);
    /* prod itself: the reader has everything, and reads nothing. */
    assert_int_equal(console_ring_start(100, 200, true, 200), 200);
    /* cons, before it (overwritten or cleared) and beyond prod: from cons. */
    assert_int_equal(console_ring_start(100, 200, true, 100), 100);
    assert_int_equal(console_ring_start(100, 200, true, 99), 100);
    assert_int_equal(console_ring_start(100, 200, true, 0), 100);
    assert_int_equal(console_ring_start(100, 200, true, 201), 100);
    assert_int_equal(console_ring_start(100, 200, true, UINT32_MAX), 100);
    /* An empty ring: from cons, whatever the index. */
    assert_int_equal(console_ring_start(100, 100, true, 100), 100);
    assert_int_equal(console_ring_start(100, 100, true, 101), 100);
}

static void test_incremental_index_wrapped(void **state)
{
    (void)state;
    const uint32_t cons = 0xfffffff0u, prod = 0x10;
    assert_int_equal(console_ring_start(cons, prod, true, 0xfffffff8u), 0xfffffff8u);
    assert_int_equal(console_ring_start(cons, prod, true, UINT32_MAX), UINT32_MAX);
    assert_int_equal(console_ring_start(cons, prod, true, 0), 0);
    assert_int_equal(console_ring_start(cons, prod, true, 0x8), 0x8);
    assert_int_equal(console_ring_start(cons, prod, true, prod), prod);
    assert_int_equal(console_ring_start(cons, prod, true, cons), cons);
    assert_int_equal(console_ring_start(cons, prod, true, 0x11), cons);
    assert_int_equal(console_ring_start(cons, prod, true, 0x80000000u), cons);
    assert_int_equal(console_ring_start(cons, prod, true, 0xffffffefu), cons);
}

static void test_clear(void **state)
{
    (void)state;
    /* A read that stopped inside the ring: cons moves to where it stopped. */
    assert_int_equal(console_ring_cleared(150, 200, 64), 150);
    assert_int_equal(console_ring_cleared(200, 200, 64), 200);
    assert_int_equal(console_ring_cleared(136, 200, 64), 136); /* exactly a ring behind */
    /* One that fell out of the ring meanwhile: the oldest byte still held. */
    assert_int_equal(console_ring_cleared(135, 200, 64), 136);
    assert_int_equal(console_ring_cleared(0, 200, 64), 136);
    /* Across 2^32. */
    assert_int_equal(console_ring_cleared(0xfffffff8u, 0x8, 64), 0xfffffff8u);
    assert_int_equal(console_ring_cleared(0xffffff00u, 0x8, 64), 0xffffffc8u);
}

/* A model log ring: the console's append (cons follows prod a ring behind) and
 * readconsole's loop, with the indices started near 2^32 so they wrap. */
#define RING 64
struct model {
    char ring[RING];
    uint32_t cons, prod;
};

static void model_append(struct model *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->ring[(m->prod + i) % RING] = s[i];
    m->prod += (uint32_t)n;
    if (m->prod - m->cons > RING)
        m->cons = m->prod - RING;
}

static uint32_t model_read(struct model *m, bool incremental, uint32_t *index, bool clear,
                           char *buf, uint32_t count)
{
    uint32_t c = console_ring_start(m->cons, m->prod, incremental, *index), done = 0;
    while (c != m->prod && done < count)
        buf[done++] = m->ring[c++ % RING];
    if (clear)
        m->cons = console_ring_cleared(c, m->prod, RING);
    *index = c;
    return done;
}

static void test_incremental_reader_sees_each_byte_once(void **state)
{
    (void)state;
    struct model m = {.cons = 0xffffffc0u, .prod = 0xffffffc0u};
    char all[4096], seen[4096], buf[RING];
    size_t logged = 0, got = 0;
    uint32_t index = 0;
    for (int round = 0; round < 200; round++) {
        char line[24];
        size_t n = (size_t)(round % 23) + 1;
        for (size_t i = 0; i < n; i++)
            line[i] = (char)('a' + (round + (int)i) % 26);
        model_append(&m, line, n);
        memcpy(all + logged, line, n);
        logged += n;
        /* Small reads, as a reader with a small buffer; it keeps up. */
        uint32_t k;
        while ((k = model_read(&m, true, &index, false, buf, 7)) != 0) {
            memcpy(seen + got, buf, k);
            got += k;
        }
    }
    assert_int_equal(got, logged);
    assert_memory_equal(seen, all, logged);
}

static void test_clear_and_fall_behind(void **state)
{
    (void)state;
    struct model m = {.cons = 0xfffffff0u, .prod = 0xfffffff0u};
    char buf[RING];
    uint32_t index = 0;
    model_append(&m, "0123456789", 10);
    /* A clearing read of 4 bytes: the next full read starts after them. */
    assert_int_equal(model_read(&m, false, &index, true, buf, 4), 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(model_read(&m, false, &index, false, buf, RING), 6);
    assert_memory_equal(buf, "456789", 6);
    /* Clearing everything leaves nothing to read. */
    assert_int_equal(model_read(&m, false, &index, true, buf, RING), 6);
    assert_int_equal(model_read(&m, false, &index, false, buf, RING), 0);
    /* A reader whose index was overwritten restarts at the oldest byte held. */
    uint32_t stale = m.prod;
    char big[3 * RING];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('A' + i % 26);
    model_append(&m, big, sizeof(big));
    assert_int_equal(model_read(&m, true, &stale, false, buf, RING), RING);
    assert_memory_equal(buf, big + sizeof(big) - RING, RING);
    assert_int_equal(stale, m.prod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_read_starts_at_cons),
        cmocka_unit_test(test_incremental_index),
        cmocka_unit_test(test_incremental_index_wrapped),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_incremental_reader_sees_each_byte_once),
        cmocka_unit_test(test_clear_and_fall_behind),
    };

    return cmocka_run_group_tests_name("console_ring", tests, NULL, NULL);
}
