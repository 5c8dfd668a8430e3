#include "domcfg_internal.h"
struct domcfg_domain *domcfg_parse_xl(const char *buf, size_t len, const char *source,
                                      struct domcfg_diags *diags)
{
    (void)buf;
    (void)len;
    domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "xl.cfg not yet supported");
    return NULL;
}
char *domcfg_format_xl(const struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    domcfg_diag_at(diags, DOMCFG_ERROR, dom->source, 0, "xl.cfg not yet supported");
    return NULL;
}
