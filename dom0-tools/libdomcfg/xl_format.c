/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct domcfg_domain -> xl.cfg. Writes the keys xl_parse.c reads, in a fixed order; what
 * xl.cfg cannot say (titles, VLAN tags, kept libvirt elements, sizes that are not whole MiB)
 * is reported as a warning naming the setting, so a conversion never loses data silently.
 */
#include "domcfg_internal.h"

#include <stdlib.h>
#include <string.h>

static void xl_string(struct domcfg_strbuf *sb, const char *s)
{
    domcfg_sb_add(sb, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            domcfg_sb_add(sb, "\\");
        if (*s == '\n')
            domcfg_sb_add(sb, "\\n");
        else
            domcfg_sb_addn(sb, s, 1);
    }
    domcfg_sb_add(sb, "\"");
}

static void key_string(struct domcfg_strbuf *sb, const char *key, const char *value)
{
    domcfg_sb_printf(sb, "%s = ", key);
    xl_string(sb, value);
    domcfg_sb_add(sb, "\n");
}

static void lost(const struct domcfg_domain *dom, struct domcfg_diags *diags, const char *what)
{
    domcfg_diag_at(diags, DOMCFG_WARNING, dom->source, 0,
                   "%s has no xl.cfg equivalent; not converted", what);
}

static uint64_t mib_up(const struct domcfg_domain *dom, struct domcfg_diags *diags,
                       const char *what, uint64_t kib)
{
    if (kib % 1024)
        domcfg_diag_at(diags, DOMCFG_WARNING, dom->source, 0,
                       "%s of %llu KiB is not a whole number of MiB; rounded up for xl.cfg", what,
                       (unsigned long long)kib);
    return (kib + 1023) / 1024;
}

static void format_cpus(struct domcfg_strbuf *sb, const struct domcfg_domain *dom,
                        struct domcfg_diags *diags)
{
    char set[4096];

    if (dom->npins == 0) {
        if (dom->has_cpuset) {
            domcfg_cpuset_format(&dom->cpuset, set, sizeof(set));
            key_string(sb, "cpus", set);
        }
        return;
    }
    if (dom->has_cpuset)
        lost(dom, diags, "<vcpu cpuset> together with <vcpupin>");
    unsigned top = 0;
    for (size_t i = 0; i < dom->npins; i++)
        top = dom->pins[i].vcpu + 1 > top ? dom->pins[i].vcpu + 1 : top;
    domcfg_sb_add(sb, "cpus = [ ");
    for (unsigned v = 0; v < top; v++) {
        const char *item = "all";
        for (size_t i = 0; i < dom->npins; i++) {
            if (dom->pins[i].vcpu == v) {
                domcfg_cpuset_format(&dom->pins[i].cpuset, set, sizeof(set));
                item = set;
            }
        }
        domcfg_sb_add(sb, v ? ", " : "");
        xl_string(sb, item);
    }
    domcfg_sb_add(sb, " ]\n");
}

static void format_disk(struct domcfg_strbuf *sb, const struct domcfg_disk *d)
{
    static const char *const backendtype[] = {
        [DOMCFG_DRIVER_PHY] = "phy",  [DOMCFG_DRIVER_QEMU] = "qdisk",   [DOMCFG_DRIVER_TAP] = "tap",
        [DOMCFG_DRIVER_TAP2] = "tap", [DOMCFG_DRIVER_LAMINA] = "qdisk", /* xl has no such name: the
                                                                           nearest user-space one */
    };
    struct domcfg_strbuf spec;

    domcfg_sb_init(&spec);
    domcfg_sb_printf(
        &spec, "format=%s, vdev=%s, access=%s",
        domcfg_enum_name(domcfg_format_names, d->format ? d->format : DOMCFG_FORMAT_RAW), d->target,
        d->shareable  ? "w!"
        : d->readonly ? "ro"
                      : "rw");
    if (d->device == DOMCFG_DEVICE_CDROM)
        domcfg_sb_add(&spec, ", devtype=cdrom");
    if (d->driver != DOMCFG_DRIVER_UNSET && d->driver != DOMCFG_DRIVER_FILE)
        domcfg_sb_printf(&spec, ", backendtype=%s", backendtype[d->driver]);
    else if (d->type == DOMCFG_DISK_BLOCK && d->source && strncmp(d->source, "/dev/", 5) != 0)
        domcfg_sb_add(&spec, ", backendtype=phy");
    if (d->backend)
        domcfg_sb_printf(&spec, ", backend=%s", d->backend);
    /* target= must come last: it takes the rest of the spec, commas included. */
    domcfg_sb_printf(&spec, ", target=%s", d->source ? d->source : "");
    char *text = domcfg_sb_finish(&spec);
    if (!text) {
        sb->oom = true;
        return;
    }
    domcfg_sb_add(sb, "    ");
    xl_string(sb, text);
    domcfg_sb_add(sb, ",\n");
    free(text);
}

