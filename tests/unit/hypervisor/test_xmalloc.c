/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xmalloc on top of a host page allocator that counts what it hands out,
 * so leaks and page accounting are checked, not just pointers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hv_stubs.h"
#include <hv/xmalloc.h>

/*
 * The host page allocator: counts pages and remembers every block, so a
 * test's teardown can return what xmalloc still caches (xmalloc_init
 * forgets it) and LeakSanitizer stays quiet.
 */
static size_t host_pages; /* pages currently handed to xmalloc */
static bool host_fail;    /* make page_alloc fail */
static bool host_reenter; /* the next page_alloc first allocates an object itself */
static bool host_reentered;
static void *host_blocks[4096];
static pthread_mutex_t host_mutex = PTHREAD_MUTEX_INITIALIZER;

static void *host_page_alloc(unsigned int order)
{
    void *p;

    if (host_reenter) {
        /* As the hypervisor's page allocator may wait for other CPUs that wait for the
         * xmalloc lock: this deadlocks if page_alloc is called with the lock held. */
        host_reenter = false;
        void *q = xmalloc_bytes(16, 0);
        host_reentered = q != NULL;
        xfree(q);
    }
    if (host_fail || order > 12)
        return NULL;
    p = aligned_alloc(XMALLOC_PAGE_SIZE, XMALLOC_PAGE_SIZE << order);
    if (!p)
        return NULL;
    memset(p, 0xA5, XMALLOC_PAGE_SIZE << order); /* dirty, like real pages */
    pthread_mutex_lock(&host_mutex);
    host_pages += (size_t)1 << order;
    for (size_t i = 0; i < 4096; i++) {
        if (!host_blocks[i]) {
            host_blocks[i] = p;
            break;
        }
    }
    pthread_mutex_unlock(&host_mutex);
    return p;
}

static void host_page_free(void *p, unsigned int order)
{
    size_t i;

    pthread_mutex_lock(&host_mutex);
    for (i = 0; i < 4096 && host_blocks[i] != p; i++)
        ;
    /* Only blocks we handed out come back, each once. */
    if (i == 4096)
        abort();
    host_blocks[i] = NULL;
    host_pages -= (size_t)1 << order;
    pthread_mutex_unlock(&host_mutex);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    host_pages = 0;
    host_fail = false;
    xmalloc_init(host_page_alloc, host_page_free);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4096; i++) {
        free(host_blocks[i]);
        host_blocks[i] = NULL;
    }
    return 0;
}

/* Distinct byte pattern per object, to catch overlapping allocations. */
static void pattern_fill(unsigned char *p, size_t n, unsigned int id)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(id * 31 + i);
}

static bool pattern_ok(const unsigned char *p, size_t n, unsigned int id)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (unsigned char)(id * 31 + i))
            return false;
    }
    return true;
}

static void test_alignment_and_sizes(void **state)
{
    static const size_t aligns[] = {0, 1, 2, 8, 16, 32, 64, 256, 1024, 4096, 8192, 65536};

    (void)state;
    for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
        for (size_t size = 0; size < 5000; size += 37) {
            size_t want = aligns[a] < 16 ? 16 : aligns[a];
            unsigned char *p = xmalloc_bytes(size, aligns[a]);

            assert_non_null(p);
            assert_int_equal((uintptr_t)p % want, 0);
            memset(p, 0x11, size); /* ASan checks the large ones are big enough */
            xfree(p);
        }
    }
    assert_true(xmalloc_pages_held() <= 7); /* at most one cached slab per class */
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

