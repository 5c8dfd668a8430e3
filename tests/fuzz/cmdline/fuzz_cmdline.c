/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the command-line parser and size_parse(): any
 * byte string (made NUL-terminated) must parse without memory errors, the
 * string parameter must stay NUL-terminated within its buffer, and the
 * bad-parameter count can never exceed the number of words.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hv/cmdline.h>
#include "../fuzz_target.h"

static bool flag;
static uint8_t u8;
static uint32_t u32;
static uint64_t u64, size;
static char str[8];

static int custom(const char *val)
{
    /* Handlers receive a NUL-terminated, bounded value. */
    if (strlen(val) > CMDLINE_MAX_VALUE)
        abort();
    return val[0] == 'x' ? -1 : 0;
}

static const struct cmdline_param table[] = {
    {"flag", CP_BOOL, &flag, 0, NULL},     {"u8", CP_UINT, &u8, 1, NULL},
    {"u32", CP_UINT, &u32, 4, NULL},       {"u64", CP_UINT, &u64, 8, NULL},
    {"dom0_mem", CP_SIZE, &size, 8, NULL}, {"console", CP_STRING, str, sizeof(str), NULL},
    {"com1", CP_CUSTOM, NULL, 0, custom},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *s = malloc(len + 1);
    size_t words = 0;
    uint64_t v;
    const char *end;

    memcpy(s, data, len);
    s[len] = '\0';
    for (size_t i = 0; i < len && s[i]; i++) {
        bool sp = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
        bool prev_sp =
            i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r';

        if (!sp && prev_sp)
            words++;
    }
    memset(str, 'Z', sizeof(str));
    str[sizeof(str) - 1] = '\0';
    int bad = cmdline_parse(s, table, sizeof(table) / sizeof(table[0]));
    if (bad < 0 || (size_t)bad > words)
        abort();
    if (strnlen(str, sizeof(str)) == sizeof(str))
        abort();
    if (size_parse(s, &v, &end) == 0 && (end < s || end > s + strlen(s)))
        abort();
    free(s);
    return 0;
}
