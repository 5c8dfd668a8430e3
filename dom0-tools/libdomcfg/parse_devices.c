/* SPDX-License-Identifier: GPL-2.0-only */
/* XML -> struct domcfg_domain: <devices> (disks, interfaces, consoles, xenbus, memballoon). */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

/* Append a zeroed element to a device array; NULL (with an error) when out of memory. */
static void *grow(struct pctx *c, xmlNodePtr n, void **array, size_t *count, size_t size)
{
    char *grown = realloc(*array, (*count + 1) * size);
    if (!grown) {
        perr(c, n, NULL, "out of memory");
        return NULL;
    }
    *array = grown;
    memset(grown + *count * size, 0, size);
    return grown + (*count)++ * size;
}

static void parse_backend(struct pctx *c, xmlNodePtr n, char **out)
{
    const char *name = preq(c, n, "name");

    if (!name || pcheck_attrs(c, n, ATTRS("name")) || pempty(c, n) < 0)
        return;
    if (!domcfg_name_ok(name)) {
        perr(c, n, "name", "is not a domain name");
        return;
    }
    *out = pdup(c, name);
}

/* ---- disk ---- */

static void disk_driver(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_disk *d = obj;

    if (pcheck_attrs(c, n, ATTRS("name", "type")) || pempty(c, n) < 0)
        return;
    if (pattr(n, "name")) {
        int v = pattr_enum(c, n, "name", domcfg_driver_names);
        if (v >= 0)
            d->driver = (enum domcfg_disk_driver)v;
    }
    if (pattr(n, "type")) {
        int v = pattr_enum(c, n, "type", domcfg_format_names);
        if (v >= 0)
            d->format = (enum domcfg_disk_format)v;
    }
}

static void disk_source(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_disk *d = obj;
    const char *want = d->type == DOMCFG_DISK_FILE ? "file" : "dev";
    const char *other = d->type == DOMCFG_DISK_FILE ? "dev" : "file";

    if (pattr(n, other)) {
        perr(c, n, other, "does not fit a disk of type='%s': use <source %s='...'/>",
             domcfg_enum_name(domcfg_disk_type_names, d->type), want);
        return;
    }
    if (pcheck_attrs(c, n, ATTRS(want)) || pempty(c, n) < 0)
        return;
    const char *path = pattr(n, want);
    if (!path)
        return; /* an empty cdrom drive */
    if (!*path) {
        perr(c, n, want, "is empty: expected a path");
        return;
    }
    d->source = pdup(c, path);
}

static void disk_target(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_disk *d = obj;

    if (pcheck_attrs(c, n, ATTRS("dev", "bus")) || pempty(c, n) < 0)
        return;
    const char *dev = preq(c, n, "dev");
    if (!dev)
        return;
    if (!domcfg_disk_target_ok(dev)) {
        perr(c, n, "dev", "is not a Xen disk name: expected 'xvd' and letters, like 'xvda'");
        return;
    }
    const char *bus = pattr(n, "bus");
    if (bus && strcmp(bus, "xen") != 0) {
        perr(c, n, "bus", "needs an emulated device model: PV guests use bus='xen'");
        return;
    }
    d->target = pdup(c, dev);
}

static void disk_readonly(struct pctx *c, xmlNodePtr n, void *obj)
{
    if (pcheck_attrs(c, n, NO_ATTRS) == 0 && pempty(c, n) == 0)
        ((struct domcfg_disk *)obj)->readonly = true;
}

static void disk_shareable(struct pctx *c, xmlNodePtr n, void *obj)
{
    if (pcheck_attrs(c, n, NO_ATTRS) == 0 && pempty(c, n) == 0)
        ((struct domcfg_disk *)obj)->shareable = true;
}

static void disk_backend(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_backend(c, n, &((struct domcfg_disk *)obj)->backend);
}

