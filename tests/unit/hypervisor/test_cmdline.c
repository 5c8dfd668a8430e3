/* SPDX-License-Identifier: GPL-2.0-only */
/* The command-line parser, rule by rule (see cmdline.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/cmdline.h>
#include <hv/errcodes.h>
#include "hv_stubs.h"
#include <hv/log.h>

static bool noreboot, dbg, watchdog;
static uint32_t baud;
static uint64_t big;
static uint8_t small;
static uint16_t mid;
static uint64_t dom0_mem;
static uint32_t max_cpus;
static char console[8];
static char last_custom[64];
static int custom_calls;

static int com1_handler(const char *val)
{
    custom_calls++;
    strncpy(last_custom, val, sizeof(last_custom) - 1);
    return strcmp(val, "bad") ? 0 : -EINVAL;
}

static const struct cmdline_param table[] = {
    {"noreboot", CP_BOOL, &noreboot, 0, NULL},
    {"debug_mode", CP_BOOL, &dbg, 0, NULL},
    {"watchdog", CP_BOOL, &watchdog, 0, NULL},
    {"baud", CP_UINT, &baud, sizeof(baud), NULL},
    {"big", CP_UINT, &big, sizeof(big), NULL},
    {"small", CP_UINT, &small, sizeof(small), NULL},
    {"mid", CP_UINT, &mid, sizeof(mid), NULL},
    {"dom0_mem", CP_SIZE, &dom0_mem, sizeof(dom0_mem), NULL},
    {"console", CP_STRING, console, sizeof(console), NULL},
    {"com1", CP_CUSTOM, NULL, 0, com1_handler},
    {"max-cpus", CP_UINT, &max_cpus, sizeof(max_cpus), NULL},
};

static int parse(const char *s)
{
    return cmdline_parse(s, table, sizeof(table) / sizeof(table[0]));
}

static int setup(void **state)
{
    (void)state;
    noreboot = dbg = watchdog = false;
    baud = 0;
    big = 0;
    small = 0;
    mid = 0;
    dom0_mem = 0;
    max_cpus = 0;
    memset(console, 0, sizeof(console));
    memset(last_custom, 0, sizeof(last_custom));
    custom_calls = 0;
    stub_log_reset();
    return 0;
}

static void test_xen_style_line(void **state)
{
    (void)state;
    assert_int_equal(parse("console=com1 com1=115200,8n1 dom0_mem=512M noreboot baud=9600"), 0);
    assert_string_equal(console, "com1");
    assert_string_equal(last_custom, "115200,8n1");
    assert_int_equal(dom0_mem, 512ULL << 20);
    assert_true(noreboot);
    assert_int_equal(baud, 9600);
    assert_int_equal(stub_log_count[LOG_WARN], 0);
}

static void test_booleans(void **state)
{
    static const char *const yes[] = {"1", "yes", "on", "true", "enable"};
    static const char *const no[] = {"0", "no", "off", "false", "disable"};
    char buf[64];

    (void)state;
    assert_int_equal(parse("watchdog"), 0);
    assert_true(watchdog);
    assert_int_equal(parse("no-watchdog"), 0);
    assert_false(watchdog);
    for (size_t i = 0; i < 5; i++) {
        snprintf(buf, sizeof(buf), "watchdog=%s", yes[i]);
        watchdog = false;
        assert_int_equal(parse(buf), 0);
        assert_true(watchdog);
        snprintf(buf, sizeof(buf), "watchdog=%s", no[i]);
        assert_int_equal(parse(buf), 0);
        assert_false(watchdog);
        /* no- inverts an explicit value */
        snprintf(buf, sizeof(buf), "no-watchdog=%s", no[i]);
        assert_int_equal(parse(buf), 0);
        assert_true(watchdog);
    }
    assert_int_equal(parse("watchdog=maybe watchdog="), 2);
    assert_true(watchdog); /* unchanged by the bad values */
    /* "no-" applies to booleans only; exact names win over the prefix. */
    assert_int_equal(parse("no-baud"), 1);
    assert_int_equal(parse("noreboot=0"), 0);
    assert_false(noreboot);
}

static void test_dash_underscore(void **state)
{
    (void)state;
    assert_int_equal(parse("debug-mode dom0-mem=1G"), 0);
    assert_true(dbg);
    assert_int_equal(dom0_mem, 1ULL << 30);
    assert_int_equal(parse("no-debug_mode"), 0);
    assert_false(dbg);
    /* ... in both directions: a table name may use dashes too. */
    assert_int_equal(parse("max_cpus=4"), 0);
    assert_int_equal(max_cpus, 4);
    assert_int_equal(parse("max-cpus=5 max_cpus_=1"), 1);
    assert_int_equal(max_cpus, 5);
}

