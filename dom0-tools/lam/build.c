/* SPDX-License-Identifier: GPL-2.0-only */
/* The domain builder and teardown the lifecycle code uses (`start`, the monitor's restarts
 * and destroys): libdombuild, as `lam create` uses it. */
#include "lam_dombuild.h"
#include "lam_life.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int build_from_xml(struct life *l, const char *xml, uint16_t *domid)
{
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = domcfg_load_xml(xml, strlen(xml), "config", &diags);
    for (size_t i = 0; i < diags.count; i++)
        life_log(l, "configuration: %s", diags.items[i].text);
    domcfg_diags_free(&diags);
    if (!dom)
        return EINVAL;
    /* Record the configuration as it was loaded (defaults filled), as `lam create` does. */
    char *normal = domcfg_format_xml(dom);
    struct dombuild_config c;
    lam_dombuild_config(dom, normal ? normal : xml, false, NULL, &c);
    struct dombuild_result r;
    char why[DOMBUILD_WHY_MAX];
    int rc = dombuild_create(&c, &r, why, sizeof(why));
    if (rc)
        life_log(l, "%s: cannot build it: %s", dom->name, why);
    else
        *domid = r.domid;
    free(normal);
    domcfg_domain_free(dom);
    return rc < 0 ? -rc : rc;
}

static int destroy_domain(struct life *l, uint16_t domid)
{
    char why[DOMBUILD_WHY_MAX];
    int rc = dombuild_destroy(domid, NULL, why, sizeof(why));
    if (rc)
        life_log(l, "domain %u: %s", domid, why);
    return rc < 0 ? -rc : rc;
}

int (*const lam_builder)(struct life *l, const char *xml, uint16_t *domid) = build_from_xml;
int (*const lam_destroyer)(struct life *l, uint16_t domid) = destroy_domain;
