/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct domcfg_domain -> normalised XML. Fixed element order (libvirt's), two-space indent,
 * single-quoted attributes, sizes in KiB. Elements kept from the input that we do not model
 * are written back at the end of the element they came from.
 */
#include "domcfg_internal.h"

#include <string.h>

static void indent(struct domcfg_strbuf *sb, int depth)
{
    static const char spaces[] = "                                ";
    domcfg_sb_addn(sb, spaces,
                   (size_t)(depth * 2) < sizeof(spaces) - 1 ? (size_t)depth * 2
                                                            : sizeof(spaces) - 1);
}

/* <tag>escaped text</tag> on its own line. */
static void text_element(struct domcfg_strbuf *sb, int depth, const char *tag, const char *text)
{
    indent(sb, depth);
    domcfg_sb_printf(sb, "<%s>", tag);
    domcfg_sb_escape(sb, text, false);
    domcfg_sb_printf(sb, "</%s>\n", tag);
}

static void attr(struct domcfg_strbuf *sb, const char *name, const char *value)
{
    domcfg_sb_printf(sb, " %s='", name);
    domcfg_sb_escape(sb, value, true);
    domcfg_sb_add(sb, "'");
}

/* Kept elements were serialized for their depth (parse_util.c): only the first line needs
 * its indent; re-indenting the rest could change mixed content. */
static void extras(struct domcfg_strbuf *sb, int depth, const struct domcfg_extras *ex)
{
    for (size_t i = 0; i < ex->count; i++) {
        indent(sb, depth);
        domcfg_sb_add(sb, ex->xml[i]);
        domcfg_sb_add(sb, "\n");
    }
}

static void format_cpu(struct domcfg_strbuf *sb, const struct domcfg_domain *dom)
{
    char set[4096];

    indent(sb, 1);
    domcfg_sb_add(sb, "<vcpu");
    attr(sb, "placement", domcfg_enum_name(domcfg_placement_names, dom->placement));
    if (dom->has_cpuset) {
        domcfg_cpuset_format(&dom->cpuset, set, sizeof(set));
        attr(sb, "cpuset", set);
    }
    if (dom->vcpus_current && dom->vcpus_current != dom->vcpus)
        domcfg_sb_printf(sb, " current='%u'", dom->vcpus_current);
    domcfg_sb_printf(sb, ">%u</vcpu>\n", dom->vcpus);

    if (!dom->has_cputune && dom->npins == 0)
        return;
    if (dom->npins == 0 && dom->cputune_extras.count == 0)
        return; /* an empty <cputune/> says nothing */
    indent(sb, 1);
    domcfg_sb_add(sb, "<cputune>\n");
    for (size_t i = 0; i < dom->npins; i++) {
        domcfg_cpuset_format(&dom->pins[i].cpuset, set, sizeof(set));
        indent(sb, 2);
        domcfg_sb_printf(sb, "<vcpupin vcpu='%u' cpuset='%s'/>\n", dom->pins[i].vcpu, set);
    }
    extras(sb, 2, &dom->cputune_extras);
    indent(sb, 1);
    domcfg_sb_add(sb, "</cputune>\n");
}

static void format_os(struct domcfg_strbuf *sb, const struct domcfg_domain *dom)
{
    indent(sb, 1);
    domcfg_sb_add(sb, "<os>\n");
    indent(sb, 2);
    domcfg_sb_printf(sb, "<type arch='x86_64'%s>%s</type>\n",
                     dom->has_machine ? " machine='xenpv'" : "",
                     domcfg_enum_name(domcfg_os_type_names, dom->os_type));
    if (dom->kernel)
        text_element(sb, 2, "kernel", dom->kernel);
    if (dom->initrd)
        text_element(sb, 2, "initrd", dom->initrd);
    if (dom->cmdline)
        text_element(sb, 2, "cmdline", dom->cmdline);
    extras(sb, 2, &dom->os_extras);
    indent(sb, 1);
    domcfg_sb_add(sb, "</os>\n");
}

static void format_clock(struct domcfg_strbuf *sb, const struct domcfg_domain *dom)
{
    if (!dom->has_clock)
        return;
    indent(sb, 1);
    domcfg_sb_add(sb, "<clock");
    attr(sb, "offset", domcfg_enum_name(domcfg_clock_names, dom->clock_offset));
    if (dom->clock_offset == DOMCFG_CLOCK_TIMEZONE && dom->clock_timezone)
        attr(sb, "timezone", dom->clock_timezone);
    if (dom->clock_offset == DOMCFG_CLOCK_VARIABLE) {
        domcfg_sb_printf(sb, " adjustment='%lld' basis='%s'", dom->clock_adjustment,
                         dom->clock_basis_localtime ? "localtime" : "utc");
    }
    if (dom->clock_extras.count == 0) {
        domcfg_sb_add(sb, "/>\n");
        return;
    }
    domcfg_sb_add(sb, ">\n");
    extras(sb, 2, &dom->clock_extras);
    indent(sb, 1);
    domcfg_sb_add(sb, "</clock>\n");
}

static void format_lifecycle(struct domcfg_strbuf *sb, const char *tag, enum domcfg_lifecycle a)
{
    if (a != DOMCFG_LIFECYCLE_UNSET)
        text_element(sb, 1, tag, domcfg_enum_name(domcfg_lifecycle_names, a));
}

static void backend(struct domcfg_strbuf *sb, const char *name)
{
    if (!name)
        return;
    indent(sb, 3);
    domcfg_sb_add(sb, "<backenddomain");
    attr(sb, "name", name);
    domcfg_sb_add(sb, "/>\n");
}

static void format_disk(struct domcfg_strbuf *sb, const struct domcfg_disk *d)
{
    indent(sb, 2);
    domcfg_sb_printf(sb, "<disk type='%s' device='%s'>\n",
                     domcfg_enum_name(domcfg_disk_type_names, d->type),
                     domcfg_enum_name(domcfg_disk_device_names, d->device));
    if (d->driver != DOMCFG_DRIVER_UNSET || d->format != DOMCFG_FORMAT_UNSET) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<driver");
        if (d->driver != DOMCFG_DRIVER_UNSET)
            attr(sb, "name", domcfg_enum_name(domcfg_driver_names, d->driver));
        if (d->format != DOMCFG_FORMAT_UNSET)
            attr(sb, "type", domcfg_enum_name(domcfg_format_names, d->format));
        domcfg_sb_add(sb, "/>\n");
    }
    if (d->source) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<source");
        attr(sb, d->type == DOMCFG_DISK_FILE ? "file" : "dev", d->source);
        domcfg_sb_add(sb, "/>\n");
    }
    indent(sb, 3);
    domcfg_sb_add(sb, "<target");
    attr(sb, "dev", d->target ? d->target : "");
    domcfg_sb_add(sb, " bus='xen'/>\n");
    if (d->readonly) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<readonly/>\n");
    }
    if (d->shareable) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<shareable/>\n");
    }
    backend(sb, d->backend);
    extras(sb, 3, &d->extras);
    indent(sb, 2);
    domcfg_sb_add(sb, "</disk>\n");
}

