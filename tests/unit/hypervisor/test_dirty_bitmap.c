/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The log-dirty bitmap (common/dirty_bitmap.c) against a model: bits set read back at
 * their place (LSB first in each byte) and nowhere else, a read hands out exactly the
 * bytes Xen would copy for a count (zeros where nothing was set), CLEAN clears only
 * what it handed out, frame numbers wrap at 2^42 as Xen's indices do, a failed
 * allocation is counted, and freeing gives every page back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/dirty_bitmap.h>
#include "hv_stubs.h"

static long live_pages;
static int fail_after = -1; /* allocations left before they fail; -1 never */

static void *alloc_page(void)
{
    if (fail_after == 0)
        return NULL;
    if (fail_after > 0)
        fail_after--;
    live_pages++;
    return calloc(1, 4096);
}

static void free_page(void *p)
{
    live_pages--;
    free(p);
}

static struct dirty_bitmap fresh(void)
{
    fail_after = -1;
    return (struct dirty_bitmap){.page_alloc = alloc_page, .page_free = free_page};
}

struct sink {
    uint8_t *buf;
    size_t size;
    unsigned int calls;
    uint64_t fail_at; /* offset at which out() fails, or ~0 */
};

static int to_sink(void *ctx, uint64_t offset, const uint8_t *src, size_t len)
{
    struct sink *s = ctx;
    s->calls++;
    if (offset >= s->fail_at)
        return -14;
    assert_true(offset + len <= s->size);
    if (src)
        memcpy(s->buf + offset, src, len);
    else
        memset(s->buf + offset, 0, len);
    return 0;
}

static void test_set_and_read(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    static const uint64_t pfns[] = {0, 1, 7, 8, 100, 32767, 32768, 65536 * 3 + 5, 1u << 24};
    for (unsigned int i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++)
        assert_true(dirty_bitmap_set(&b, pfns[i]));
    assert_false(dirty_bitmap_set(&b, 100)); /* already set: not newly dirty */
    assert_true(dirty_bitmap_test(&b, 32768));
    assert_false(dirty_bitmap_test(&b, 32769));

    uint64_t nbits = (1u << 24) + 1;
    struct sink s = {.size = (size_t)((nbits + 7) / 8), .fail_at = ~0ull};
    s.buf = malloc(s.size);
    memset(s.buf, 0xee, s.size);
    uint64_t covered = 0;
    assert_int_equal(dirty_bitmap_read(&b, nbits, false, to_sink, &s, &covered), 0);
    assert_int_equal(covered, nbits);
    for (uint64_t p = 0; p < nbits; p++) {
        bool want = false;
        for (unsigned int i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++)
            want |= pfns[i] == p;
        assert_int_equal(!!(s.buf[p / 8] & (1u << (p % 8))), want);
    }
    /* PEEK left them; CLEAN hands them out once more and clears them. */
    assert_int_equal(dirty_bitmap_read(&b, nbits, true, to_sink, &s, &covered), 0);
    assert_true(s.buf[0] == 0x83 && s.buf[1] == 0x01);
    assert_int_equal(dirty_bitmap_read(&b, nbits, false, to_sink, &s, &covered), 0);
    for (size_t i = 0; i < s.size; i++)
        assert_int_equal(s.buf[i], 0);
    free(s.buf);
    dirty_bitmap_free(&b);
    assert_int_equal(live_pages, 0);
    assert_int_equal(b.pages, 0);
}

/* 13 bits are 2 bytes: the third byte of the caller's buffer is not written. */
static void test_odd_count_and_chunks(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    assert_true(dirty_bitmap_set(&b, 12));
    uint8_t buf[3] = {0xee, 0xee, 0xee};
    struct sink s = {.buf = buf, .size = 2, .fail_at = ~0ull};
    uint64_t covered;
    assert_int_equal(dirty_bitmap_read(&b, 13, false, to_sink, &s, &covered), 0);
    assert_int_equal(covered, 13);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 0x10);
    assert_int_equal(buf[2], 0xee);
    assert_int_equal(s.calls, 1);
    /* 3 leaves' worth of bits: three chunks, two of them with no leaf. */
    struct sink s3 = {.size = 3 * 4096, .fail_at = ~0ull};
    s3.buf = calloc(1, s3.size);
    assert_int_equal(dirty_bitmap_read(&b, 3 * 32768, false, to_sink, &s3, &covered), 0);
    assert_int_equal(s3.calls, 3);
    free(s3.buf);
    dirty_bitmap_free(&b);
    assert_int_equal(live_pages, 0);
}

