/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XML -> struct domcfg_domain, the top level: <domain> and everything outside <devices>.
 * The parser checks structure and values itself so that every problem is reported with the
 * file, line, element and what was expected; then the schema runs as the formal gate
 * (schema.c). Elements libvirt knows that we do not model are kept (parse_util.c).
 */
#include "parse.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#define DOMCFG_XML_MAX (16u << 20) /* a domain description is a few KiB; refuse the absurd */

bool domcfg_name_ok(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > DOMCFG_NAME_MAX || s[0] == '.')
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+:-") == len;
}

/* The schema's UUID form: 32 hex digits, optionally with dashes at the 8-4-4-4-12 breaks. */
static bool uuid_text_ok(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};

    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, s++) {
            if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
                return false;
        }
        if (g < 4 && *s == '-')
            s++;
    }
    return *s == '\0';
}

static void parse_name(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    const char *s = ptext(c, n);

    if (!s || pcheck_attrs(c, n, NO_ATTRS))
        return;
    if (!domcfg_name_ok(s)) {
        perr(c, n, NULL,
             "'%.80s' is not a valid name: use 1 to %d letters, digits and '_.+:-', not "
             "starting with '.'",
             s, DOMCFG_NAME_MAX);
        return;
    }
    dom->name = pdup(c, s);
    dom->name_line = pline(n);
}

static void parse_uuid(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    const char *s = ptext(c, n);

    if (!s || pcheck_attrs(c, n, NO_ATTRS))
        return;
    if (!uuid_text_ok(s) || domcfg_uuid_parse(s, dom->uuid) < 0) {
        perr(c, n, NULL, "'%.80s' is not a UUID: expected 32 hex digits as 8-4-4-4-12", s);
        return;
    }
    dom->has_uuid = true;
}

static void parse_title(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    const char *s = ptext(c, n);

    if (!s || pcheck_attrs(c, n, NO_ATTRS))
        return;
    if (strchr(s, '\n')) {
        perr(c, n, NULL, "must be a single line (use <description> for more)");
        return;
    }
    dom->title = pdup(c, s);
}

static void parse_description(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    const char *s = ptext(c, n);

    if (s && !pcheck_attrs(c, n, NO_ATTRS))
        dom->description = pdup(c, s);
}

static int parse_size(struct pctx *c, xmlNodePtr n, uint64_t *kib)
{
    char buf[32];
    uint64_t value;

    if (pcheck_attrs(c, n, ATTRS("unit")))
        return -1;
    const char *s = ptoken(c, n, buf, sizeof(buf));
    if (!s)
        return -1;
    if (domcfg_parse_u64(s, &value) < 0) {
        perr(c, n, NULL, "'%s' is not a size: expected a whole number (unit in unit='...')", s);
        return -1;
    }
    /* An absent unit means KiB; an empty one is a mistake (libvirt's schema refuses it too). */
    const char *unit = pattr(n, "unit");
    int rc = unit && !*unit ? -1 : domcfg_memory_to_kib(value, unit, kib);
    if (rc == -1)
        perr(c, n, "unit", "is not a unit: expected b, KiB, KB, MiB, MB, GiB, GB, TiB, TB, ...");
    else if (rc == -2)
        perr(c, n, NULL, "%s is too large", s);
    return rc < 0 ? -1 : 0;
}

static void parse_memory(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;

    if (parse_size(c, n, &dom->memory_kib) == 0)
        dom->memory_line = pline(n);
}

static void parse_current_memory(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;

    if (parse_size(c, n, &dom->current_memory_kib) == 0)
        dom->current_memory_line = pline(n);
}

static int parse_cpuset_attr(struct pctx *c, xmlNodePtr n, struct domcfg_cpuset *set)
{
    const char *why;

    if (domcfg_cpuset_parse(pattr(n, "cpuset"), set, &why) < 0) {
        perr(c, n, "cpuset", "is not a CPU list like '0-3,^2,6': %s", why);
        return -1;
    }
    return 0;
}

