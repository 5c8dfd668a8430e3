/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt_vsnprintf against the host's snprintf, including truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>

#define GUARD 0x5A

/*
 * Format with both implementations into every buffer size from 0 to the
 * full length + 2, checking the return value, the contents and that no
 * byte past size was touched.
 */
#define CHECK(...)                                                                                 \
    do {                                                                                           \
        char want_[512], got_[520];                                                                \
        int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                                     \
        assert_true(wn_ >= 0 && wn_ < (int)sizeof(want_));                                         \
        for (size_t sz_ = 0; sz_ <= (size_t)wn_ + 2; sz_++) {                                      \
            memset(got_, GUARD, sizeof(got_));                                                     \
            int gn_ = fmt_snprintf(sz_ ? got_ : NULL, sz_, __VA_ARGS__);                           \
            assert_int_equal(gn_, wn_);                                                            \
            if (sz_) {                                                                             \
                size_t keep_ = sz_ - 1 < (size_t)wn_ ? sz_ - 1 : (size_t)wn_;                      \
                assert_memory_equal(got_, want_, keep_);                                           \
                assert_int_equal(got_[keep_], '\0');                                               \
            }                                                                                      \
            for (size_t i_ = sz_; i_ < sizeof(got_); i_++)                                         \
                assert_int_equal((unsigned char)got_[i_], GUARD);                                  \
        }                                                                                          \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    CHECK("%d %d %d %d %d", 0, 1, -1, INT_MAX, INT_MIN);
    CHECK("%i|%5d|%-5d|%05d|%+d|% d|%+05d|%- 6d|", 42, 42, 42, -42, 42, 42, -7, 9);
    CHECK("%.3d|%8.3d|%-8.3d|%.0d|%5.0d|", 7, -7, 7, 0, 0);
    CHECK("%u %u %5u %-5u| %010u", 0u, UINT_MAX, 12u, 12u, 3000000000u);
    CHECK("%x %X %#x %#X %#x %08x %#010x %-#8x|", 0xdeadu, 0xbeefu, 0x1fu, 0x1fu, 0u, 0xabcu,
          0xabcu, 0x10u);
    CHECK("%.8x|%#.8x|%#12.4x|", 0x123u, 0x123u, 0x123u);
}

static void test_lengths(void **state)
{
    (void)state;
    /* int arguments narrowed by hh and h: that conversion is the test. */
    // cppcheck-suppress [invalidPrintfArgType_sint, invalidPrintfArgType_uint]
    CHECK("%hhd %hhu %hhx", 300, 300, -1);
    // cppcheck-suppress [invalidPrintfArgType_sint, invalidPrintfArgType_uint]
    CHECK("%hd %hu %hx", 70000, 70000, -1);
    CHECK("%ld %lu %lx %li", LONG_MIN, ULONG_MAX, 0xfedcba9876543210UL, -5L);
    CHECK("%lld %llu %llx %llX", LLONG_MIN, ULLONG_MAX, 0x123456789abcULL, 0xabcdefULL);
    // cppcheck-suppress invalidPrintfArgType_sint ; ptrdiff_t is the signed size_t here
    CHECK("%zu %zx %zd", SIZE_MAX, (size_t)4096, (ptrdiff_t)-3);
    CHECK("%jd %ju %td", INTMAX_MIN, UINTMAX_MAX, (ptrdiff_t)-77);
    CHECK("%20lld|%-20llu|%020lld", -123456789LL, 987654321ULL, -5LL);
}

static void test_strings_chars(void **state)
{
    (void)state;
    CHECK("%s|%10s|%-10s|%.2s|%10.3s|%-10.3s|", "abc", "abc", "abc", "abc", "abcdef", "abcdef");
    CHECK("%s|%.0s|%.10s|", "", "hidden", "short");
    CHECK("%c%c%c|%5c|%-5c|", 'a', 'b', 'c', 'x', 'y');
    CHECK("%%|100%%");
    CHECK("%s", "a long string that is certainly longer than some of the buffer sizes tried");
    /* Precision bounds the read: the argument need not be NUL-terminated. */
    char raw[3] = {'x', 'y', 'z'};
    CHECK("%.3s|%.*s", raw, 2, raw);
}

static void test_star_width_precision(void **state)
{
    (void)state;
    CHECK("%*d|%-*d|%*d|", 6, 42, 6, 42, -6, 42);
    CHECK("%.*d|%.*s|%*.*s|", 5, 42, 3, "abcdef", 8, 2, "abcdef");
    CHECK("%.*s|%.*d|", -1, "negative precision means none", -1, 7);
}

static void test_pointers(void **state)
{
    int x;

    (void)state;
    CHECK("%p", (void *)&x);
    CHECK("%p", (void *)0);
    CHECK("%20p|%-20p|", (void *)0x1234, (void *)0xffff800000000000UL);
}

static void test_null_string_and_unknown(void **state)
{
    char buf[32];

    (void)state;
    /* glibc prints "(null)" too, but the compiler rejects passing NULL. */
    const char *volatile nul = NULL;
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "[%s]", nul), 8);
    assert_string_equal(buf, "[(null)]");
    /* Unknown conversions are copied verbatim; a trailing % is kept. */
    const char *volatile f1 = "a%qb";
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), f1), 4);
    assert_string_equal(buf, "a%qb");
    const char *volatile f2 = "end%";
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), f2), 4);
    assert_string_equal(buf, "end%");
    const char *volatile f3 = "x%-5";
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), f3), 4);
    assert_string_equal(buf, "x%-5");
}

/* Random single conversions built from the supported grammar. */
static void test_random_specs(void **state)
{
    static const char *const flags[] = {"", "-", "0", "+", " ", "#", "-+", "0#", "- "};
    static const char *const lens[] = {"hh", "h", "", "l", "ll", "z"};
    static const char convs[] = "diuxX";
    unsigned int seed = 12345;

    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        char fmt[64];
        const char *fl = flags[rand_r(&seed) % 9];
        char conv = convs[rand_r(&seed) % 5];
        const char *len = lens[rand_r(&seed) % 6];
        int width = rand_r(&seed) % 4 ? rand_r(&seed) % 25 : -1;
        int prec = rand_r(&seed) % 3 ? -1 : rand_r(&seed) % 25;
        uint64_t v = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                     (uint64_t)rand_r(&seed);
        char *p = fmt;

        /* '#' only applies to x/X and '+'/' ' only to signed conversions. */
        if (strchr(fl, '#') && conv != 'x' && conv != 'X')
            fl = "0";
        if ((strchr(fl, '+') || strchr(fl, ' ')) && conv != 'd' && conv != 'i')
            fl = "-";
        p += sprintf(p, "<%%%s", fl);
        if (width >= 0)
            p += sprintf(p, "%d", width);
        if (prec >= 0)
            p += sprintf(p, ".%d", prec);
        sprintf(p, "%s%c>", len, conv);
        if (rand_r(&seed) % 8 == 0)
            v = 0;
        if (!strcmp(len, "ll"))
            CHECK(fmt, (long long)v);
        else if (!strcmp(len, "l"))
            CHECK(fmt, (long)v);
        else if (!strcmp(len, "z"))
            CHECK(fmt, (size_t)v);
        else
            CHECK(fmt, (int)v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),      cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_strings_chars), cmocka_unit_test(test_star_width_precision),
        cmocka_unit_test(test_pointers),      cmocka_unit_test(test_null_string_and_unknown),
        cmocka_unit_test(test_random_specs),
    };

    return cmocka_run_group_tests_name("vsnprintf", tests, NULL, NULL);
}