static void test_unsigned(void **state)
{
    (void)state;
    assert_int_equal(parse("baud=0x1c200 big=18446744073709551615 small=255 mid=65535"), 0);
    assert_int_equal(baud, 115200);
    assert_int_equal(big, UINT64_MAX);
    assert_int_equal(small, 255);
    assert_int_equal(mid, 65535);
    assert_int_equal(parse("baud=010"), 0); /* 0 prefix: octal, like Xen */
    assert_int_equal(baud, 8);
    /* out of range for the variable, overflowing, junk, empty, negative */
    assert_int_equal(parse("small=256 mid=65536 baud=4294967296 big=18446744073709551616"), 4);
    assert_int_equal(small, 255);
    assert_int_equal(baud, 8);
    assert_int_equal(parse("baud=12x baud= baud baud=-1 baud=0x baud=09"), 6);
    assert_int_equal(baud, 8);
    assert_int_equal(stub_log_count[LOG_WARN], 10);
}

static void test_sizes(void **state)
{
    static const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        {"0", 0},
        {"4096", 4096},
        {"4096B", 4096},
        {"1b", 1},
        {"4K", 4096},
        {"4k", 4096},
        {"512M", 512ULL << 20},
        {"2G", 2ULL << 30},
        {"1T", 1ULL << 40},
        {"0x10M", 16ULL << 20},
        {"16777215T", 16777215ULL << 40},
    };
    uint64_t v;
    const char *end;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        v = 12345;
        assert_int_equal(size_parse(ok[i].s, &v, NULL), 0);
        assert_int_equal(v, ok[i].v);
    }
    assert_int_equal(size_parse("", &v, NULL), -EINVAL);
    assert_int_equal(size_parse("M", &v, NULL), -EINVAL);
    assert_int_equal(size_parse("12Q", &v, NULL), -EINVAL);
    assert_int_equal(size_parse("1MB", &v, NULL), -EINVAL);
    assert_int_equal(size_parse("16777216T", &v, NULL), -ERANGE);
    assert_int_equal(size_parse("99999999999999999999", &v, NULL), -ERANGE);
    /* With an end pointer, trailing text is the caller's business. */
    assert_int_equal(size_parse("512M,max:1G", &v, &end), 0);
    assert_int_equal(v, 512ULL << 20);
    assert_string_equal(end, ",max:1G");
    assert_int_equal(size_parse("64,x", &v, &end), 0);
    assert_int_equal(v, 64);
    assert_string_equal(end, ",x");
    /* Through the table. */
    assert_int_equal(parse("dom0_mem=0x800M dom0_mem=7Z"), 1);
    assert_int_equal(dom0_mem, 2ULL << 30);
}

static void test_strings(void **state)
{
    (void)state;
    assert_int_equal(parse("console=vga"), 0);
    assert_string_equal(console, "vga");
    /* Truncated to the buffer (8 bytes with the NUL), with a warning only. */
    assert_int_equal(parse("console=com1,vga,dbgp"), 0);
    assert_string_equal(console, "com1,vg");
    assert_int_equal(stub_log_count[LOG_WARN], 1);
    assert_int_equal(parse("console="), 0);
    assert_string_equal(console, "");
    /* The value stops at the next space; '=' inside a value is kept. */
    assert_int_equal(parse("console=a=b noreboot"), 0);
    assert_string_equal(console, "a=b");
    assert_true(noreboot);
}

static void test_custom(void **state)
{
    (void)state;
    assert_int_equal(parse("com1"), 0);
    assert_int_equal(custom_calls, 1);
    assert_string_equal(last_custom, "");
    assert_int_equal(parse("com1=bad"), 1);
    assert_int_equal(custom_calls, 2);
    /* Values longer than CMDLINE_MAX_VALUE are refused before the handler. */
    char line[400] = "com1=";
    memset(line + 5, 'x', 300);
    assert_int_equal(parse(line), 1);
    assert_int_equal(custom_calls, 2);
}

static void test_unknown_and_spacing(void **state)
{
    (void)state;
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse("   \t\n "), 0);
    assert_int_equal(cmdline_parse(NULL, table, 1), 0);
    assert_int_equal(parse("  frob  noreboot\tloglvl=all\n baud=1 =5 no- "), 4);
    assert_true(noreboot);
    assert_int_equal(baud, 1);
    assert_int_equal(stub_log_count[LOG_WARN], 4);
    assert_non_null(strstr(stub_log_last, "no-"));
    /* Names must match whole: prefixes and extensions are unknown. */
    assert_int_equal(parse("bau baudx consol"), 3);
    /* The last of repeated parameters wins. */
    assert_int_equal(parse("baud=1 baud=2 baud=3"), 0);
    assert_int_equal(baud, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_xen_style_line, setup),
        cmocka_unit_test_setup(test_booleans, setup),
        cmocka_unit_test_setup(test_dash_underscore, setup),
        cmocka_unit_test_setup(test_unsigned, setup),
        cmocka_unit_test_setup(test_sizes, setup),
        cmocka_unit_test_setup(test_strings, setup),
        cmocka_unit_test_setup(test_custom, setup),
        cmocka_unit_test_setup(test_unknown_and_spacing, setup),
    };

    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