static void parse_vcpu(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    char buf[32];
    uint64_t v;

    dom->vcpu_line = pline(n);
    if (pcheck_attrs(c, n, ATTRS("placement", "cpuset", "current")))
        return;
    const char *s = ptoken(c, n, buf, sizeof(buf));
    if (!s)
        return;
    if (domcfg_parse_u64(s, &v) < 0 || v == 0 || v > 4096) {
        perr(c, n, NULL, "'%s' is not a vCPU count: expected a number from 1 to %d", s,
             DOMCFG_MAX_VCPUS);
        return;
    }
    dom->vcpus = (unsigned)v;
    if (pattr(n, "placement")) {
        int p = pattr_enum(c, n, "placement", domcfg_placement_names);
        if (p >= 0)
            dom->placement = (enum domcfg_placement)p;
    }
    if (pattr(n, "cpuset") && parse_cpuset_attr(c, n, &dom->cpuset) == 0)
        dom->has_cpuset = true;
    if (pattr(n, "current")) {
        if (pattr_uint(c, n, "current", 4096, &v) < 0)
            return;
        if (v == 0) {
            perr(c, n, "current", "must be at least 1");
            return;
        }
        dom->vcpus_current = (unsigned)v;
    }
}

static void parse_vcpupin(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    struct domcfg_vcpupin pin = {.line = pline(n)};
    uint64_t v;

    if (pcheck_attrs(c, n, ATTRS("vcpu", "cpuset")) || pempty(c, n) < 0)
        return;
    if (!preq(c, n, "vcpu") || !preq(c, n, "cpuset"))
        return;
    if (pattr_uint(c, n, "vcpu", 4095, &v) < 0 || parse_cpuset_attr(c, n, &pin.cpuset) < 0)
        return;
    pin.vcpu = (unsigned)v;
    struct domcfg_vcpupin *grown = realloc(dom->pins, (dom->npins + 1) * sizeof(*grown));
    if (!grown) {
        perr(c, n, NULL, "out of memory");
        return;
    }
    dom->pins = grown;
    dom->pins[dom->npins++] = pin;
}

static void parse_cputune(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"vcpupin", parse_vcpupin, false},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, NO_ATTRS))
        return;
    dom->has_cputune = true;
    pchildren(c, n, rules, obj, &dom->cputune_extras);
}

static void parse_os_type(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    char buf[32];

    if (pcheck_attrs(c, n, ATTRS("arch", "machine")))
        return;
    const char *s = ptoken(c, n, buf, sizeof(buf));
    if (!s)
        return;
    if (strcmp(s, "hvm") == 0) {
        perr(c, n, NULL,
             "'hvm' is a fully virtualized guest: Lamina runs only paravirtualized guests "
             "(os type 'linux' or 'xen')");
        return;
    }
    int t = domcfg_enum_parse(domcfg_os_type_names, s);
    if (t < 0) {
        perr(c, n, NULL, "'%s' is not a Xen PV os type: expected 'linux' or 'xen'", s);
        return;
    }
    dom->os_type = (enum domcfg_os_type)t;
    const char *arch = pattr(n, "arch");
    if (arch && (strcmp(arch, "i686") == 0 || strcmp(arch, "i386") == 0)) {
        perr(c, n, "arch", "is a 32-bit guest: Lamina runs 64-bit PV guests only (x86_64)");
        return;
    }
    if (arch && strcmp(arch, "x86_64") != 0) {
        perr(c, n, "arch", "is not supported: expected 'x86_64'");
        return;
    }
    const char *machine = pattr(n, "machine");
    if (machine && strcmp(machine, "xenfv") == 0) {
        perr(c, n, "machine",
             "is a fully virtualized machine: Lamina runs only paravirtualized guests "
             "(machine 'xenpv')");
        return;
    }
    if (machine && strcmp(machine, "xenpv") != 0) {
        perr(c, n, "machine", "is not supported: expected 'xenpv'");
        return;
    }
    dom->has_machine = machine != NULL;
}

static void parse_os_path(struct pctx *c, xmlNodePtr n, char **out)
{
    const char *s = ptext(c, n);

    if (!s || pcheck_attrs(c, n, NO_ATTRS))
        return;
    if (!*s) {
        perr(c, n, NULL, "is empty: expected a file name");
        return;
    }
    *out = pdup(c, s);
}

static void parse_kernel(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_os_path(c, n, &((struct domcfg_domain *)obj)->kernel);
}

static void parse_initrd(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_os_path(c, n, &((struct domcfg_domain *)obj)->initrd);
}

static void parse_cmdline(struct pctx *c, xmlNodePtr n, void *obj)
{
    const char *s = ptext(c, n);

    if (s && !pcheck_attrs(c, n, NO_ATTRS))
        ((struct domcfg_domain *)obj)->cmdline = pdup(c, s);
}