static void format_vif(struct domcfg_strbuf *sb, const struct domcfg_domain *dom,
                       const struct domcfg_interface *n, struct domcfg_diags *diags)
{
    struct domcfg_strbuf spec;
    char mac[18];

    domcfg_sb_init(&spec);
    domcfg_mac_format(n->mac, mac);
    domcfg_sb_printf(&spec, "mac=%s", mac);
    if (n->bridge)
        domcfg_sb_printf(&spec, ", bridge=%s", n->bridge);
    if (n->script)
        domcfg_sb_printf(&spec, ", script=%s", n->script);
    else if (n->type == DOMCFG_NET_ETHERNET)
        domcfg_sb_add(&spec, ", script=vif-route"); /* without it xl would bridge to xenbr0 */
    if (n->backend)
        domcfg_sb_printf(&spec, ", backend=%s", n->backend);
    if (n->vlan_tag >= 0)
        lost(dom, diags, "<vlan><tag> of an interface");
    if (n->extras.count)
        lost(dom, diags, "an element kept inside <interface>");
    char *text = domcfg_sb_finish(&spec);
    if (!text) {
        sb->oom = true;
        return;
    }
    domcfg_sb_add(sb, "    ");
    xl_string(sb, text);
    domcfg_sb_add(sb, ",\n");
    free(text);
}

static void report_lost(const struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    if (dom->title)
        lost(dom, diags, "<title>");
    if (dom->description)
        lost(dom, diags, "<description>");
    if (dom->clock_offset == DOMCFG_CLOCK_TIMEZONE)
        lost(dom, diags, "<clock offset='timezone'>");
    if (dom->has_memballoon && dom->balloon == DOMCFG_BALLOON_NONE)
        lost(dom, diags, "<memballoon model='none'>");
    for (size_t i = 0; i < dom->nconsoles; i++) {
        if (dom->consoles[i].port != 0)
            lost(dom, diags, "a console other than port 0");
    }
    size_t kept = dom->extras.count + dom->devices_extras.count + dom->os_extras.count +
                  dom->clock_extras.count + dom->cputune_extras.count;
    for (size_t i = 0; i < dom->ndisks; i++)
        kept += dom->disks[i].extras.count;
    if (kept)
        lost(dom, diags, "an element Lamina keeps but does not model");
}

char *domcfg_format_xl(const struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    struct domcfg_strbuf sb;
    char uuid[37];

    domcfg_sb_init(&sb);
    domcfg_sb_add(&sb, "# xl.cfg written by Lamina's lam convert\n");
    key_string(&sb, "name", dom->name ? dom->name : "");
    if (dom->has_uuid) {
        domcfg_uuid_format(dom->uuid, uuid);
        key_string(&sb, "uuid", uuid);
    }
    key_string(&sb, "type", "pv");
    uint64_t max = mib_up(dom, diags, "<memory>", dom->memory_kib);
    uint64_t cur = dom->current_memory_kib
                       ? mib_up(dom, diags, "<currentMemory>", dom->current_memory_kib)
                       : max;
    domcfg_sb_printf(&sb, "memory = %llu\n", (unsigned long long)cur);
    if (max != cur)
        domcfg_sb_printf(&sb, "maxmem = %llu\n", (unsigned long long)max);
    unsigned vcpus = dom->vcpus ? dom->vcpus : 1;
    if (dom->vcpus_current && dom->vcpus_current != vcpus)
        domcfg_sb_printf(&sb, "vcpus = %u\nmaxvcpus = %u\n", dom->vcpus_current, vcpus);
    else
        domcfg_sb_printf(&sb, "vcpus = %u\n", vcpus);
    format_cpus(&sb, dom, diags);
    if (dom->kernel)
        key_string(&sb, "kernel", dom->kernel);
    if (dom->initrd)
        key_string(&sb, "ramdisk", dom->initrd);
    if (dom->cmdline)
        key_string(&sb, "cmdline", dom->cmdline);
    if (dom->on_poweroff)
        key_string(&sb, "on_poweroff", domcfg_enum_name(domcfg_lifecycle_names, dom->on_poweroff));
    if (dom->on_reboot)
        key_string(&sb, "on_reboot", domcfg_enum_name(domcfg_lifecycle_names, dom->on_reboot));
    if (dom->on_crash)
        key_string(&sb, "on_crash", domcfg_enum_name(domcfg_lifecycle_names, dom->on_crash));
    bool local = dom->clock_offset == DOMCFG_CLOCK_LOCALTIME ||
                 (dom->clock_offset == DOMCFG_CLOCK_VARIABLE && dom->clock_basis_localtime);
    if (local)
        domcfg_sb_add(&sb, "localtime = 1\n");
    if (dom->clock_offset == DOMCFG_CLOCK_VARIABLE)
        domcfg_sb_printf(&sb, "rtc_timeoffset = %lld\n", dom->clock_adjustment);
    if (dom->max_grant_frames)
        domcfg_sb_printf(&sb, "max_grant_frames = %u\n", dom->max_grant_frames);
    if (dom->max_event_channels)
        domcfg_sb_printf(&sb, "max_event_channels = %u\n", dom->max_event_channels);
    if (dom->ndisks) {
        domcfg_sb_add(&sb, "disk = [\n");
        for (size_t i = 0; i < dom->ndisks; i++)
            format_disk(&sb, &dom->disks[i]);
        domcfg_sb_add(&sb, "]\n");
    }
    if (dom->nnics) {
        domcfg_sb_add(&sb, "vif = [\n");
        for (size_t i = 0; i < dom->nnics; i++)
            format_vif(&sb, dom, &dom->nics[i], diags);
        domcfg_sb_add(&sb, "]\n");
    }
    report_lost(dom, diags);
    return domcfg_sb_finish(&sb);
}
