/* SPDX-License-Identifier: GPL-2.0-only */
/* Lifetime of a domain model, extras lists, positioned messages, and the load pipeline. */
#include "domcfg_internal.h"

#include <stdio.h>
#include <stdlib.h>

int domcfg_extras_add(struct domcfg_extras *ex, char *xml)
{
    char **grown = realloc(ex->xml, (ex->count + 1) * sizeof(*grown));
    if (!grown) {
        free(xml);
        return -1;
    }
    ex->xml = grown;
    ex->xml[ex->count++] = xml;
    return 0;
}

void domcfg_extras_free(struct domcfg_extras *ex)
{
    for (size_t i = 0; i < ex->count; i++)
        free(ex->xml[i]);
    free(ex->xml);
    ex->xml = NULL;
    ex->count = 0;
}

void domcfg_diag_at(struct domcfg_diags *d, enum domcfg_severity sev, const char *source, int line,
                    const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0)
        domcfg_diag_add(d, sev, "%s:%d: %s", source ? source : "-", line, msg);
    else
        domcfg_diag_add(d, sev, "%s: %s", source ? source : "-", msg);
}

void domcfg_domain_free(struct domcfg_domain *dom)
{
    if (!dom)
        return;
    free(dom->source);
    free(dom->name);
    free(dom->title);
    free(dom->description);
    free(dom->pins);
    domcfg_extras_free(&dom->cputune_extras);
    free(dom->kernel);
    free(dom->initrd);
    free(dom->cmdline);
    domcfg_extras_free(&dom->os_extras);
    free(dom->clock_timezone);
    domcfg_extras_free(&dom->clock_extras);
    for (size_t i = 0; i < dom->ndisks; i++) {
        free(dom->disks[i].source);
        free(dom->disks[i].target);
        free(dom->disks[i].backend);
        domcfg_extras_free(&dom->disks[i].extras);
    }
    free(dom->disks);
    for (size_t i = 0; i < dom->nnics; i++) {
        free(dom->nics[i].bridge);
        free(dom->nics[i].script);
        free(dom->nics[i].backend);
        domcfg_extras_free(&dom->nics[i].extras);
    }
    free(dom->nics);
    for (size_t i = 0; i < dom->nconsoles; i++)
        domcfg_extras_free(&dom->consoles[i].extras);
    free(dom->consoles);
    domcfg_extras_free(&dom->xenbus_extras);
    domcfg_extras_free(&dom->balloon_extras);
    domcfg_extras_free(&dom->extras);
    domcfg_extras_free(&dom->devices_extras);
    free(dom);
}

static struct domcfg_domain *finish_load(struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    if (!dom)
        return NULL;
    if (domcfg_fill_defaults(dom, diags) < 0 || domcfg_validate(dom, diags) > 0) {
        domcfg_domain_free(dom);
        return NULL;
    }
    return dom;
}

struct domcfg_domain *domcfg_load_xml(const char *buf, size_t len, const char *source,
                                      struct domcfg_diags *diags)
{
    return finish_load(domcfg_parse_xml(buf, len, source, diags), diags);
}

struct domcfg_domain *domcfg_load_file(const char *path, struct domcfg_diags *diags)
{
    return finish_load(domcfg_parse_xml_file(path, diags), diags);
}
