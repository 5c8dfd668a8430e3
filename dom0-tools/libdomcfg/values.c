/* SPDX-License-Identifier: GPL-2.0-only */
/* Parsers and printers for the small value syntaxes of domain XML: sizes, cpusets, MACs,
 * UUIDs. Strict: no signs, no surrounding junk, no silent overflow. */
#include "domcfg_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

int domcfg_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!s || !isdigit((unsigned char)*s))
        return -1;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* libvirt's rule: "b"/"bytes" are bytes; a letter alone or followed by "iB" is a power of
 * 1024, a letter followed by "B" a power of 1000. Case does not matter. */
int domcfg_memory_to_kib(uint64_t value, const char *unit, uint64_t *kib)
{
    static const char prefixes[] = "kmgtpe";
    uint64_t base = 1024, scale = 1;
    unsigned power;

    if (!unit || !*unit)
        unit = "KiB";
    if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
        strcasecmp(unit, "bytes") == 0) {
        power = 0;
    } else {
        const char *p = strchr(prefixes, tolower((unsigned char)unit[0]));
        if (!p || !unit[0])
            return -1;
        power = (unsigned)(p - prefixes) + 1;
        if (strcasecmp(unit + 1, "b") == 0)
            base = 1000;
        else if (unit[1] != '\0' && strcasecmp(unit + 1, "ib") != 0)
            return -1;
    }
    for (unsigned i = 0; i < power; i++) {
        if (scale > UINT64_MAX / base)
            return -2;
        scale *= base;
    }
    if (value != 0 && scale > UINT64_MAX / value)
        return -2;
    uint64_t bytes = value * scale;
    *kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    return 0;
}

static void cpuset_set(struct domcfg_cpuset *set, unsigned cpu, bool on)
{
    if (on)
        set->bits[cpu / 64] |= 1ULL << (cpu % 64);
    else
        set->bits[cpu / 64] &= ~(1ULL << (cpu % 64));
}

static bool cpuset_test(const struct domcfg_cpuset *set, unsigned cpu)
{
    return (set->bits[cpu / 64] >> (cpu % 64)) & 1;
}

bool domcfg_cpuset_empty(const struct domcfg_cpuset *set)
{
    for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++) {
        if (set->bits[i])
            return false;
    }
    return true;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int read_cpu(const char **s, unsigned *cpu, const char **why)
{
    unsigned long v = 0;

    if (!isdigit((unsigned char)**s)) {
        *why = "expected a CPU number";
        return -1;
    }
    while (isdigit((unsigned char)**s)) {
        v = v * 10 + (unsigned long)(**s - '0');
        if (v >= DOMCFG_MAX_CPUS) {
            *why = "CPU number too large (Lamina handles CPUs 0-1023)";
            return -1;
        }
        (*s)++;
    }
    *cpu = (unsigned)v;
    return 0;
}

/* Syntax: comma-separated items, each N, N-M or ^N (exclude); exclusions apply to what the
 * other items include, whatever the order (libvirt's reading). */
int domcfg_cpuset_parse(const char *s, struct domcfg_cpuset *set, const char **why)
{
    struct domcfg_cpuset excl;

    memset(set, 0, sizeof(*set));
    memset(&excl, 0, sizeof(excl));
    *why = NULL;
    s = skip_space(s);
    if (!*s) {
        *why = "empty cpuset";
        return -1;
    }
    for (;;) {
        bool negate = false;
        unsigned lo, hi;
        s = skip_space(s);
        if (*s == '^') {
            negate = true;
            s++;
        }
        if (read_cpu(&s, &lo, why) < 0)
            return -1;
        hi = lo;
        if (*s == '-' && !negate) {
            s++;
            if (read_cpu(&s, &hi, why) < 0)
                return -1;
            if (hi < lo) {
                *why = "range ends before it starts";
                return -1;
            }
        }
        for (unsigned c = lo; c <= hi; c++)
            cpuset_set(negate ? &excl : set, c, true);
        s = skip_space(s);
        if (*s == '\0')
            break;
        if (*s != ',') {
            *why = "expected ',' between items";
            return -1;
        }
        s++;
    }
    for (unsigned c = 0; c < DOMCFG_MAX_CPUS; c++) {
        if (cpuset_test(&excl, c))
            cpuset_set(set, c, false);
    }
    if (domcfg_cpuset_empty(set)) {
        *why = "the cpuset names no CPU";
        return -1;
    }
    return 0;
}

void domcfg_cpuset_format(const struct domcfg_cpuset *set, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned c = 0; c < DOMCFG_MAX_CPUS && used < len; c++) {
        if (!cpuset_test(set, c))
            continue;
        unsigned end = c;
        while (end + 1 < DOMCFG_MAX_CPUS && cpuset_test(set, end + 1))
            end++;
        int n = end == c ? snprintf(buf + used, len - used, "%s%u", used ? "," : "", c)
                         : snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", c, end);
        if (n < 0)
            break;
        used += (size_t)n;
        c = end;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int domcfg_mac_parse(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]);
        if (hi < 0)
            return -1;
        int lo = hexval(s[1]);
        if (lo < 0) {
            mac[i] = (uint8_t)hi;
            s += 1;
        } else {
            mac[i] = (uint8_t)(hi * 16 + lo);
            s += 2;
        }
        if (i < 5 && *s++ != ':')
            return -1;
    }
    return *s == '\0' ? 0 : -1;
}

void domcfg_mac_format(const uint8_t mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

int domcfg_uuid_parse(const char *s, uint8_t uuid[16])
{
    char compact[33];
    size_t n = 0;

    for (; *s; s++) {
        if (*s == '-')
            continue;
        if (hexval(*s) < 0 || n >= 32)
            return -1;
        compact[n++] = *s;
    }
    if (n != 32)
        return -1;
    for (int i = 0; i < 16; i++)
        uuid[i] = (uint8_t)(hexval(compact[2 * i]) * 16 + hexval(compact[2 * i + 1]));
    return 0;
}

void domcfg_uuid_format(const uint8_t uuid[16], char buf[37])
{
    uuid_unparse_lower(uuid, buf);
}

void domcfg_uuid_to_string(const uint8_t uuid[16], char buf[37])
{
    domcfg_uuid_format(uuid, buf);
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) whose characters XML
 * 1.0 can carry: tab, newline, carriage return, and U+0020 upwards except U+FFFE/U+FFFF. */
bool domcfg_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80) {
            cp = *p;
            extra = 0;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1f;
            extra = 1;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0f;
            extra = 2;
        } else if ((*p & 0xf8) == 0xf0) {
            cp = *p & 0x07;
            extra = 3;
        } else {
            return false;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (*p & 0x3f);
        }
        static const uint32_t min_for[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            cp == 0xfffe || cp == 0xffff)
            return false;
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            return false;
    }
    return true;
}

bool domcfg_disk_target_ok(const char *s)
{
    size_t len = strlen(s);
    return len >= 4 && len <= 16 && strncmp(s, "xvd", 3) == 0 &&
           strspn(s + 3, "abcdefghijklmnopqrstuvwxyz") == len - 3;
}
