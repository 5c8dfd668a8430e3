/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Table-driven parser for the hypervisor command line, in Xen's spelling:
 *
 *   console=com1 com1=115200,8n1 dom0_mem=512M loglvl=all noreboot no-foo
 *
 * Parameters are separated by spaces (tabs and newlines count as spaces).
 * Each is `name` or `name=value`; names compare with '-' and '_' treated as
 * equal. The value's meaning depends on the table entry's type:
 *
 *   CP_BOOL    var is a bool. `name` alone sets true, `no-name` sets false,
 *              `name=V` takes V from 1/0 yes/no on/off true/false
 *              enable/disable (`no-name=V` inverts V).
 *   CP_UINT    var is an unsigned integer of len bytes (1, 2, 4 or 8).
 *              Decimal, 0x hexadecimal, or 0-prefixed octal (as Xen's
 *              simple_strtoull(.., 0)); out of range is an error.
 *   CP_SIZE    var is a uint64_t; see size_parse().
 *   CP_STRING  var is a char buffer of len bytes; the value is copied and
 *              NUL-terminated, truncated (with a warning) if too long.
 *   CP_CUSTOM  custom(value) is called with the value ("" when absent);
 *              a negative return marks the parameter bad.
 *
 * Unknown names and bad values are reported with log_printf(LOG_WARN) and
 * counted; a later parameter overrides an earlier one with the same name.
 * The caller strips the image name that a boot loader puts first.
 */
#ifndef LAMINA_HV_CMDLINE_H
#define LAMINA_HV_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

enum cmdline_type { CP_BOOL, CP_UINT, CP_SIZE, CP_STRING, CP_CUSTOM };

struct cmdline_param {
    const char *name;
    enum cmdline_type type;
    void *var;
    size_t len;
    int (*custom)(const char *val);
};

/* Longest single value passed to a custom handler or copied to a string. */
#define CMDLINE_MAX_VALUE 255

/* Returns the number of unknown or bad parameters (0: all understood). */
int cmdline_parse(const char *cmdline, const struct cmdline_param *table, size_t n);

/*
 * A size: a number (decimal, 0x hex or 0-prefixed octal) with an optional
 * unit suffix B (bytes, the default), K, M, G or T (binary multiples, either
 * case). Unlike Xen, whose default unit is KiB, a bare number is bytes.
 * Returns 0, -EINVAL (no digits, or trailing characters when end is NULL)
 * or -ERANGE (does not fit in 64 bits). With end non-NULL, *end is set to
 * the first character after the size and trailing text is the caller's.
 */
int size_parse(const char *s, uint64_t *out, const char **end);

#endif
