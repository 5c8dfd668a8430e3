/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The definitions store: define/redefine/undefine/lookup/list semantics, name and UUID
 * uniqueness (also between concurrent processes), and what a crash can leave behind.
 * usage: test_store <empty-or-missing-dir>
 */
#include "domcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *state;
static int failed;

static void check(const char *name, bool ok)
{
    printf("%s store:%s\n", ok ? "PASS" : "FAIL", name);
    failed += !ok;
}

static struct domcfg_domain *domain(const char *name, const char *uuid, unsigned mib)
{
    char doc[1024];
    struct domcfg_diags d;

    snprintf(doc, sizeof(doc),
             "<domain type='xen'><name>%s</name>%s%s%s<memory unit='MiB'>%u</memory>"
             "<os><type>linux</type><kernel>/k</kernel></os></domain>",
             name, uuid ? "<uuid>" : "", uuid ? uuid : "", uuid ? "</uuid>" : "", mib);
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_load_xml(doc, strlen(doc), name, &d);
    domcfg_diags_free(&d);
    return dom;
}

static int define(struct domcfg_store *s, const char *name, const char *uuid, unsigned mib,
                  char *err, size_t errlen)
{
    struct domcfg_diags d;
    struct domcfg_domain *dom = domain(name, uuid, mib);
    domcfg_diags_init(&d);
    int rc = dom ? domcfg_store_define(s, dom, &d) : -1;
    if (err)
        snprintf(err, errlen, "%s", d.count ? d.items[0].text : "");
    domcfg_diags_free(&d);
    domcfg_domain_free(dom);
    return rc;
}

static size_t count(struct domcfg_store *s, size_t *warnings)
{
    struct domcfg_store_entry *e;
    size_t n = 0;
    struct domcfg_diags d;
    domcfg_diags_init(&d);
    if (domcfg_store_list(s, &e, &n, &d) == 0)
        free(e);
    if (warnings)
        *warnings = d.count;
    domcfg_diags_free(&d);
    return n;
}

static bool exists(const char *file)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/domains/%s", state, file);
    return stat(path, &st) == 0;
}

static void write_file(const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/domains/%s", state, file);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

#define U1 "11111111-2222-4333-8444-555555555555"
#define U2 "66666666-7777-4888-8999-aaaaaaaaaaaa"

static void test_basics(struct domcfg_store *s)
{
    char err[512];
    struct domcfg_diags d;

    check("define", define(s, "alpha", U1, 128, err, sizeof(err)) == 0 && exists("alpha.xml"));
    struct stat st;
    char path[512];
    snprintf(path, sizeof(path), "%s/domains/alpha.xml", state);
    check("definition-private", stat(path, &st) == 0 && (st.st_mode & 077) == 0);
    check("redefine-same-uuid", define(s, "alpha", U1, 256, err, sizeof(err)) == 0);
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_store_lookup(s, "alpha", &d);
    check("redefine-replaces", dom && dom->memory_kib == 256 * 1024);
    domcfg_domain_free(dom);
    dom = domcfg_store_lookup(s, U1, &d);
    check("lookup-by-uuid", dom && strcmp(dom->name, "alpha") == 0);
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);

    check("name-taken-other-uuid",
          define(s, "alpha", U2, 128, err, sizeof(err)) < 0 &&
              strcmp(err, "alpha: domain 'alpha' is already defined with UUID " U1
                          ": undefine it first or use that UUID") == 0);
    check("uuid-taken-other-name",
          define(s, "beta", U1, 128, err, sizeof(err)) < 0 &&
              strcmp(err, "beta: UUID " U1
                          " is already defined as domain 'alpha': UUIDs must be unique") == 0);
    check("second-domain",
          define(s, "beta", U2, 128, err, sizeof(err)) == 0 && count(s, NULL) == 2);
    check("generated-uuid-define",
          define(s, "gamma", NULL, 64, err, sizeof(err)) == 0 && count(s, NULL) == 3);

    domcfg_diags_init(&d);
    check("undefine-by-uuid", domcfg_store_undefine(s, U2, &d) == 0 && !exists("beta.xml"));
    check("undefine-by-name", domcfg_store_undefine(s, "gamma", &d) == 0 && count(s, NULL) == 1);
    domcfg_diags_free(&d);
    domcfg_diags_init(&d);
    check("undefine-missing", domcfg_store_undefine(s, "gamma", &d) < 0 && d.errors == 1);
    domcfg_diags_free(&d);
}

/* A crash between writing the temporary and renaming it leaves a dot-file: the old definition
 * stays intact, listing ignores the stray file, and the next define of the name removes it. */
static void test_crash_leftovers(struct domcfg_store *s)
{
    write_file(".alpha.xml.Ab12Cd", "<domain type='xen'><name>alpha</name><mem");
    size_t warnings;
    check("crash-leftover-ignored", count(s, &warnings) == 1 && warnings == 0);
    struct domcfg_diags d;
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_store_lookup(s, "alpha", &d);
    check("crash-old-definition-intact", dom && dom->memory_kib == 256 * 1024);
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
    check("crash-leftover-removed",
          define(s, "alpha", U1, 512, NULL, 0) == 0 && !exists(".alpha.xml.Ab12Cd"));

    write_file("broken.xml", "<domain type='xen'><name>broken</name>");
    check("corrupt-definition-warns", count(s, &warnings) == 1 && warnings == 1);
    write_file("liar.xml", "<domain type='xen'><name>truth</name><memory>65536</memory>"
                           "<os><type>linux</type><kernel>/k</kernel></os></domain>");
    check("file-name-must-match", count(s, &warnings) == 1 && warnings == 2);
}

/* Eight processes define eight names with one UUID at once: exactly one may win. */
static void test_concurrent_defines(void)
{
    pid_t pids[8];
    int wins = 0;

    for (int i = 0; i < 8; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            struct domcfg_diags d;
            char name[16];
            domcfg_diags_init(&d);
            struct domcfg_store *s = domcfg_store_open(state, &d);
            snprintf(name, sizeof(name), "race%d", i);
            int rc = s ? define(s, name, "99999999-8888-4777-8666-555555555555", 64, NULL, 0) : -1;
            domcfg_store_close(s);
            domcfg_diags_free(&d);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (int i = 0; i < 8; i++) {
        int status;
        if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
            WEXITSTATUS(status) == 0)
            wins++;
    }
    check("concurrent-same-uuid-one-wins", wins == 1);
}

int main(int argc, char **argv)
{
    struct domcfg_diags d;

    if (argc != 2) {
        fprintf(stderr, "usage: %s STATE_DIR\n", argv[0]);
        return 2;
    }
    state = argv[1];
    domcfg_diags_init(&d);
    struct domcfg_store *s = domcfg_store_open(state, &d);
    check("open-creates", s != NULL);
    domcfg_diags_free(&d);
    if (!s)
        return 0;
    test_basics(s);
    test_crash_leftovers(s);
    test_concurrent_defines();
    domcfg_store_close(s);
    return 0;
}
