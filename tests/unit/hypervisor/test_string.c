/* SPDX-License-Identifier: GPL-2.0-only */
/* hypervisor/common/string.c (renamed lam_*) against the C library. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv_stubs.h"

void *lam_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *lam_memmove(void *dst, const void *src, size_t n);
void *lam_memset(void *dst, int c, size_t n);
int lam_memcmp(const void *a, const void *b, size_t n);
size_t lam_strlen(const char *s);
size_t lam_strnlen(const char *s, size_t maxlen);
int lam_strcmp(const char *a, const char *b);
int lam_strncmp(const char *a, const char *b, size_t n);
char *lam_strchr(const char *s, int c);
char *lam_strrchr(const char *s, int c);

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void fill_random(unsigned char *p, size_t n, unsigned int *seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rand_r(seed);
}

/* Every offset/length combination in a small window, with guard bytes. */
static void test_memcpy_memset(void **state)
{
    unsigned char a[96], b[96], src[96];
    unsigned int seed = 1;

    (void)state;
    fill_random(src, sizeof(src), &seed);
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; n < 64; n++) {
            memset(a, 0xEE, sizeof(a));
            memset(b, 0xEE, sizeof(b));
            assert_ptr_equal(lam_memcpy(a + off, src + 3, n), a + off);
            memcpy(b + off, src + 3, n);
            assert_memory_equal(a, b, sizeof(a));

            assert_ptr_equal(lam_memset(a + off, 0x1A5, n), a + off); /* int truncated */
            // cppcheck-suppress memsetValueOutOfRange ; deliberate: both truncate it
            memset(b + off, 0x1A5, n);
            assert_memory_equal(a, b, sizeof(a));
        }
    }
}

/* Overlapping moves both ways against memmove. */
static void test_memmove_overlap(void **state)
{
    unsigned char a[128], b[128];
    unsigned int seed = 2;

    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        size_t s = (size_t)rand_r(&seed) % 64, d = (size_t)rand_r(&seed) % 64;
        size_t n = (size_t)rand_r(&seed) % 64;

        fill_random(a, sizeof(a), &seed);
        memcpy(b, a, sizeof(a));
        assert_ptr_equal(lam_memmove(a + d, a + s, n), a + d);
        memmove(b + d, b + s, n);
        assert_memory_equal(a, b, sizeof(a));
    }
    /* The direction flag must be clear again after a backward copy. */
    lam_memmove(a + 1, a, 10);
    unsigned long flags;
    __asm__ __volatile__("pushf; pop %0" : "=r"(flags));
    assert_int_equal(flags & (1UL << 10), 0);
}

static void test_memcmp(void **state)
{
    unsigned char a[32], b[32];
    unsigned int seed = 3;

    (void)state;
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = (size_t)rand_r(&seed) % 32;

        fill_random(a, sizeof(a), &seed);
        memcpy(b, a, sizeof(b));
        if (n && rand_r(&seed) % 2)
            b[rand_r(&seed) % n] = (unsigned char)rand_r(&seed);
        assert_int_equal(sign(lam_memcmp(a, b, n)), sign(memcmp(a, b, n)));
    }
    /* Bytes compare unsigned. */
    assert_true(lam_memcmp("\x80", "\x01", 1) > 0);
}

static void test_strlen_strnlen(void **state)
{
    static const char *const s[] = {"", "a", "hello", "with\0nul", "0123456789abcdef"};

    (void)state;
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        assert_int_equal(lam_strlen(s[i]), strlen(s[i]));
        for (size_t m = 0; m < 20; m++)
            assert_int_equal(lam_strnlen(s[i], m), strnlen(s[i], m));
    }
    /* strnlen must not read past maxlen: a buffer without NUL. */
    char *nonul = malloc(4);
    memcpy(nonul, "abcd", 4);
    assert_int_equal(lam_strnlen(nonul, 4), 4);
    free(nonul);
}

static void test_strcmp_strncmp(void **state)
{
    static const char *const s[] = {"", "a", "b", "ab", "abc", "abd", "\xff", "A", "abc\x80"};
    const size_t n = sizeof(s) / sizeof(s[0]);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            assert_int_equal(sign(lam_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
            for (size_t k = 0; k < 6; k++)
                assert_int_equal(sign(lam_strncmp(s[i], s[j], k)), sign(strncmp(s[i], s[j], k)));
        }
    }
}

static void test_strchr_strrchr(void **state)
{
    static const char s[] = "console=com1 com1=115200";

    (void)state;
    for (int c = 0; c < 256; c++) {
        assert_ptr_equal(lam_strchr(s, c), strchr(s, c));
        assert_ptr_equal(lam_strrchr(s, c), strrchr(s, c));
    }
    /* The terminator is part of the string for both. */
    assert_ptr_equal(lam_strchr(s, '\0'), s + sizeof(s) - 1);
    assert_ptr_equal(lam_strrchr(s, '\0'), s + sizeof(s) - 1);
    assert_ptr_equal(lam_strchr(s, 'c' + 256), strchr(s, 'c'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_memset),  cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memcmp),         cmocka_unit_test(test_strlen_strnlen),
        cmocka_unit_test(test_strcmp_strncmp), cmocka_unit_test(test_strchr_strrchr),
    };

    return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
