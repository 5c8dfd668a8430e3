/* SPDX-License-Identifier: GPL-2.0-only */
/* Building blocks of the XML parser: positioned messages, attributes, text, child walking. */
#include "parse.h"

#include <ctype.h>
#include <libxml/xmlsave.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pline(xmlNodePtr n)
{
    long line = xmlGetLineNo(n);
    return line > 0 && line < 0x7fffffff ? (int)line : 0;
}

void perr(struct pctx *c, xmlNodePtr n, const char *attr, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *v = attr ? pattr(n, attr) : NULL;
    if (v)
        domcfg_diag_at(c->diags, DOMCFG_ERROR, c->source, pline(n), "<%s %s='%.200s'> %s",
                       (const char *)n->name, attr, v, msg);
    else
        domcfg_diag_at(c->diags, DOMCFG_ERROR, c->source, pline(n), "<%s> %s",
                       (const char *)n->name, msg);
}

void pwarn(struct pctx *c, xmlNodePtr n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    domcfg_diag_at(c->diags, DOMCFG_WARNING, c->source, pline(n), "<%s> %s", (const char *)n->name,
                   msg);
}

const char *pattr(xmlNodePtr n, const char *name)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (a->ns || strcmp((const char *)a->name, name) != 0)
            continue;
        /* Without entity substitution an attribute is one text node (or none when empty). */
        if (!a->children)
            return "";
        if (a->children->type == XML_TEXT_NODE && !a->children->next)
            return (const char *)a->children->content;
        return NULL;
    }
    return NULL;
}

const char *preq(struct pctx *c, xmlNodePtr n, const char *name)
{
    const char *v = pattr(n, name);
    if (!v)
        perr(c, n, NULL, "needs a '%s' attribute", name);
    return v;
}

int pcheck_attrs(struct pctx *c, xmlNodePtr n, const char *const *allowed)
{
    int errors = 0;

    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        bool ok = false;
        for (const char *const *name = allowed; *name; name++) {
            if (!a->ns && strcmp((const char *)a->name, *name) == 0)
                ok = true;
        }
        if (!ok) {
            perr(c, n, NULL, "does not take the attribute '%s%s%s'",
                 a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "", a->ns ? ":" : "",
                 (const char *)a->name);
            errors++;
        }
    }
    return errors;
}

const char *ptext(struct pctx *c, xmlNodePtr n)
{
    xmlNodePtr t = n->children;

    if (!t)
        return "";
    if (t->type == XML_TEXT_NODE && !t->next)
        return (const char *)t->content;
    for (; t; t = t->next) {
        if (t->type == XML_ELEMENT_NODE) {
            perr(c, n, NULL, "must contain only text, found <%s>", (const char *)t->name);
            return NULL;
        }
    }
    perr(c, n, NULL, "must contain only text");
    return NULL;
}

const char *ptoken(struct pctx *c, xmlNodePtr n, char *buf, size_t len)
{
    const char *s = ptext(c, n);
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l > 0 && isspace((unsigned char)s[l - 1]))
        l--;
    /* Leading zeros carry no value but the schema's integers allow any number of them. */
    while (l > 1 && s[0] == '0' && isdigit((unsigned char)s[1])) {
        s++;
        l--;
    }
    /* Never cut a value short: a truncated token could read as something else (a run of
     * zeros then junk read as 0), so a longer one is refused. */
    if (l >= len) {
        perr(c, n, NULL, "'%.20s...' is too long for a value here (at most %zu characters)", s,
             len - 1);
        return NULL;
    }
    memcpy(buf, s, l);
    buf[l] = '\0';
    return buf;
}

int pempty(struct pctx *c, xmlNodePtr n)
{
    if (n->children) {
        perr(c, n, NULL, "must be empty");
        return -1;
    }
    return 0;
}

char *pdup(struct pctx *c, const char *s)
{
    char *d = strdup(s);
    if (!d)
        domcfg_diag_add(c->diags, DOMCFG_ERROR, "%s: out of memory", c->source);
    return d;
}

int pattr_uint(struct pctx *c, xmlNodePtr n, const char *attr, uint64_t max, uint64_t *out)
{
    const char *v = pattr(n, attr);
    char buf[32];

    if (!v)
        return -1;
    while (isspace((unsigned char)*v))
        v++;
    size_t l = strcspn(v, " \t\r\n");
    if (l >= sizeof(buf) || v[l + strspn(v + l, " \t\r\n")] != '\0') {
        perr(c, n, attr, "expected a number from 0 to %llu", (unsigned long long)max);
        return -1;
    }
    memcpy(buf, v, l);
    buf[l] = '\0';
    if (domcfg_parse_u64(buf, out) < 0 || *out > max) {
        perr(c, n, attr, "expected a number from 0 to %llu", (unsigned long long)max);
        return -1;
    }
    return 0;
}