static void parse_disk(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"driver", disk_driver, true},
        {"source", disk_source, true},
        {"target", disk_target, true},
        {"readonly", disk_readonly, true},
        {"shareable", disk_shareable, true},
        {"backenddomain", disk_backend, true},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, ATTRS("type", "device")) || !preq(c, n, "type"))
        return;
    int type = pattr_enum(c, n, "type", domcfg_disk_type_names);
    if (type < 0)
        return;
    int device = DOMCFG_DEVICE_DISK;
    if (pattr(n, "device") && (device = pattr_enum(c, n, "device", domcfg_disk_device_names)) < 0)
        return;
    if (!pfind(n, "target")) {
        perr(c, n, NULL, "has no <target>: expected <target dev='xvda' bus='xen'/>");
        return;
    }
    struct domcfg_disk *d = grow(c, n, (void **)&dom->disks, &dom->ndisks, sizeof(*d));
    if (!d)
        return;
    d->line = pline(n);
    d->type = (enum domcfg_disk_type)type;
    d->device = (enum domcfg_disk_device)device;
    pchildren(c, n, rules, d, &d->extras);
}

/* ---- interface ---- */

static void nic_mac(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_interface *nic = obj;

    if (pcheck_attrs(c, n, ATTRS("address")) || pempty(c, n) < 0 || !preq(c, n, "address"))
        return;
    if (domcfg_mac_parse(pattr(n, "address"), nic->mac) < 0) {
        perr(c, n, "address",
             "is not a MAC address: expected six hex bytes like 00:16:3e:12:34:56");
        return;
    }
    nic->has_mac = true;
}

static void nic_source(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_interface *nic = obj;

    if (pcheck_attrs(c, n, ATTRS("bridge")) || pempty(c, n) < 0 || !preq(c, n, "bridge"))
        return;
    if (!*pattr(n, "bridge")) {
        perr(c, n, "bridge", "is empty: expected a bridge name");
        return;
    }
    nic->bridge = pdup(c, pattr(n, "bridge"));
}

static void nic_vlan_tag(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_interface *nic = obj;
    uint64_t id;

    if (pcheck_attrs(c, n, ATTRS("id")) || pempty(c, n) < 0 || !preq(c, n, "id"))
        return;
    if (pattr_uint(c, n, "id", 65535, &id) == 0)
        nic->vlan_tag = (int)id;
}

static void nic_vlan(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"tag", nic_vlan_tag, true},
        {NULL, NULL, false},
    };
    const char *trunk = pattr(n, "trunk");

    if (pcheck_attrs(c, n, ATTRS("trunk")))
        return;
    if (trunk && strcmp(trunk, "no") != 0) {
        perr(c, n, "trunk", "is not supported: a Lamina interface carries one VLAN");
        return;
    }
    if (!pfind(n, "tag")) {
        perr(c, n, NULL, "has no <tag>: expected <tag id='42'/>");
        return;
    }
    pchildren(c, n, rules, obj, NULL);
}

static void nic_script(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_interface *nic = obj;

    if (pcheck_attrs(c, n, ATTRS("path")) || pempty(c, n) < 0 || !preq(c, n, "path"))
        return;
    if (!*pattr(n, "path")) {
        perr(c, n, "path", "is empty: expected a script name");
        return;
    }
    nic->script = pdup(c, pattr(n, "path"));
}

static void nic_backend(struct pctx *c, xmlNodePtr n, void *obj)
{
    parse_backend(c, n, &((struct domcfg_interface *)obj)->backend);
}

static void parse_interface(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"mac", nic_mac, true},
        {"source", nic_source, true},
        {"vlan", nic_vlan, true},
        {"script", nic_script, true},
        {"backenddomain", nic_backend, true},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, ATTRS("type")) || !preq(c, n, "type"))
        return;
    int type = domcfg_enum_parse(domcfg_net_type_names, pattr(n, "type"));
    if (type < 0) {
        perr(c, n, "type", "is not supported: Lamina interfaces are 'bridge' or 'ethernet'");
        return;
    }
    struct domcfg_interface *nic = grow(c, n, (void **)&dom->nics, &dom->nnics, sizeof(*nic));
    if (!nic)
        return;
    nic->line = pline(n);
    nic->type = (enum domcfg_net_type)type;
    nic->vlan_tag = -1;
    pchildren(c, n, rules, nic, &nic->extras);
}

