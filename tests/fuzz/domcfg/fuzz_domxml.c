/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the domain XML parser (parse, defaults, validate, format).
 * Beyond memory safety it checks two properties:
 *  - the parser never accepts what the schema refuses (diags.schema_errors stays 0);
 *  - an accepted domain formats to XML that loads again and formats identically.
 */
#include "domcfg.h"

#include <stdlib.h>
#include <string.h>
#include "../fuzz_target.h"

static int fixed_random(void *buf, size_t len)
{
    memset(buf, 0x5a, len);
    return 0;
}

static void no_schema_disagreement(const struct domcfg_diags *d)
{
    if (d->schema_errors)
        abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct domcfg_diags d;

    domcfg_set_random_source(fixed_random);
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_load_xml((const char *)data, size, "fuzz.xml", &d);
    no_schema_disagreement(&d);
    if (dom) {
        char *xml = domcfg_format_xml(dom);
        struct domcfg_diags d2;
        domcfg_diags_init(&d2);
        struct domcfg_domain *again = xml ? domcfg_load_xml(xml, strlen(xml), "again", &d2) : NULL;
        no_schema_disagreement(&d2);
        if (!again)
            abort();
        char *xml2 = domcfg_format_xml(again);
        if (!xml2 || strcmp(xml, xml2) != 0)
            abort();
        struct domcfg_diags d3;
        domcfg_diags_init(&d3);
        free(domcfg_format_xl(again, &d3));
        domcfg_diags_free(&d3);
        free(xml2);
        free(xml);
        domcfg_domain_free(again);
        domcfg_diags_free(&d2);
    }
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
    return 0;
}