static void format_interface(struct domcfg_strbuf *sb, const struct domcfg_interface *n)
{
    char mac[18];

    indent(sb, 2);
    domcfg_sb_printf(sb, "<interface type='%s'>\n",
                     domcfg_enum_name(domcfg_net_type_names, n->type));
    if (n->has_mac) {
        domcfg_mac_format(n->mac, mac);
        indent(sb, 3);
        domcfg_sb_printf(sb, "<mac address='%s'/>\n", mac);
    }
    if (n->bridge) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<source");
        attr(sb, "bridge", n->bridge);
        domcfg_sb_add(sb, "/>\n");
    }
    if (n->vlan_tag >= 0) {
        indent(sb, 3);
        domcfg_sb_printf(sb, "<vlan>\n");
        indent(sb, 4);
        domcfg_sb_printf(sb, "<tag id='%d'/>\n", n->vlan_tag);
        indent(sb, 3);
        domcfg_sb_printf(sb, "</vlan>\n");
    }
    if (n->script) {
        indent(sb, 3);
        domcfg_sb_add(sb, "<script");
        attr(sb, "path", n->script);
        domcfg_sb_add(sb, "/>\n");
    }
    backend(sb, n->backend);
    extras(sb, 3, &n->extras);
    indent(sb, 2);
    domcfg_sb_add(sb, "</interface>\n");
}

