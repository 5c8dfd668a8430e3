/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Data-driven tests over tests/unit/libdomcfg/xml (libvirt's xml2xml style): a file is a test.
 *   good/NAME.xml     parse + defaults + validate must succeed; the normalised XML must equal
 *                     good/NAME.out.xml, formatting that again must give the same text, and
 *                     the warnings must equal good/NAME.warn (none when the file is absent).
 *   bad/NAME.xml      must be refused; the messages must equal bad/NAME.err exactly.
 *   xl/NAME.cfg       xl.cfg -> XML must equal xl/NAME.xml; that XML -> xl.cfg must equal
 *                     xl/NAME.out.cfg; and NAME.out.cfg -> XML must give NAME.xml again.
 *   xl-bad/NAME.cfg   must be refused with the messages in xl-bad/NAME.err.
 * Generated values (UUIDs, MACs) come from a deterministic source reset for every file.
 * With DOMCFG_REGEN=1 the expected files are (re)written instead: review them before commit.
 * Prints one "PASS name" / "FAIL name" line per case.
 */
#include "domcfg.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static int test_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        p[i] = (unsigned char)(rng_state >> 32);
    }
    return 0;
}

static void rng_reset(void)
{
    rng_state = 0x9e3779b97f4a7c15ULL;
}

static bool regen;
static int failures;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    for (size_t n; buf && (n = fread(buf + used, 1, cap - used - 1, f)) > 0;) {
        used += n;
        if (used + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    fclose(f);
    if (buf)
        buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* All messages of one severity (or all when sev < 0), one a line. */
static char *messages(const struct domcfg_diags *d, int sev)
{
    size_t len = 1;
    for (size_t i = 0; i < d->count; i++)
        len += strlen(d->items[i].text) + 10;
    char *out = calloc(1, len);
    for (size_t i = 0; out && i < d->count; i++) {
        if (sev >= 0 && (int)d->items[i].severity != sev)
            continue;
        if (sev < 0 && d->items[i].severity == DOMCFG_WARNING)
            strcat(out, "warning: ");
        strcat(out, d->items[i].text);
        strcat(out, "\n");
    }
    return out;
}

/* Compare text with the expected file (absent file = expected empty); report differences. */
static bool expect(const char *name, const char *what, const char *path, const char *actual)
{
    if (regen) {
        if (*actual || strstr(path, ".warn") == NULL)
            spit(path, actual);
        else
            remove(path);
        return true;
    }
    char *want = slurp(path, NULL);
    bool ok = strcmp(want ? want : "", actual) == 0;
    if (!ok)
        fprintf(stderr, "%s: %s differs from %s\n--- expected\n%s--- actual\n%s---\n", name, what,
                path, want ? want : "", actual);
    free(want);
    return ok;
}

static void verdict(const char *kind, const char *name, bool ok)
{
    printf("%s %s:%s\n", ok ? "PASS" : "FAIL", kind, name);
    failures += !ok;
}

/* stem of "dir/NAME.ext" into buf */
static void path_of(char *buf, size_t len, const char *dir, const char *stem, const char *ext)
{
    snprintf(buf, len, "%s/%s%s", dir, stem, ext);
}

static void test_good(const char *dir, const char *stem)
{
    char in[1024], out[1024], warn[1024], src[300];
    struct domcfg_diags d;
    size_t len;
    bool ok = false;

    path_of(in, sizeof(in), dir, stem, ".xml");
    path_of(out, sizeof(out), dir, stem, ".out.xml");
    path_of(warn, sizeof(warn), dir, stem, ".warn");
    snprintf(src, sizeof(src), "%s.xml", stem);
    rng_reset();
    domcfg_diags_init(&d);
    char *text = slurp(in, &len);
    struct domcfg_domain *dom = text ? domcfg_load_xml(text, len, src, &d) : NULL;
    char *xml = dom ? domcfg_format_xml(dom) : NULL;
    char *warnings = messages(&d, DOMCFG_WARNING);
    if (!xml) {
        char *all = messages(&d, -1);
        fprintf(stderr, "%s: refused:\n%s", stem, all ? all : "");
        free(all);
    } else {
        ok = expect(stem, "normalised XML", out, xml);
        ok = expect(stem, "warnings", warn, warnings) && ok;
        /* The normalised form must be a fixed point. */
        struct domcfg_diags d2;
        domcfg_diags_init(&d2);
        struct domcfg_domain *again = domcfg_load_xml(xml, strlen(xml), "again", &d2);
        char *xml2 = again ? domcfg_format_xml(again) : NULL;
        if (!xml2 || strcmp(xml, xml2) != 0) {
            fprintf(stderr, "%s: formatting is not stable:\n%s", stem, xml2 ? xml2 : "(refused)");
            ok = false;
        }
        free(xml2);
        domcfg_domain_free(again);
        domcfg_diags_free(&d2);
    }
    verdict("xml", stem, ok);
    free(warnings);
    free(xml);
    free(text);
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
}

static void test_bad(const char *dir, const char *stem, bool xl)
{
    char in[1024], err[1024], src[300];
    struct domcfg_diags d;
    size_t len;
    bool ok = false;

    path_of(in, sizeof(in), dir, stem, xl ? ".cfg" : ".xml");
    path_of(err, sizeof(err), dir, stem, ".err");
    snprintf(src, sizeof(src), "%s%s", stem, xl ? ".cfg" : ".xml");
    rng_reset();
    domcfg_diags_init(&d);
    char *text = slurp(in, &len);
    struct domcfg_domain *dom = NULL;
    if (text && xl) {
        dom = domcfg_parse_xl(text, len, src, &d);
        if (dom && (domcfg_fill_defaults(dom, &d) < 0 || domcfg_validate(dom, &d) > 0)) {
            domcfg_domain_free(dom);
            dom = NULL;
        }
    } else if (text) {
        dom = domcfg_load_xml(text, len, src, &d);
    }
    char *all = messages(&d, -1);
    if (dom)
        fprintf(stderr, "%s: accepted but should be refused\n", stem);
    else if (d.errors == 0)
        fprintf(stderr, "%s: refused without an error message\n", stem);
    else
        ok = expect(stem, "messages", err, all);
    verdict(xl ? "xl-bad" : "xml-bad", stem, ok);
    free(all);
    free(text);
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
}

static char *xl_to_xml(const char *text, size_t len, const char *src, struct domcfg_diags *d)
{
    rng_reset();
    struct domcfg_domain *dom = domcfg_parse_xl(text, len, src, d);
    if (dom && (domcfg_fill_defaults(dom, d) < 0 || domcfg_validate(dom, d) > 0)) {
        domcfg_domain_free(dom);
        dom = NULL;
    }
    char *xml = dom ? domcfg_format_xml(dom) : NULL;
    domcfg_domain_free(dom);
    return xml;
}

static void test_xl(const char *dir, const char *stem)
{
    char in[1024], xmlpath[1024], outcfg[1024], src[300];
    struct domcfg_diags d;
    size_t len;
    bool ok = false;

    path_of(in, sizeof(in), dir, stem, ".cfg");
    path_of(xmlpath, sizeof(xmlpath), dir, stem, ".xml");
    path_of(outcfg, sizeof(outcfg), dir, stem, ".out.cfg");
    snprintf(src, sizeof(src), "%s.cfg", stem);
    domcfg_diags_init(&d);
    char *text = slurp(in, &len);
    char *xml = text ? xl_to_xml(text, len, src, &d) : NULL;
    char *cfg = NULL, *xml2 = NULL;
    if (xml) {
        struct domcfg_domain *dom = domcfg_load_xml(xml, strlen(xml), src, &d);
        cfg = dom ? domcfg_format_xl(dom, &d) : NULL;
        domcfg_domain_free(dom);
    }
    if (cfg)
        xml2 = xl_to_xml(cfg, strlen(cfg), src, &d);
    if (!xml2) {
        char *all = messages(&d, -1);
        fprintf(stderr, "%s: conversion failed:\n%s", stem, all ? all : "");
        free(all);
    } else {
        ok = expect(stem, "XML from xl.cfg", xmlpath, xml);
        ok = expect(stem, "xl.cfg from XML", outcfg, cfg) && ok;
        if (strcmp(xml, xml2) != 0) {
            fprintf(stderr, "%s: xl.cfg -> XML -> xl.cfg -> XML changed:\n%s", stem, xml2);
            ok = false;
        }
    }
    verdict("xl", stem, ok);
    free(text);
    free(xml);
    free(cfg);
    free(xml2);
    domcfg_diags_free(&d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME in dir with the given suffix (excluding the ".out" files), sorted. */
static void each(const char *root, const char *sub, const char *suffix,
                 void (*fn)(const char *dir, const char *stem, bool flag), bool flag)
{
    char dir[1024];
    char *names[1024];
    size_t n = 0;

    snprintf(dir, sizeof(dir), "%s/%s", root, sub);
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL %s:directory-missing\n", sub);
        failures++;
        return;
    }
    for (struct dirent *de; (de = readdir(d)) != NULL && n < 1024;) {
        size_t l = strlen(de->d_name), sl = strlen(suffix);
        if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
            continue;
        if (l > sl + 4 && strncmp(de->d_name + l - sl - 4, ".out", 4) == 0)
            continue;
        names[n++] = strndup(de->d_name, l - sl);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        fn(dir, names[i], flag);
        free(names[i]);
    }
}

static void good(const char *dir, const char *stem, bool flag)
{
    (void)flag;
    test_good(dir, stem);
}

static void bad(const char *dir, const char *stem, bool xl)
{
    test_bad(dir, stem, xl);
}

static void xl(const char *dir, const char *stem, bool flag)
{
    (void)flag;
    test_xl(dir, stem);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s tests/unit/libdomcfg/xml\n", argv[0]);
        return 2;
    }
    regen = getenv("DOMCFG_REGEN") != NULL;
    domcfg_set_random_source(test_random);
    each(argv[1], "good", ".xml", good, false);
    each(argv[1], "bad", ".xml", bad, false);
    each(argv[1], "xl", ".cfg", xl, false);
    each(argv[1], "xl-bad", ".cfg", bad, true);
    return 0;
}