static void test_many_objects_no_overlap(void **state)
{
    enum { N = 3000 };
    unsigned char *p[N];
    size_t sz[N];
    unsigned int seed = 5;

    (void)state;
    for (unsigned int i = 0; i < N; i++) {
        sz[i] = (size_t)rand_r(&seed) % (i % 10 == 0 ? 9000 : 700) + 1;
        p[i] = xmalloc_bytes(sz[i], 0);
        assert_non_null(p[i]);
        pattern_fill(p[i], sz[i], i);
    }
    assert_int_equal(xmalloc_pages_held(), host_pages);
    for (unsigned int i = 0; i < N; i++)
        assert_true(pattern_ok(p[i], sz[i], i));
    /* Free half, reallocate, everything must still be intact. */
    for (unsigned int i = 0; i < N; i += 2)
        xfree(p[i]);
    for (unsigned int i = 0; i < N; i += 2) {
        p[i] = xmalloc_bytes(sz[i], 0);
        pattern_fill(p[i], sz[i], i + 7);
    }
    for (unsigned int i = 0; i < N; i++)
        assert_true(pattern_ok(p[i], sz[i], i % 2 ? i : i + 7));
    for (unsigned int i = 0; i < N; i++)
        xfree(p[i]);
    assert_true(host_pages <= 7);
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

static void test_reuse_after_free(void **state)
{
    (void)state;
    void *keep = xmalloc_bytes(64, 0); /* keeps the slab alive */
    void *a = xmalloc_bytes(64, 0);
    xfree(a);
    void *b = xmalloc_bytes(60, 0); /* same class: the freed object comes back */
    assert_ptr_equal(a, b);
    size_t pages = host_pages;
    for (int i = 0; i < 1000; i++) /* a loop of alloc/free costs no pages */
        xfree(xmalloc_bytes(64, 0));
    assert_int_equal(host_pages, pages);
    xfree(b);
    xfree(keep);
}

static void test_zalloc_zeroes(void **state)
{
    (void)state;
    unsigned char *keep = xmalloc_bytes(200, 0);
    unsigned char *p = xmalloc_bytes(200, 0);
    memset(p, 0xff, 200);
    xfree(p);
    unsigned char *z = xzalloc_bytes(200, 0);
    assert_ptr_equal(z, p); /* same memory, now cleared */
    for (int i = 0; i < 200; i++)
        assert_int_equal(z[i], 0);
    unsigned char *big = xzalloc_bytes(20000, 0); /* fresh dirty pages */
    for (int i = 0; i < 20000; i++)
        assert_int_equal(big[i], 0);
    xfree(big);
    xfree(z);
    xfree(keep);
}

struct three {
    uint64_t a, b, c;
};

static void test_typed_and_overflow(void **state)
{
    (void)state;
    struct three *t = xzalloc(struct three);
    assert_non_null(t);
    assert_int_equal(t->a + t->b + t->c, 0);
    xfree(t);
    uint32_t *arr = xmalloc_array(uint32_t, 1000);
    assert_non_null(arr);
    arr[999] = 1;
    xfree(arr);
    /* n * size overflowing size_t must fail, not wrap to a small block. */
    assert_null(xmalloc_array(uint64_t, SIZE_MAX / 4));
    assert_null(xzalloc_array(struct three, SIZE_MAX / 16 + 1));
    assert_null(xmalloc_array_bytes(SIZE_MAX / 2 + 1, 2, 0));
    assert_null(xmalloc_bytes(SIZE_MAX, 0));
    assert_null(xmalloc_bytes(SIZE_MAX - 4095, 8192));
    /* Zero-sized arrays still give a valid, freeable pointer. */
    void *z = xmalloc_array(uint64_t, 0);
    assert_non_null(z);
    xfree(z);
    /* Alignment must be a power of two. */
    assert_null(xmalloc_bytes(16, 24));
    xfree(NULL);
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

static void test_out_of_pages(void **state)
{
    (void)state;
    host_fail = true;
    assert_null(xmalloc_bytes(100000, 0));
    /* Small classes with no slab yet fail too; later ones recover. */
    assert_null(xmalloc_bytes(512, 0));
    host_fail = false;
    void *p = xmalloc_bytes(512, 0);
    assert_non_null(p);
    xfree(p);
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

static void test_misuse_is_caught(void **state)
{
    (void)state;
    void *keep = xmalloc_bytes(32, 0);
    void *p = xmalloc_bytes(32, 0);
    xfree(p);
    EXPECT_PANIC(xfree(p)); /* double free in a slab */
    teardown(NULL);         /* the lock was left held: start again */
    setup(NULL);
    void *big = xmalloc_bytes(50000, 0);
    xfree(big);
    EXPECT_PANIC(xfree(big)); /* double free of a large block */
    teardown(NULL);
    setup(NULL);
    keep = xmalloc_bytes(32, 0);
    EXPECT_PANIC(xfree((char *)keep + 8)); /* not the start of an object */
    teardown(NULL);
    setup(NULL);
    static _Alignas(4096) unsigned char not_ours[8192];
    EXPECT_PANIC(xfree(not_ours + 64)); /* no slab header there */
}

/* page_alloc runs without the xmalloc lock (it may wait for CPUs that want the lock). */
static void test_page_alloc_unlocked(void **state)
{
    (void)state;
    alarm(10); /* a deadlock ends the test program instead of hanging it */
    host_reenter = true;
    host_reentered = false;
    void *slab_obj = xmalloc_bytes(512, 0); /* a new slab of its class */
    assert_non_null(slab_obj);
    assert_true(host_reentered);
    host_reenter = true;
    host_reentered = false;
    void *big = xmalloc_bytes(20000, 0); /* a large block */
    assert_non_null(big);
    assert_true(host_reentered);
    alarm(0);
    xfree(big);
    xfree(slab_obj);
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

static void *thread_work(void *arg)
{
    const unsigned int tag = (unsigned int)(uintptr_t)arg * 1000;
    unsigned int seed = tag;
    unsigned char *p[64] = {0};
    size_t sz[64];

    for (int i = 0; i < 20000; i++) {
        unsigned int k = (unsigned int)rand_r(&seed) % 64;

        if (p[k]) {
            if (!pattern_ok(p[k], sz[k], k + tag))
                return (void *)1;
            xfree(p[k]);
            p[k] = NULL;
        } else {
            sz[k] = (size_t)rand_r(&seed) % 2000 + 1;
            p[k] = xmalloc_bytes(sz[k], 0);
            if (!p[k])
                return (void *)1;
            pattern_fill(p[k], sz[k], k + tag);
        }
    }
    for (int k = 0; k < 64; k++)
        xfree(p[k]);
    return NULL;
}

/* Two threads hammering the allocator: the spinlock keeps it consistent. */
static void test_concurrent(void **state)
{
    pthread_t t1, t2;
    void *r1, *r2;

    (void)state;
    pthread_create(&t1, NULL, thread_work, (void *)1);
    pthread_create(&t2, NULL, thread_work, (void *)2);
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    assert_null(r1);
    assert_null(r2);
    assert_int_equal(xmalloc_pages_held(), host_pages);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alignment_and_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_objects_no_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reuse_after_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zalloc_zeroes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_and_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse_is_caught, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_alloc_unlocked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
    };

    return cmocka_run_group_tests_name("xmalloc", tests, NULL, NULL);
}
