/* SPDX-License-Identifier: GPL-2.0-only */
/* Diagnostics: a growable list of rendered messages with their severity. */
#include "domcfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void domcfg_diags_init(struct domcfg_diags *d)
{
    d->items = NULL;
    d->count = d->cap = d->errors = d->schema_errors = 0;
}

void domcfg_diags_free(struct domcfg_diags *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].text);
    free(d->items);
    domcfg_diags_init(d);
}

void domcfg_diag_add(struct domcfg_diags *d, enum domcfg_severity sev, const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;

    if (sev == DOMCFG_ERROR)
        d->errors++; /* counted even if we cannot store the text: the verdict must hold */
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        struct domcfg_diag *items = realloc(d->items, cap * sizeof(*items));
        if (!items) {
            free(text);
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    d->items[d->count].severity = sev;
    d->items[d->count].text = text;
    d->count++;
}