static void parse_os(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"type", parse_os_type, true},
        {"kernel", parse_kernel, true},
        {"initrd", parse_initrd, true},
        {"cmdline", parse_cmdline, true},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, NO_ATTRS))
        return;
    dom->os_line = pline(n);
    if (!pfind(n, "type"))
        perr(c, n, NULL,
             "has no <type>: expected <type arch='x86_64' machine='xenpv'>linux</type>");
    pchildren(c, n, rules, obj, &dom->os_extras);
}

static void parse_lifecycle(struct pctx *c, xmlNodePtr n, enum domcfg_lifecycle *out, bool crash)
{
    char buf[32];

    if (pcheck_attrs(c, n, NO_ATTRS))
        return;
    const char *s = ptoken(c, n, buf, sizeof(buf));
    if (!s)
        return;
    int v = domcfg_enum_parse(domcfg_lifecycle_names, s);
    if (v < 0 || (!crash && (v == DOMCFG_LIFECYCLE_COREDUMP_DESTROY ||
                             v == DOMCFG_LIFECYCLE_COREDUMP_RESTART))) {
        perr(c, n, NULL, "'%s' is not an action: expected destroy, restart, preserve%s", s,
             crash ? ", rename-restart, coredump-destroy or coredump-restart"
                   : " or rename-restart");
        return;
    }
    *out = (enum domcfg_lifecycle)v;
}

static void parse_on_poweroff(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_lifecycle(c, n, &((struct domcfg_domain *)obj)->on_poweroff, false);
}

static void parse_on_reboot(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_lifecycle(c, n, &((struct domcfg_domain *)obj)->on_reboot, false);
}

static void parse_on_crash(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_lifecycle(c, n, &((struct domcfg_domain *)obj)->on_crash, true);
}

static void parse_clock(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_domain *dom = obj;
    static const struct child_rule no_rules[] = {{NULL, NULL, false}};

    if (!preq(c, n, "offset"))
        return;
    int off = pattr_enum(c, n, "offset", domcfg_clock_names);
    if (off < 0)
        return;
    dom->clock_offset = (enum domcfg_clock_offset)off;
    dom->has_clock = true;
    if (off == DOMCFG_CLOCK_TIMEZONE) {
        if (pcheck_attrs(c, n, ATTRS("offset", "timezone")) || !preq(c, n, "timezone"))
            return;
        if (!*pattr(n, "timezone")) {
            perr(c, n, "timezone", "is empty: expected a zone name like 'Europe/Paris'");
            return;
        }
        dom->clock_timezone = pdup(c, pattr(n, "timezone"));
    } else if (off == DOMCFG_CLOCK_VARIABLE) {
        if (pcheck_attrs(c, n, ATTRS("offset", "adjustment", "basis")))
            return;
        const char *adj = pattr(n, "adjustment");
        if (adj) {
            char *end;
            long long v = strtoll(adj, &end, 10);
            if (end == adj || *end || v < -(1LL << 40) || v > (1LL << 40)) {
                perr(c, n, "adjustment", "expected seconds as a whole number");
                return;
            }
            dom->clock_adjustment = v;
        }
        if (pattr(n, "basis")) {
            int b = pattr_enum(c, n, "basis", domcfg_clock_names);
            if (b != DOMCFG_CLOCK_UTC && b != DOMCFG_CLOCK_LOCALTIME) {
                if (b >= 0)
                    perr(c, n, "basis", "expected 'utc' or 'localtime'");
                return;
            }
            dom->clock_basis_localtime = b == DOMCFG_CLOCK_LOCALTIME;
        }
    } else if (pcheck_attrs(c, n, ATTRS("offset"))) {
        return;
    }
    pchildren(c, n, no_rules, obj, &dom->clock_extras);
}

static const struct child_rule domain_rules[] = {
    {"name", parse_name, true},
    {"uuid", parse_uuid, true},
    {"title", parse_title, true},
    {"description", parse_description, true},
    {"memory", parse_memory, true},
    {"currentMemory", parse_current_memory, true},
    {"vcpu", parse_vcpu, true},
    {"cputune", parse_cputune, true},
    {"os", parse_os, true},
    {"on_poweroff", parse_on_poweroff, true},
    {"on_reboot", parse_on_reboot, true},
    {"on_crash", parse_on_crash, true},
    {"clock", parse_clock, true},
    {"devices", parse_devices, true},
    {NULL, NULL, false},
};