static void format_devices(struct domcfg_strbuf *sb, const struct domcfg_domain *dom)
{
    indent(sb, 1);
    domcfg_sb_add(sb, "<devices>\n");
    for (size_t i = 0; i < dom->ndisks; i++)
        format_disk(sb, &dom->disks[i]);
    for (size_t i = 0; i < dom->nnics; i++)
        format_interface(sb, &dom->nics[i]);
    for (size_t i = 0; i < dom->nconsoles; i++) {
        const struct domcfg_console *con = &dom->consoles[i];
        indent(sb, 2);
        domcfg_sb_add(sb, "<console type='pty'>\n");
        indent(sb, 3);
        if (con->port >= 0)
            domcfg_sb_printf(sb, "<target type='xen' port='%d'/>\n", con->port);
        else
            domcfg_sb_add(sb, "<target type='xen'/>\n");
        extras(sb, 3, &con->extras);
        indent(sb, 2);
        domcfg_sb_add(sb, "</console>\n");
    }
    if (dom->has_xenbus) {
        indent(sb, 2);
        domcfg_sb_add(sb, "<controller type='xenbus' index='0'");
        if (dom->max_grant_frames)
            domcfg_sb_printf(sb, " maxGrantFrames='%u'", dom->max_grant_frames);
        if (dom->max_event_channels)
            domcfg_sb_printf(sb, " maxEventChannels='%u'", dom->max_event_channels);
        if (dom->xenbus_extras.count) {
            domcfg_sb_add(sb, ">\n");
            extras(sb, 3, &dom->xenbus_extras);
            indent(sb, 2);
            domcfg_sb_add(sb, "</controller>\n");
        } else {
            domcfg_sb_add(sb, "/>\n");
        }
    }
    if (dom->has_memballoon) {
        indent(sb, 2);
        domcfg_sb_printf(sb, "<memballoon model='%s'",
                         domcfg_enum_name(domcfg_balloon_names, dom->balloon));
        if (dom->balloon_extras.count) {
            domcfg_sb_add(sb, ">\n");
            extras(sb, 3, &dom->balloon_extras);
            indent(sb, 2);
            domcfg_sb_add(sb, "</memballoon>\n");
        } else {
            domcfg_sb_add(sb, "/>\n");
        }
    }
    extras(sb, 2, &dom->devices_extras);
    indent(sb, 1);
    domcfg_sb_add(sb, "</devices>\n");
}

char *domcfg_format_xml(const struct domcfg_domain *dom)
{
    struct domcfg_strbuf sb;
    char uuid[37];

    domcfg_sb_init(&sb);
    domcfg_sb_add(&sb, "<domain type='xen'>\n");
    text_element(&sb, 1, "name", dom->name ? dom->name : "");
    if (dom->has_uuid) {
        domcfg_uuid_format(dom->uuid, uuid);
        text_element(&sb, 1, "uuid", uuid);
    }
    if (dom->title)
        text_element(&sb, 1, "title", dom->title);
    if (dom->description)
        text_element(&sb, 1, "description", dom->description);
    indent(&sb, 1);
    domcfg_sb_printf(&sb, "<memory unit='KiB'>%llu</memory>\n",
                     (unsigned long long)dom->memory_kib);
    if (dom->current_memory_kib) {
        indent(&sb, 1);
        domcfg_sb_printf(&sb, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                         (unsigned long long)dom->current_memory_kib);
    }
    if (dom->vcpus)
        format_cpu(&sb, dom);
    format_os(&sb, dom);
    format_clock(&sb, dom);
    format_lifecycle(&sb, "on_poweroff", dom->on_poweroff);
    format_lifecycle(&sb, "on_reboot", dom->on_reboot);
    format_lifecycle(&sb, "on_crash", dom->on_crash);
    format_devices(&sb, dom);
    extras(&sb, 1, &dom->extras);
    domcfg_sb_add(&sb, "</domain>\n");
    return domcfg_sb_finish(&sb);
}