/* A failed copy stops the walk; leaves handed out before it were cleared (as Xen's). */
static void test_fault_mid_read(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    dirty_bitmap_set(&b, 5);
    dirty_bitmap_set(&b, 32768 + 5);
    struct sink s = {.size = 2 * 4096, .fail_at = 4096};
    s.buf = calloc(1, s.size);
    uint64_t covered;
    assert_int_equal(dirty_bitmap_read(&b, 2 * 32768, true, to_sink, &s, &covered), -14);
    assert_false(dirty_bitmap_test(&b, 5));
    assert_true(dirty_bitmap_test(&b, 32768 + 5));
    free(s.buf);
    dirty_bitmap_free(&b);
}

/* Frame numbers wrap at 2^42; a count beyond it covers 2^42 bits. */
static void test_wrap_and_clamp(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    assert_true(dirty_bitmap_set(&b, DIRTY_BITMAP_MAX_BITS + 9));
    assert_true(dirty_bitmap_test(&b, 9));
    struct sink s = {.size = 4096, .fail_at = 4096};
    s.buf = calloc(1, 4096);
    uint64_t covered;
    assert_int_equal(dirty_bitmap_read(&b, ~0ull, false, to_sink, &s, &covered), -14);
    assert_int_equal(covered, DIRTY_BITMAP_MAX_BITS);
    assert_int_equal(s.buf[1], 0x02);
    free(s.buf);
    dirty_bitmap_free(&b);
    assert_int_equal(live_pages, 0);
}

/* No memory: the bit is not recorded, the failure is counted, nothing leaks. */
static void test_alloc_failure(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    fail_after = 2; /* top and middle, not the low node */
    assert_false(dirty_bitmap_set(&b, 77));
    assert_int_equal(b.failed_allocs, 1);
    assert_false(dirty_bitmap_test(&b, 77));
    fail_after = -1;
    assert_true(dirty_bitmap_set(&b, 77));
    dirty_bitmap_free(&b);
    assert_int_equal(b.failed_allocs, 0);
    assert_int_equal(live_pages, 0);
}

/* A stats-only read of every bit: a few calls, not one per leaf. */
static int count_only(void *ctx, uint64_t offset, const uint8_t *src, size_t len)
{
    (void)offset;
    (void)src;
    (void)len;
    ++*(unsigned int *)ctx;
    return 0;
}

static void test_sparse_read_is_short(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    unsigned int calls = 0;
    uint64_t covered;
    assert_int_equal(dirty_bitmap_read(&b, ~0ull, true, count_only, &calls, &covered), 0);
    assert_int_equal(calls, 1);
    assert_true(dirty_bitmap_set(&b, (1ull << 33) + 3));
    calls = 0;
    assert_int_equal(dirty_bitmap_read(&b, ~0ull, true, count_only, &calls, &covered), 0);
    assert_true(calls < 2000);
    assert_int_equal(covered, DIRTY_BITMAP_MAX_BITS);
    assert_false(dirty_bitmap_test(&b, (1ull << 33) + 3)); /* cleared */
    dirty_bitmap_free(&b);
    assert_int_equal(live_pages, 0);
}

/* max_pages: past it, bits are not recorded and the failure is counted. */
static void test_page_limit(void **state)
{
    (void)state;
    struct dirty_bitmap b = fresh();
    b.max_pages = 4; /* top, middle, low, one leaf */
    assert_true(dirty_bitmap_set(&b, 1));
    assert_false(dirty_bitmap_set(&b, 40000)); /* a second leaf */
    assert_int_equal(b.failed_allocs, 1);
    assert_true(dirty_bitmap_set(&b, 2)); /* the first leaf still works */
    dirty_bitmap_free(&b);
    assert_int_equal(live_pages, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_read),   cmocka_unit_test(test_odd_count_and_chunks),
        cmocka_unit_test(test_fault_mid_read), cmocka_unit_test(test_wrap_and_clamp),
        cmocka_unit_test(test_alloc_failure),  cmocka_unit_test(test_sparse_read_is_short),
        cmocka_unit_test(test_page_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
