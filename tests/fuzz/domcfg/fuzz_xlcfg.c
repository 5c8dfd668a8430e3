/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the xl.cfg parser. An accepted and valid xl.cfg must convert to XML
 * that loads again, and back to xl.cfg that parses again.
 */
#include "domcfg.h"

#include <stdlib.h>
#include <string.h>
#include "../fuzz_target.h"

static int fixed_random(void *buf, size_t len)
{
    memset(buf, 0x3c, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct domcfg_diags d;

    domcfg_set_random_source(fixed_random);
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_parse_xl((const char *)data, size, "fuzz.cfg", &d);
    if (dom && domcfg_fill_defaults(dom, &d) == 0 && domcfg_validate(dom, &d) == 0) {
        char *xml = domcfg_format_xml(dom);
        struct domcfg_domain *again = xml ? domcfg_load_xml(xml, strlen(xml), "again", &d) : NULL;
        if (!again)
            abort();
        char *cfg = domcfg_format_xl(again, &d);
        struct domcfg_domain *back = cfg ? domcfg_parse_xl(cfg, strlen(cfg), "back", &d) : NULL;
        if (!back)
            abort();
        domcfg_domain_free(back);
        free(cfg);
        domcfg_domain_free(again);
        free(xml);
    }
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
    return 0;
}