static void parse_root(struct pctx *c, xmlNodePtr root)
{
    const char *type = pattr(root, "type");

    if (root->ns || strcmp((const char *)root->name, "domain") != 0) {
        perr(c, root, NULL, "is not a domain description: expected <domain type='xen'>");
        return;
    }
    if (!type) {
        perr(c, root, NULL, "needs type='xen'");
        return;
    }
    if (strcmp(type, "xen") != 0) {
        perr(c, root, "type",
             "is not a Xen domain: Lamina runs only type='xen' (paravirtualized) guests");
        return;
    }
    if (pcheck_attrs(c, root, ATTRS("type", "id")))
        return;
    /* id= is the running domain's number in libvirt's live XML: accepted, not kept. */
    const char *id = pattr(root, "id");
    if (id) {
        char *end;
        long v = strtol(id, &end, 10);
        if (end == id || *end || v < -1 || v > 65535) {
            perr(c, root, "id", "is not a domain number");
            return;
        }
    }
    if (!pfind(root, "name"))
        perr(c, root, NULL, "has no <name>: every domain needs one");
    if (!pfind(root, "memory"))
        perr(c, root, NULL, "has no <memory>: expected e.g. <memory unit='MiB'>512</memory>");
    if (!pfind(root, "os"))
        perr(c, root, NULL, "has no <os>: expected <os><type>linux</type><kernel>...</kernel>");
    pchildren(c, root, domain_rules, c->dom, &c->dom->extras);
}

struct wellformed {
    const char *source;
    struct domcfg_diags *diags;
    bool reported;
};

/* Only the first well-formedness error is useful: the rest are its echoes. */
static void report_xml_error(void *data, xmlErrorPtr err)
{
    struct wellformed *wf = data;

    if (wf->reported || !err || err->level < XML_ERR_ERROR || !err->message)
        return;
    wf->reported = true;
    domcfg_diag_at(wf->diags, DOMCFG_ERROR, wf->source, err->line, "not well-formed XML: %.*s",
                   (int)strcspn(err->message, "\n"), err->message);
}

static xmlDocPtr read_document(const char *buf, size_t len, const char *source,
                               struct domcfg_diags *diags)
{
    struct wellformed wf = {source, diags, false};

    if (len > DOMCFG_XML_MAX) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "larger than %u MiB: not a domain",
                       DOMCFG_XML_MAX >> 20);
        return NULL;
    }
    xmlParserCtxtPtr ctxt = domcfg_thread_parser();
    if (!ctxt) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "out of memory");
        return NULL;
    }
    xmlSetStructuredErrorFunc(&wf, report_xml_error);
    /* No entity substitution, no network, no DTD loading: a domain file is data. */
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, source, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
                                          XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc && !wf.reported) {
        xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
        wf.reported = false;
        if (err)
            report_xml_error(&wf, err);
        if (!wf.reported)
            domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "not well-formed XML");
    }
    if (doc && doc->intSubset) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0,
                       "has a DOCTYPE declaration: domain XML does not use one");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (doc && !xmlDocGetRootElement(doc)) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "is empty: expected <domain type='xen'>");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

struct domcfg_domain *domcfg_parse_xml(const char *buf, size_t len, const char *source,
                                       struct domcfg_diags *diags)
{
    size_t errors_before = diags->errors;
    struct domcfg_domain *dom = calloc(1, sizeof(*dom));

    if (!dom || !(dom->source = strdup(source ? source : "-"))) {
        free(dom);
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", source ? source : "-");
        return NULL;
    }
    dom->vcpu_line = dom->memory_line = 0;
    xmlDocPtr doc = read_document(buf, len, dom->source, diags);
    if (doc) {
        struct pctx c = {dom->source, diags, dom};
        parse_root(&c, xmlDocGetRootElement(doc));
        /* The schema only judges what the parser accepted: otherwise its (poorer) messages
         * would repeat what was already said. */
        if (diags->errors == errors_before)
            domcfg_schema_check(doc, dom->source, diags);
        xmlFreeDoc(doc);
    }
    if (!doc || diags->errors != errors_before) {
        domcfg_domain_free(dom);
        return NULL;
    }
    return dom;
}

struct domcfg_domain *domcfg_parse_xml_file(const char *path, struct domcfg_diags *diags)
{
    size_t len;
    char *buf = domcfg_read_file(path, DOMCFG_XML_MAX, &len, diags);

    if (!buf)
        return NULL;
    struct domcfg_domain *dom = domcfg_parse_xml(buf, len, path, diags);
    free(buf);
    return dom;
}