/* ---- console ---- */

static void console_target(struct pctx *c, xmlNodePtr n, void *obj)
{
    struct domcfg_console *con = obj;
    const char *type = pattr(n, "type");
    uint64_t port;

    if (pcheck_attrs(c, n, ATTRS("type", "port")) || pempty(c, n) < 0)
        return;
    if (type && strcmp(type, "xen") != 0) {
        perr(c, n, "type", "is not supported: PV guests use the Xen console (type='xen')");
        return;
    }
    if (pattr(n, "port") && pattr_uint(c, n, "port", 65535, &port) == 0)
        con->port = (int)port;
}

static void parse_console(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"target", console_target, true},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, ATTRS("type")) || !preq(c, n, "type"))
        return;
    if (strcmp(pattr(n, "type"), "pty") != 0) {
        perr(c, n, "type", "is not supported: Lamina consoles are type='pty'");
        return;
    }
    struct domcfg_console *con = grow(c, n, (void **)&dom->consoles, &dom->nconsoles, sizeof(*con));
    if (!con)
        return;
    con->line = pline(n);
    con->port = -1; /* assigned by the defaults pass */
    pchildren(c, n, rules, con, &con->extras);
}

/* ---- controller, memballoon ---- */

static void parse_controller(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule no_rules[] = {{NULL, NULL, false}};
    struct domcfg_domain *dom = obj;
    const char *type = preq(c, n, "type");
    uint64_t v;

    if (!type)
        return;
    if (strcmp(type, "xenbus") != 0) {
        pkeep_extra(c, n, &dom->devices_extras);
        return;
    }
    if (dom->has_xenbus) {
        perr(c, n, NULL, "a domain has one xenbus controller");
        return;
    }
    if (pcheck_attrs(c, n, ATTRS("type", "index", "maxGrantFrames", "maxEventChannels")))
        return;
    if (pattr(n, "index") && strcmp(pattr(n, "index"), "0") != 0) {
        perr(c, n, "index", "must be 0: there is one xenbus");
        return;
    }
    dom->has_xenbus = true;
    dom->xenbus_line = pline(n);
    if (pattr(n, "maxGrantFrames") && pattr_uint(c, n, "maxGrantFrames", UINT32_MAX, &v) == 0)
        dom->max_grant_frames = (unsigned)v;
    if (pattr(n, "maxEventChannels") && pattr_uint(c, n, "maxEventChannels", UINT32_MAX, &v) == 0)
        dom->max_event_channels = (unsigned)v;
    pchildren(c, n, no_rules, obj, &dom->xenbus_extras);
}

static void parse_memballoon(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule no_rules[] = {{NULL, NULL, false}};
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, ATTRS("model")) || !preq(c, n, "model"))
        return;
    int model = pattr_enum(c, n, "model", domcfg_balloon_names);
    if (model < 0)
        return;
    dom->has_memballoon = true;
    dom->balloon = (enum domcfg_balloon_model)model;
    pchildren(c, n, no_rules, obj, &dom->balloon_extras);
}

void parse_devices(struct pctx *c, xmlNodePtr n, void *obj)
{
    static const struct child_rule rules[] = {
        {"disk", parse_disk, false},
        {"interface", parse_interface, false},
        {"console", parse_console, false},
        {"controller", parse_controller, false},
        {"memballoon", parse_memballoon, true},
        {NULL, NULL, false},
    };
    struct domcfg_domain *dom = obj;

    if (pcheck_attrs(c, n, NO_ATTRS))
        return;
    pchildren(c, n, rules, obj, &dom->devices_extras);
}