int pattr_enum(struct pctx *c, xmlNodePtr n, const char *attr, const struct domcfg_enum_name *table)
{
    const char *v = pattr(n, attr);
    char buf[64], list[256];

    if (!v)
        return -1;
    while (isspace((unsigned char)*v))
        v++;
    size_t l = strlen(v);
    while (l > 0 && isspace((unsigned char)v[l - 1]))
        l--;
    if (l < sizeof(buf)) {
        memcpy(buf, v, l);
        buf[l] = '\0';
        int val = domcfg_enum_parse(table, buf);
        if (val >= 0)
            return val;
    }
    perr(c, n, attr, "expected %s", domcfg_enum_list(table, list, sizeof(list)));
    return -1;
}

/* Nesting depth of n below the root element (<domain> is 0). */
static int depth_of(xmlNodePtr n)
{
    int depth = -1;
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        depth++;
    return depth;
}

/* Serialized as it will be written back: libxml indents the children for this depth and
 * leaves mixed content alone, so the text is written verbatim after the first line's indent. */
static char *serialize_standalone(xmlNodePtr n)
{
    int depth = depth_of(n);
    xmlDocPtr tmp = xmlNewDoc((const xmlChar *)"1.0");
    if (!tmp)
        return NULL;
    /* Copying into a fresh document declares the namespaces the subtree uses that were
     * declared on its ancestors, so the kept text stands on its own. */
    xmlNodePtr copy = xmlDocCopyNode(n, tmp, 1);
    char *out = NULL;
    if (copy) {
        xmlDocSetRootElement(tmp, copy);
        xmlReconciliateNs(tmp, copy);
        xmlBufferPtr buf = xmlBufferCreate();
        if (buf && xmlNodeDump(buf, tmp, copy, depth, 1) >= 0)
            out = strdup((const char *)xmlBufferContent(buf));
        xmlBufferFree(buf);
    }
    xmlFreeDoc(tmp);
    return out;
}

void pkeep_extra(struct pctx *c, xmlNodePtr n, struct domcfg_extras *extras)
{
    char *xml = serialize_standalone(n);

    if (!xml || domcfg_extras_add(extras, xml) < 0) {
        perr(c, n, NULL, "could not be kept: out of memory");
        return;
    }
    pwarn(c, n, "is not used by Lamina; kept as written");
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

xmlNodePtr pfind(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !n->ns && strcmp((const char *)n->name, name) == 0)
            return n;
    }
    return NULL;
}

static bool blank(const char *s)
{
    for (; *s; s++) {
        if (!isspace((unsigned char)*s))
            return false;
    }
    return true;
}

static void unexpected_child(struct pctx *c, xmlNodePtr parent, xmlNodePtr n,
                             const struct child_rule *rules)
{
    char expected[256] = "";
    size_t used = 0;

    for (const struct child_rule *r = rules; r->name && used < sizeof(expected); r++) {
        int k =
            snprintf(expected + used, sizeof(expected) - used, "%s<%s>", used ? ", " : "", r->name);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    perr(c, n, NULL, "is not expected inside <%s>%s%s%s", (const char *)parent->name,
         used ? " (expected " : "", expected, used ? ")" : "");
}

void pchildren(struct pctx *c, xmlNodePtr parent, const struct child_rule *rules, void *obj,
               struct domcfg_extras *extras)
{
    unsigned seen = 0; /* bit i: rules[i] matched once already */
    xmlNodePtr next;

    for (xmlNodePtr n = parent->children; n; n = next) {
        next = n->next;
        if (n->type == XML_TEXT_NODE) {
            if (!blank((const char *)n->content))
                perr(c, parent, NULL, "must not contain text ('%.40s')", (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions */
        const struct child_rule *r = NULL;
        unsigned i = 0;
        for (; !n->ns && rules[i].name; i++) {
            if (strcmp(rules[i].name, (const char *)n->name) == 0) {
                r = &rules[i];
                break;
            }
        }
        if (r) {
            if (r->once && (seen & (1u << i))) {
                perr(c, n, NULL, "may appear only once inside <%s>", (const char *)parent->name);
                continue;
            }
            seen |= 1u << i;
            r->parse(c, n, obj);
        } else if (extras && (n->ns || domcfg_libvirt_knows((const char *)parent->name,
                                                            (const char *)n->name))) {
            pkeep_extra(c, n, extras);
        } else {
            unexpected_child(c, parent, n, rules);
        }
    }
}
