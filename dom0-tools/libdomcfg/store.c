#include "domcfg_internal.h"
struct domcfg_store *domcfg_store_open(const char *state_dir, struct domcfg_diags *diags)
{
    domcfg_diag_add(diags, DOMCFG_ERROR, "%s: store not yet supported", state_dir);
    return NULL;
}
void domcfg_store_close(struct domcfg_store *store)
{
    (void)store;
}
struct domcfg_domain *domcfg_store_lookup(struct domcfg_store *store, const char *n,
                                          struct domcfg_diags *diags)
{
    (void)store;
    (void)n;
    (void)diags;
    return NULL;
}
