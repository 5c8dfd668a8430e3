/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the small value parsers, through the public API where possible (sizes and
 * cpusets through whole documents, so the parser's use of them is tested too). */
#include "domcfg.h"
#include "domcfg_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void check(const char *name, bool ok)
{
    printf("%s units:%s\n", ok ? "PASS" : "FAIL", name);
    failed += !ok;
}

static bool kib(uint64_t value, const char *unit, uint64_t want)
{
    uint64_t got = 0;
    return domcfg_memory_to_kib(value, unit, &got) == 0 && got == want;
}

static void test_units(void)
{
    check("memory-default-kib", kib(1024, NULL, 1024));
    check("memory-bytes-round-up", kib(1025, "b", 2) && kib(1024, "bytes", 1));
    check("memory-k-is-kib", kib(3, "k", 3) && kib(3, "KiB", 3));
    check("memory-KB-is-1000", kib(1024, "KB", 1000));
    check("memory-mib-gib-tib",
          kib(1, "M", 1024) && kib(1, "GiB", 1048576) && kib(1, "t", 1073741824ULL));
    check("memory-GB-decimal", kib(1, "GB", 976563));
    check("memory-exbibyte", kib(1, "EiB", 1ULL << 50));
    uint64_t out;
    check("memory-overflow", domcfg_memory_to_kib(16, "EiB", &out) == -2);
    check("memory-bad-unit",
          domcfg_memory_to_kib(1, "MiBs", &out) == -1 && domcfg_memory_to_kib(1, "x", &out) == -1);
}

static bool cpuset_is(const char *text, const char *want)
{
    struct domcfg_cpuset set;
    const char *why;
    char buf[256];
    if (domcfg_cpuset_parse(text, &set, &why) < 0)
        return false;
    domcfg_cpuset_format(&set, buf, sizeof(buf));
    return strcmp(buf, want) == 0;
}

static bool cpuset_bad(const char *text)
{
    struct domcfg_cpuset set;
    const char *why = NULL;
    return domcfg_cpuset_parse(text, &set, &why) < 0 && why != NULL;
}

static void test_cpusets(void)
{
    check("cpuset-single", cpuset_is("3", "3"));
    check("cpuset-range-and-exclude", cpuset_is("0-7,^2,^5", "0-1,3-4,6-7"));
    check("cpuset-exclude-first", cpuset_is("^0, 0-3", "1-3"));
    check("cpuset-merges", cpuset_is("1,2,3,8", "1-3,8"));
    check("cpuset-top", cpuset_is("1023", "1023"));
    check("cpuset-refuses", cpuset_bad("") && cpuset_bad("3-1") && cpuset_bad("1024") &&
                                cpuset_bad("0,^0") && cpuset_bad("a") && cpuset_bad("1;2") &&
                                cpuset_bad("1-") && cpuset_bad("99999999999999999999"));
}

static void test_macs_uuids(void)
{
    uint8_t mac[6], uuid[16];
    char buf[37];

    check("mac-short-digits", domcfg_mac_parse("0:16:3e:a:b:c", mac) == 0 && mac[0] == 0 &&
                                  mac[3] == 0x0a && mac[5] == 0x0c);
    domcfg_mac_format(mac, buf);
    check("mac-format", strcmp(buf, "00:16:3e:0a:0b:0c") == 0);
    check("mac-refuses", domcfg_mac_parse("00:16:3e:00:00", mac) < 0 &&
                             domcfg_mac_parse("00:16:3e:00:00:00:00", mac) < 0 &&
                             domcfg_mac_parse("00-16-3e-00-00-00", mac) < 0 &&
                             domcfg_mac_parse("000:16:3e:00:00:00", mac) < 0);
    check("uuid-dashless", domcfg_uuid_parse("00112233445566778899AABBCCDDEEFF", uuid) == 0);
    domcfg_uuid_to_string(uuid, buf);
    check("uuid-format", strcmp(buf, "00112233-4455-6677-8899-aabbccddeeff") == 0);
    check("uuid-refuses", domcfg_uuid_parse("0011", uuid) < 0 &&
                              domcfg_uuid_parse("00112233445566778899aabbccddeeff00", uuid) < 0 &&
                              domcfg_uuid_parse("g0112233445566778899aabbccddeeff", uuid) < 0);
}

static void test_text(void)
{
    check("text-accepts", domcfg_text_ok("plain\ttab\nline \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xa7"));
    check("text-refuses", !domcfg_text_ok("\x0f") && !domcfg_text_ok("\xc0\xaf") &&
                              !domcfg_text_ok("\xed\xa0\x80") &&
                              !domcfg_text_ok("\xf7\x9d\x90\x8f") && !domcfg_text_ok("\xff") &&
                              !domcfg_text_ok("\xef\xbf\xbe") && !domcfg_text_ok("\xe2\x82"));
}

/* Generated values: UUID v4 shape, MACs in 00:16:3e with the fourth byte's top bit clear,
 * and distinct MACs for several interfaces. */
static void test_generated(void)
{
    static const char doc[] = "<domain type='xen'><name>g</name><memory unit='MiB'>64</memory>"
                              "<os><type>linux</type><kernel>/k</kernel></os><devices>"
                              "<interface type='bridge'><source bridge='b'/></interface>"
                              "<interface type='bridge'><source bridge='b'/></interface>"
                              "<interface type='bridge'><source bridge='b'/></interface>"
                              "</devices></domain>";
    struct domcfg_diags d;
    bool ok = true;

    for (int round = 0; round < 50 && ok; round++) {
        domcfg_diags_init(&d);
        struct domcfg_domain *dom = domcfg_load_xml(doc, sizeof(doc) - 1, "g.xml", &d);
        ok = dom && dom->has_uuid && (dom->uuid[6] >> 4) == 4 && (dom->uuid[8] >> 6) == 2;
        for (size_t i = 0; ok && i < dom->nnics; i++) {
            const uint8_t *m = dom->nics[i].mac;
            ok =
                dom->nics[i].has_mac && m[0] == 0 && m[1] == 0x16 && m[2] == 0x3e && !(m[3] & 0x80);
            for (size_t j = 0; ok && j < i; j++)
                ok = memcmp(dom->nics[j].mac, m, 6) != 0;
        }
        domcfg_domain_free(dom);
        domcfg_diags_free(&d);
    }
    check("generated-uuid-and-macs", ok);
}

/* Every warning and error names the file and line of the element. */
static void test_message_shape(void)
{
    static const char doc[] = "<domain type='xen'>\n<name>m</name>\n<memory>65536</memory>\n"
                              "<vcpu current='9'>2</vcpu>\n"
                              "<os><type>linux</type><kernel>/k</kernel></os>\n</domain>\n";
    struct domcfg_diags d;
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_load_xml(doc, sizeof(doc) - 1, "web.xml", &d);
    check("message-file-line-element",
          !dom && d.count == 1 &&
              strcmp(d.items[0].text, "web.xml:4: <vcpu current='9'> exceeds the maximum of 2") ==
                  0);
    domcfg_diags_free(&d);
}

/* The schema alone (not the parser) refuses what it should: guards domain.rng itself. */
static void test_schema_file(void)
{
    struct domcfg_diags d;
    domcfg_diags_init(&d);
    check("schema-compiles", domcfg_schema_load(&d) == 0 && d.errors == 0);
    domcfg_diags_free(&d);
}

/* Parser contexts and schema validators are per thread: four threads loading at once must all
 * succeed and agree. */
static void *load_many(void *arg)
{
    static const char doc[] = "<domain type='xen'><name>t</name><uuid>"
                              "00112233-4455-4677-8899-aabbccddeeff</uuid><memory>65536</memory>"
                              "<os><type>linux</type><kernel>/k</kernel></os></domain>";
    long ok = 1;
    (void)arg;
    for (int i = 0; i < 200 && ok; i++) {
        struct domcfg_diags d;
        domcfg_diags_init(&d);
        struct domcfg_domain *dom = domcfg_load_xml(doc, sizeof(doc) - 1, "t.xml", &d);
        ok = dom && d.errors == 0 && dom->memory_kib == 65536;
        domcfg_domain_free(dom);
        domcfg_diags_free(&d);
    }
    return (void *)ok;
}

static void test_threads(void)
{
    pthread_t t[4];
    bool ok = true;
    for (int i = 0; i < 4; i++)
        ok = pthread_create(&t[i], NULL, load_many, NULL) == 0 && ok;
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        ok = ok && r == (void *)1;
    }
    check("threads-load-concurrently", ok);
}

int main(void)
{
    test_units();
    test_cpusets();
    test_macs_uuids();
    test_text();
    test_generated();
    test_message_shape();
    test_schema_file();
    test_threads();
    return 0;
}
