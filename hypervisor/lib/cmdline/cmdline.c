/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line parser; the accepted spelling is described in cmdline.h.
 *
 * The command line is never modified: each parameter is a (pointer, length)
 * slice of it, and only values that must be NUL-terminated for a handler
 * are copied into a bounded stack buffer.
 */
#include <hv/cmdline.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hv/log.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Unsigned number with C base-0 prefixes; *end is set past the digits. */
static int number_parse(const char *s, uint64_t *out, const char **end)
{
    unsigned int base = 10;
    uint64_t v = 0;
    const char *p = s;
    bool digits = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    for (; digit_value(*p) < (int)base; p++) {
        unsigned int d = (unsigned int)digit_value(*p);

        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
        digits = true;
    }
    if (!digits)
        return -EINVAL;
    *out = v;
    *end = p;
    return 0;
}

int size_parse(const char *s, uint64_t *out, const char **end)
{
    /* Unit letters in pairs, each pair 10 bits above the previous one. */
    static const char units[] = "bBkKmMgGtT";
    uint64_t v;
    const char *p;
    unsigned int shift = 0;
    int rc = number_parse(s, &v, &p);

    if (rc)
        return rc;

    const char *u = *p ? strchr(units, *p) : NULL;

    if (u) {
        shift = 10 * (unsigned int)((u - units) / 2);
        p++;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -ERANGE;
    if (!end && *p)
        return -EINVAL;
    if (end)
        *end = p;
    *out = v << shift;
    return 0;
}

/* Does the table name equal the slice, with '-' and '_' interchangeable? */
static bool name_matches(const char *name, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char a = name[i], b = s[i];

        if (a == '\0')
            return false;
        if (a == '-')
            a = '_';
        if (b == '-')
            b = '_';
        if (a != b)
            return false;
    }
    return name[len] == '\0';
}

static const struct cmdline_param *param_find(const struct cmdline_param *table, size_t n,
                                              const char *name, size_t len, bool bool_only)
{
    for (size_t i = 0; i < n; i++) {
        if (bool_only && table[i].type != CP_BOOL)
            continue;
        if (name_matches(table[i].name, name, len))
            return &table[i];
    }
    return NULL;
}

/* 1 for true, 0 for false, -EINVAL otherwise. */
static int bool_parse(const char *s)
{
    static const char *const yes[] = {"1", "yes", "on", "true", "enable"};
    static const char *const no[] = {"0", "no", "off", "false", "disable"};

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i]))
            return 1;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return -EINVAL;
}

static int uint_store(const struct cmdline_param *p, const char *val)
{
    uint64_t v;
    const char *end;
    int rc = number_parse(val, &v, &end);

    if (rc)
        return rc;
    if (*end)
        return -EINVAL;
    switch (p->len) {
    case 1:
        if (v > UINT8_MAX)
            return -ERANGE;
        *(uint8_t *)p->var = (uint8_t)v;
        return 0;
    case 2:
        if (v > UINT16_MAX)
            return -ERANGE;
        *(uint16_t *)p->var = (uint16_t)v;
        return 0;
    case 4:
        if (v > UINT32_MAX)
            return -ERANGE;
        *(uint32_t *)p->var = (uint32_t)v;
        return 0;
    case 8:
        *(uint64_t *)p->var = v;
        return 0;
    default:
        return -EINVAL; /* a table bug: report it like a bad value */
    }
}

static int string_store(const struct cmdline_param *p, const char *val, size_t vlen)
{
    char *dst = p->var;

    if (p->len == 0)
        return -EINVAL;
    if (vlen >= p->len) {
        log_printf(LOG_WARN, "cmdline: value of '%s' truncated to %zu bytes\n", p->name,
                   p->len - 1);
        vlen = p->len - 1;
    }
    memcpy(dst, val, vlen);
    dst[vlen] = '\0';
    return 0;
}

/*
 * Apply one parameter. has_value says whether '=' was present; val/vlen is
 * the slice after it. invert is set for a `no-` boolean.
 */
static int param_apply(const struct cmdline_param *p, bool invert, bool has_value, const char *val,
                       size_t vlen)
{
    char buf[CMDLINE_MAX_VALUE + 1];
    int rc;

    if (p->type == CP_STRING)
        return string_store(p, val, vlen);
    if (vlen > CMDLINE_MAX_VALUE)
        return -E2BIG;
    memcpy(buf, val, vlen);
    buf[vlen] = '\0';

    switch (p->type) {
    case CP_BOOL:
        rc = has_value ? bool_parse(buf) : 1;
        if (rc < 0)
            return rc;
        *(bool *)p->var = invert ? !rc : rc;
        return 0;
    case CP_UINT:
        return uint_store(p, buf);
    case CP_SIZE: {
        uint64_t v;

        rc = size_parse(buf, &v, NULL);
        if (rc == 0)
            *(uint64_t *)p->var = v;
        return rc;
    }
    case CP_CUSTOM:
        if (!p->custom)
            return -EINVAL;
        rc = p->custom(buf);
        return rc < 0 ? rc : 0;
    default:
        return -EINVAL;
    }
}

/* Parse one whitespace-free token; returns 0 if understood, 1 if not. */
static int token_handle(const char *tok, size_t len, const struct cmdline_param *table, size_t n)
{
    const char *eq = NULL;

    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '=') {
            eq = tok + i;
            break;
        }
    }

    size_t nlen = eq ? (size_t)(eq - tok) : len;
    const char *val = eq ? eq + 1 : tok + len;
    size_t vlen = eq ? len - nlen - 1 : 0;
    bool invert = false;
    const struct cmdline_param *p = param_find(table, n, tok, nlen, false);

    if (!p && nlen > 3 && !strncmp(tok, "no-", 3)) {
        p = param_find(table, n, tok + 3, nlen - 3, true);
        invert = true;
    }
    if (!p) {
        log_printf(LOG_WARN, "cmdline: unknown parameter '%.*s'\n", (int)nlen, tok);
        return 1;
    }

    int rc = param_apply(p, invert, eq != NULL, val, vlen);

    if (rc) {
        log_printf(LOG_WARN, "cmdline: bad value for '%s': '%.*s' (error %d)\n", p->name,
                   (int)(vlen > CMDLINE_MAX_VALUE ? CMDLINE_MAX_VALUE : vlen), val, rc);
        return 1;
    }
    return 0;
}

int cmdline_parse(const char *cmdline, const struct cmdline_param *table, size_t n)
{
    int bad = 0;
    const char *p = cmdline;

    if (!p)
        return 0;
    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;

        const char *start = p;

        while (*p && !is_space(*p))
            p++;
        bad += token_handle(start, (size_t)(p - start), table, n);
    }
    return bad;
}
