/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl.cfg -> struct domcfg_domain: the meaning of xl's keys (xl.cfg(5), xl-disk-configuration,
 * xl-network-configuration) for the PV subset that maps onto our domain XML. Keys with no
 * equivalent are reported as warnings, never dropped silently; HVM and PVH guests are refused.
 */
#include "xl_syntax.h"

#include <stdlib.h>
#include <string.h>

struct xctx {
    const char *source;
    struct domcfg_diags *diags;
    struct domcfg_domain *dom;
    int line;
    int errors;
};

static void xerr(struct xctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xwarn(struct xctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xerr(struct xctx *x, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    domcfg_diag_at(x->diags, DOMCFG_ERROR, x->source, x->line, "%s", msg);
    x->errors++;
}

static void xwarn(struct xctx *x, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    domcfg_diag_at(x->diags, DOMCFG_WARNING, x->source, x->line, "%s", msg);
}

static char *xdup(struct xctx *x, const char *s)
{
    char *d = strdup(s);
    if (!d)
        xerr(x, "out of memory");
    return d;
}

static const char *scalar(struct xctx *x, const struct xl_setting *s)
{
    if (s->value.is_list) {
        xerr(x, "%s: expected a single value, not a list", s->key);
        return NULL;
    }
    return s->value.text;
}

static int number(struct xctx *x, const struct xl_setting *s, uint64_t max, uint64_t *out)
{
    const char *v = scalar(x, s);
    if (!v)
        return -1;
    if (domcfg_parse_u64(v, out) < 0 || *out > max) {
        xerr(x, "%s = %s: expected a number from 0 to %llu", s->key, v, (unsigned long long)max);
        return -1;
    }
    return 0;
}

static void set_lifecycle(struct xctx *x, const struct xl_setting *s, enum domcfg_lifecycle *out,
                          bool crash)
{
    const char *v = scalar(x, s);
    if (!v)
        return;
    int a = domcfg_enum_parse(domcfg_lifecycle_names, v);
    if (a < 0 || (!crash && a >= DOMCFG_LIFECYCLE_COREDUMP_DESTROY)) {
        xerr(x, "%s = \"%s\": expected destroy, restart, preserve, rename-restart%s", s->key, v,
             crash ? ", coredump-destroy or coredump-restart" : "");
        return;
    }
    *out = (enum domcfg_lifecycle)a;
}

/* cpus = "0-3" applies to every vCPU; cpus = ["2", "3"] pins vCPU i to item i. */
static void set_cpus(struct xctx *x, const struct xl_setting *s)
{
    struct domcfg_domain *dom = x->dom;
    const char *why;

    if (!s->value.is_list) {
        if (strcmp(s->value.text, "all") == 0)
            return;
        if (domcfg_cpuset_parse(s->value.text, &dom->cpuset, &why) < 0) {
            xerr(x, "cpus = \"%s\": %s", s->value.text, why);
            return;
        }
        dom->has_cpuset = true;
        return;
    }
    for (size_t i = 0; i < s->value.count; i++) {
        if (strcmp(s->value.items[i], "all") == 0)
            continue;
        struct domcfg_vcpupin pin = {.vcpu = (unsigned)i};
        if (domcfg_cpuset_parse(s->value.items[i], &pin.cpuset, &why) < 0) {
            xerr(x, "cpus item %zu \"%s\": %s", i, s->value.items[i], why);
            return;
        }
        struct domcfg_vcpupin *grown = realloc(dom->pins, (dom->npins + 1) * sizeof(*grown));
        if (!grown) {
            xerr(x, "out of memory");
            return;
        }
        dom->pins = grown;
        dom->pins[dom->npins++] = pin;
        dom->has_cputune = true;
    }
}

/* Split "a, b=c, d" at commas, trimming blanks; "target=" takes the rest of the spec. */
static size_t next_item(const char **p, char *buf, size_t len)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strncmp(s, "target=", 7) == 0 ? strlen(s) : strcspn(s, ",");
    const char *end = s + n;
    *p = *end ? end + 1 : end;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

/* "tap:qcow2:/path", "phy:/dev/x", "raw:/path": the legacy prefixes of a disk target. */
static const char *disk_prefixes(struct xctx *x, struct domcfg_disk *d, const char *target)
{
    for (;;) {
        const char *colon = strchr(target, ':');
        if (!colon || colon == target || target[0] == '/')
            return target;
        size_t n = (size_t)(colon - target);
        char word[16];
        if (n >= sizeof(word))
            return target;
        memcpy(word, target, n);
        word[n] = '\0';
        int f = domcfg_enum_parse(domcfg_format_names, word);
        if (strcmp(word, "phy") == 0) {
            d->type = DOMCFG_DISK_BLOCK;
            d->driver = DOMCFG_DRIVER_PHY;
        } else if (strcmp(word, "file") == 0) {
            /* xl's plain file: the backend is the toolstack's choice, as with no prefix */
        } else if (strcmp(word, "tap") == 0 || strcmp(word, "tap2") == 0) {
            d->driver = word[3] ? DOMCFG_DRIVER_TAP2 : DOMCFG_DRIVER_TAP;
        } else if (strcmp(word, "aio") == 0) {
            d->format = DOMCFG_FORMAT_RAW;
        } else if (f >= 0) {
            d->format = (enum domcfg_disk_format)f;
        } else {
            xerr(x,
                 "disk target prefix '%s:' is not known: expected phy:, file:, tap:, "
                 "raw:, qcow:, qcow2: or vhd:",
                 word);
            return NULL;
        }
        target = colon + 1;
    }
}

static int disk_access(struct xctx *x, struct domcfg_disk *d, const char *v)
{
    if (!strcmp(v, "r") || !strcmp(v, "ro")) {
        d->readonly = true;
    } else if (!strcmp(v, "w!") || !strcmp(v, "rw!")) {
        d->shareable = true;
    } else if (strcmp(v, "w") != 0 && strcmp(v, "rw") != 0) {
        xerr(x, "disk access '%s': expected ro, rw or w!", v);
        return -1;
    }
    return 0;
}

static int disk_vdev(struct xctx *x, struct domcfg_disk *d, const char *v)
{
    char dev[32];
    if (strlen(v) >= sizeof(dev)) {
        xerr(x, "disk vdev '%.40s...' is too long for a Xen PV disk name", v);
        return -1;
    }
    snprintf(dev, sizeof(dev), "%s", v);
    char *suffix = strchr(dev, ':');
    if (suffix) {
        if (strcmp(suffix, ":cdrom") != 0) {
            xerr(x, "disk vdev '%s': only ':cdrom' may follow the device name", v);
            return -1;
        }
        *suffix = '\0';
        d->device = DOMCFG_DEVICE_CDROM;
    }
    if (!domcfg_disk_target_ok(dev)) {
        xerr(x, "disk vdev '%s' is not a Xen PV disk: expected xvd and letters, like xvda", dev);
        return -1;
    }
    free(d->target);
    d->target = xdup(x, dev);
    return d->target ? 0 : -1;
}

static int disk_key(struct xctx *x, struct domcfg_disk *d, const char *key, const char *v)
{
    if (!*v && strcmp(key, "target") != 0) {
        xwarn(x, "disk key '%s' is empty; ignored", key);
        return 0;
    }
    if (!strcmp(key, "target")) {
        const char *path = disk_prefixes(x, d, v);
        if (!path)
            return -1;
        free(d->source);
        d->source = *path ? xdup(x, path) : NULL;
    } else if (!strcmp(key, "vdev")) {
        return disk_vdev(x, d, v);
    } else if (!strcmp(key, "access")) {
        return disk_access(x, d, v);
    } else if (!strcmp(key, "format")) {
        int f = domcfg_enum_parse(domcfg_format_names, v);
        if (f < 0) {
            xerr(x, "disk format '%s': expected raw, qcow, qcow2 or vhd", v);
            return -1;
        }
        d->format = (enum domcfg_disk_format)f;
    } else if (!strcmp(key, "devtype")) {
        if (strcmp(v, "cdrom") && strcmp(v, "disk")) {
            xerr(x, "disk devtype '%s': expected disk or cdrom", v);
            return -1;
        }
        d->device = strcmp(v, "cdrom") == 0 ? DOMCFG_DEVICE_CDROM : DOMCFG_DEVICE_DISK;
    } else if (!strcmp(key, "backendtype")) {
        if (!strcmp(v, "phy")) {
            d->driver = DOMCFG_DRIVER_PHY;
        } else if (!strcmp(v, "qdisk")) {
            d->driver = DOMCFG_DRIVER_QEMU;
        } else if (!strcmp(v, "tap")) {
            d->driver = DOMCFG_DRIVER_TAP;
        } else {
            xerr(x, "disk backendtype '%s': expected phy, qdisk or tap", v);
            return -1;
        }
    } else if (!strcmp(key, "backend")) {
        if (!domcfg_name_ok(v)) {
            xerr(x, "disk backend '%s' is not a domain name", v);
            return -1;
        }
        free(d->backend);
        d->backend = xdup(x, v);
    } else {
        xwarn(x, "disk key '%s' has no equivalent in domain XML; ignored", key);
    }
    return 0;
}

static void add_disk(struct xctx *x, const char *spec)
{
    struct domcfg_domain *dom = x->dom;
    struct domcfg_disk d = {.line = 0};
    char item[4096];
    int positional = 0;
    const char *p = spec;

    while (*p) {
        next_item(&p, item, sizeof(item));
        char *eq = strchr(item, '=');
        int rc;
        if (eq) {
            *eq = '\0';
            rc = disk_key(x, &d, item, eq + 1);
        } else {
            static const char *const order[] = {"target", "vdev", "access"};
            if (positional >= 3) {
                xerr(x, "disk '%s': too many positional items", spec);
                rc = -1;
            } else {
                rc = disk_key(x, &d, order[positional++], item);
            }
        }
        if (rc < 0)
            goto fail;
    }
    if (!d.target) {
        xerr(x, "disk '%s' has no vdev: expected e.g. 'vdev=xvda'", spec);
        goto fail;
    }
    /* phy: means a block device; otherwise a path under /dev is one too. */
    if (d.driver == DOMCFG_DRIVER_PHY || (d.source && strncmp(d.source, "/dev/", 5) == 0))
        d.type = DOMCFG_DISK_BLOCK;
    struct domcfg_disk *grown = realloc(dom->disks, (dom->ndisks + 1) * sizeof(*grown));
    if (!grown) {
        xerr(x, "out of memory");
        goto fail;
    }
    dom->disks = grown;
    dom->disks[dom->ndisks++] = d;
    return;
fail:
    free(d.source);
    free(d.target);
    free(d.backend);
}

static int vif_key(struct xctx *x, struct domcfg_interface *n, const char *key, const char *v,
                   bool *script_routed)
{
    if (!*v) {
        xwarn(x, "vif key '%s' is empty; ignored", key);
        return 0;
    }
    if (!strcmp(key, "mac")) {
        if (domcfg_mac_parse(v, n->mac) < 0) {
            xerr(x, "vif mac '%s': expected six hex bytes like 00:16:3e:12:34:56", v);
            return -1;
        }
        n->has_mac = true;
    } else if (!strcmp(key, "bridge")) {
        free(n->bridge);
        n->bridge = xdup(x, v);
    } else if (!strcmp(key, "script")) {
        free(n->script);
        n->script = xdup(x, v);
        *script_routed = strstr(v, "vif-bridge") == NULL;
    } else if (!strcmp(key, "backend")) {
        if (!domcfg_name_ok(v)) {
            xerr(x, "vif backend '%s' is not a domain name", v);
            return -1;
        }
        free(n->backend);
        n->backend = xdup(x, v);
    } else if (!strcmp(key, "type") && !strcmp(v, "vif")) {
        /* the PV default */
    } else {
        xwarn(x, "vif key '%s' has no equivalent in domain XML; ignored", key);
    }
    return 0;
}

static void add_vif(struct xctx *x, const char *spec)
{
    struct domcfg_domain *dom = x->dom;
    struct domcfg_interface n = {.vlan_tag = -1};
    bool script_routed = false;
    char item[4096];
    const char *p = spec;

    while (*p) {
        if (next_item(&p, item, sizeof(item)) == 0)
            continue;
        char *eq = strchr(item, '=');
        if (!eq) {
            xerr(x, "vif item '%s': expected key=value", item);
            goto fail;
        }
        *eq = '\0';
        if (vif_key(x, &n, item, eq + 1, &script_routed) < 0)
            goto fail;
    }
    /* xl's default is to bridge to xenbr0, unless a routing script is named instead. */
    if (!n.bridge && script_routed) {
        n.type = DOMCFG_NET_ETHERNET;
    } else if (!n.bridge) {
        n.bridge = xdup(x, "xenbr0");
    }
    struct domcfg_interface *grown = realloc(dom->nics, (dom->nnics + 1) * sizeof(*grown));
    if (!grown) {
        xerr(x, "out of memory");
        goto fail;
    }
    dom->nics = grown;
    dom->nics[dom->nnics++] = n;
    return;
fail:
    free(n.bridge);
    free(n.script);
    free(n.backend);
}

static void each_item(struct xctx *x, const struct xl_setting *s,
                      void (*fn)(struct xctx *, const char *))
{
    if (!s->value.is_list) {
        fn(x, s->value.text);
        return;
    }
    for (size_t i = 0; i < s->value.count; i++)
        fn(x, s->value.items[i]);
}

static void refuse_type(struct xctx *x, const struct xl_setting *s, const char *pv_value)
{
    const char *v = scalar(x, s);
    if (v && strcmp(v, pv_value) != 0 && strcmp(v, "linux") != 0)
        xerr(x,
             "%s = \"%s\" is not a PV guest: Lamina runs only paravirtualized guests "
             "(type = \"pv\")",
             s->key, v);
}

struct mem_keys {
    uint64_t memory, maxmem, vcpus, maxvcpus;
    const char *root, *extra;
    bool localtime, has_offset;
    long long rtc_offset;
};

static void apply(struct xctx *x, const struct xl_setting *s, struct mem_keys *m)
{
    struct domcfg_domain *dom = x->dom;
    const char *k = s->key;
    uint64_t v;

    x->line = s->line;
    if (!strcmp(k, "name")) {
        const char *name = scalar(x, s);
        if (name && !domcfg_name_ok(name))
            xerr(x, "name \"%s\": use 1 to %d letters, digits and '_.+:-'", name, DOMCFG_NAME_MAX);
        else if (name)
            dom->name = xdup(x, name);
    } else if (!strcmp(k, "uuid")) {
        const char *u = scalar(x, s);
        if (u && domcfg_uuid_parse(u, dom->uuid) < 0)
            xerr(x, "uuid \"%s\" is not a UUID", u);
        else if (u)
            dom->has_uuid = true;
    } else if (!strcmp(k, "type")) {
        refuse_type(x, s, "pv");
    } else if (!strcmp(k, "builder")) {
        refuse_type(x, s, "generic");
    } else if (!strcmp(k, "memory")) {
        number(x, s, UINT64_MAX >> 20, &m->memory);
    } else if (!strcmp(k, "maxmem")) {
        number(x, s, UINT64_MAX >> 20, &m->maxmem);
    } else if (!strcmp(k, "vcpus")) {
        number(x, s, 4096, &m->vcpus);
    } else if (!strcmp(k, "maxvcpus")) {
        number(x, s, 4096, &m->maxvcpus);
    } else if (!strcmp(k, "cpus")) {
        set_cpus(x, s);
    } else if (!strcmp(k, "kernel") || !strcmp(k, "ramdisk") || !strcmp(k, "cmdline")) {
        const char *val = scalar(x, s);
        char **dst = k[0] == 'k' ? &dom->kernel : k[0] == 'r' ? &dom->initrd : &dom->cmdline;
        if (val && !*val && dst != &dom->cmdline) {
            xwarn(x, "%s is empty; ignored", k);
        } else if (val) {
            free(*dst);
            *dst = xdup(x, val);
        }
    } else if (!strcmp(k, "root")) {
        m->root = scalar(x, s);
    } else if (!strcmp(k, "extra")) {
        m->extra = scalar(x, s);
    } else if (!strcmp(k, "on_poweroff")) {
        set_lifecycle(x, s, &dom->on_poweroff, false);
    } else if (!strcmp(k, "on_reboot")) {
        set_lifecycle(x, s, &dom->on_reboot, false);
    } else if (!strcmp(k, "on_crash")) {
        set_lifecycle(x, s, &dom->on_crash, true);
    } else if (!strcmp(k, "localtime")) {
        if (number(x, s, 1, &v) == 0)
            m->localtime = v == 1;
    } else if (!strcmp(k, "rtc_timeoffset")) {
        const char *val = scalar(x, s);
        char *end;
        if (val) {
            m->rtc_offset = strtoll(val, &end, 10);
            if (end == val || *end || m->rtc_offset < -(1LL << 40) || m->rtc_offset > (1LL << 40))
                xerr(x, "rtc_timeoffset = %s: expected seconds", val);
            m->has_offset = true;
        }
    } else if (!strcmp(k, "max_grant_frames")) {
        if (number(x, s, UINT32_MAX, &v) == 0) {
            dom->max_grant_frames = (unsigned)v;
            dom->has_xenbus = true;
        }
    } else if (!strcmp(k, "max_event_channels")) {
        if (number(x, s, UINT32_MAX, &v) == 0) {
            dom->max_event_channels = (unsigned)v;
            dom->has_xenbus = true;
        }
    } else if (!strcmp(k, "disk")) {
        each_item(x, s, add_disk);
    } else if (!strcmp(k, "vif")) {
        each_item(x, s, add_vif);
    } else if (!strcmp(k, "bootloader")) {
        xerr(x, "bootloader is not supported: Lamina boots PV guests directly; set kernel=");
    } else {
        xwarn(x, "'%s' has no equivalent in domain XML; ignored", k);
    }
}

static void finish(struct xctx *x, struct mem_keys *m)
{
    struct domcfg_domain *dom = x->dom;

    x->line = 0;
    uint64_t max = m->maxmem ? m->maxmem : m->memory;
    dom->memory_kib = max << 10;
    dom->current_memory_kib = m->memory << 10;
    if (!m->memory)
        xerr(x, "memory is not set: expected e.g. memory = 512 (MiB)");
    dom->vcpus = (unsigned)(m->maxvcpus ? m->maxvcpus : m->vcpus ? m->vcpus : 1);
    if (m->maxvcpus && m->vcpus && m->vcpus != m->maxvcpus)
        dom->vcpus_current = (unsigned)m->vcpus;
    if (!dom->cmdline && (m->root || m->extra)) {
        /* xl's legacy spelling: "root=<root> <extra>" */
        size_t len = (m->root ? strlen(m->root) + 6 : 0) + (m->extra ? strlen(m->extra) : 0) + 1;
        dom->cmdline = malloc(len);
        if (dom->cmdline)
            snprintf(dom->cmdline, len, "%s%s%s%s", m->root ? "root=" : "", m->root ? m->root : "",
                     m->root && m->extra ? " " : "", m->extra ? m->extra : "");
    }
    dom->has_clock = true;
    dom->clock_offset = m->localtime ? DOMCFG_CLOCK_LOCALTIME : DOMCFG_CLOCK_UTC;
    if (m->has_offset) {
        dom->clock_offset = DOMCFG_CLOCK_VARIABLE;
        dom->clock_adjustment = m->rtc_offset;
        dom->clock_basis_localtime = m->localtime;
    }
    if (!dom->name)
        xerr(x, "name is not set: every domain needs one");
}

struct domcfg_domain *domcfg_parse_xl(const char *buf, size_t len, const char *source,
                                      struct domcfg_diags *diags)
{
    struct xl_file file;
    struct domcfg_domain *dom = calloc(1, sizeof(*dom));

    if (!dom || !(dom->source = strdup(source ? source : "-"))) {
        free(dom);
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", source ? source : "-");
        return NULL;
    }
    if (xl_syntax_parse(buf, len, dom->source, &file, diags) < 0) {
        domcfg_domain_free(dom);
        return NULL;
    }
    struct xctx x = {dom->source, diags, dom, 0, 0};
    struct mem_keys m = {0};
    for (size_t i = 0; i < file.count; i++)
        apply(&x, &file.settings[i], &m);
    finish(&x, &m);
    xl_syntax_free(&file);
    if (x.errors) {
        domcfg_domain_free(dom);
        return NULL;
    }
    return dom;
}
