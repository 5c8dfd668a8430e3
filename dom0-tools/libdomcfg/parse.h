/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to the XML parser (parse_*.c): context, messages, and child/attribute walking. */
#ifndef DOMCFG_PARSE_H
#define DOMCFG_PARSE_H

#include "domcfg_internal.h"

struct pctx {
    const char *source;
    struct domcfg_diags *diags;
    struct domcfg_domain *dom;
};

/* "<elem attr='value'> message" at the element's line; attr may be NULL. */
void perr(struct pctx *c, xmlNodePtr n, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pwarn(struct pctx *c, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pline(xmlNodePtr n);

/* Attribute value without namespace, or NULL. */
const char *pattr(xmlNodePtr n, const char *name);
/* Like pattr, but a missing attribute is an error. */
const char *preq(struct pctx *c, xmlNodePtr n, const char *name);
/* Every attribute of n must be one of the NULL-terminated names; returns errors found.
 * Call as pcheck_attrs(c, n, ATTRS("type", "device")) or pcheck_attrs(c, n, NO_ATTRS). */
int pcheck_attrs(struct pctx *c, xmlNodePtr n, const char *const *allowed);
#define ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ATTRS   ((const char *const[]){NULL})
/* Text content of an element that must hold only text ("" when empty); NULL + error else. */
const char *ptext(struct pctx *c, xmlNodePtr n);
/* ptext with surrounding whitespace and leading zeros removed (numbers and keywords), copied
 * into buf; NULL + error when it does not fit (never truncated). */
const char *ptoken(struct pctx *c, xmlNodePtr n, char *buf, size_t len);
/* An element that must have no children (attributes are checked separately). */
int pempty(struct pctx *c, xmlNodePtr n);
/* strdup that records an error on failure. */
char *pdup(struct pctx *c, const char *s);

/* Unsigned decimal (whitespace trimmed) no larger than max; error names the attribute. */
int pattr_uint(struct pctx *c, xmlNodePtr n, const char *attr, uint64_t max, uint64_t *out);
/* Enum attribute: returns the value, or -1 after an error listing the choices. */
int pattr_enum(struct pctx *c, xmlNodePtr n, const char *attr,
               const struct domcfg_enum_name *table);

/* Keep a libvirt element we do not model: serialize it into extras, warn, and remove it from
 * the document so the schema does not see it. */
void pkeep_extra(struct pctx *c, xmlNodePtr n, struct domcfg_extras *extras);

struct child_rule {
    const char *name;
    void (*parse)(struct pctx *c, xmlNodePtr n, void *obj);
    bool once;
};
/* Walk the element children of parent: known names go to their rule, libvirt's other
 * elements to extras (when extras is not NULL), anything else is an error. */
void pchildren(struct pctx *c, xmlNodePtr parent, const struct child_rule *rules, void *obj,
               struct domcfg_extras *extras);
/* The first child element named name, or NULL. */
xmlNodePtr pfind(xmlNodePtr parent, const char *name);

/* parse_devices.c */
void parse_devices(struct pctx *c, xmlNodePtr n, void *obj);

#endif
