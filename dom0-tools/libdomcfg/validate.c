/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The validate pass (libvirt's domain_validate): rules that relate values to each other, which
 * the schema cannot express. Runs after the defaults pass, so it sees the domain as it will be
 * used. Every message names the file, line and element, and what was expected.
 */
#include "domcfg_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Xen's limits for a PV guest (grant table frames, FIFO event channel ABI). */
#define XEN_MAX_GRANT_FRAMES   4096u
#define XEN_MAX_EVENT_CHANNELS 131072u
#define MIN_MEMORY_KIB         (4u * 1024)

struct vctx {
    const struct domcfg_domain *dom;
    struct domcfg_diags *diags;
    int errors;
};

static void verr(struct vctx *v, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verr(struct vctx *v, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    domcfg_diag_at(v->diags, DOMCFG_ERROR, v->dom->source, line, "%s", msg);
    v->errors++;
}

static bool looks_like_uuid(const char *s)
{
    uint8_t u[16];
    return domcfg_uuid_parse(s, u) == 0;
}

static void check_identity(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    if (!dom->name)
        verr(v, 0, "<domain> has no <name>: every domain needs one");
    else if (looks_like_uuid(dom->name))
        verr(v, dom->name_line,
             "<name> '%s' looks like a UUID: commands could not tell the two apart", dom->name);
    else if (strcmp(dom->name, "Domain-0") == 0 || strcmp(dom->name, "dom0") == 0)
        verr(v, dom->name_line, "<name> '%s' is reserved for the control domain", dom->name);
}

static void check_memory(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    if (dom->memory_kib < MIN_MEMORY_KIB)
        verr(v, dom->memory_line,
             "<memory> of %llu KiB is too small: a PV guest needs at least %u KiB",
             (unsigned long long)dom->memory_kib, MIN_MEMORY_KIB);
    if (dom->current_memory_kib > dom->memory_kib)
        verr(v, dom->current_memory_line,
             "<currentMemory> of %llu KiB exceeds <memory> of %llu KiB",
             (unsigned long long)dom->current_memory_kib, (unsigned long long)dom->memory_kib);
    if (dom->has_memballoon && dom->balloon == DOMCFG_BALLOON_NONE &&
        dom->current_memory_kib < dom->memory_kib)
        verr(v, dom->current_memory_line,
             "<currentMemory> below <memory> needs the balloon driver, but <memballoon "
             "model='none'>");
}

static void check_vcpus(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    if (dom->vcpus > DOMCFG_MAX_VCPUS)
        verr(v, dom->vcpu_line, "<vcpu> of %u exceeds the limit of %u vCPUs for a PV guest",
             dom->vcpus, DOMCFG_MAX_VCPUS);
    if (dom->vcpus_current > dom->vcpus)
        verr(v, dom->vcpu_line, "<vcpu current='%u'> exceeds the maximum of %u", dom->vcpus_current,
             dom->vcpus);
    for (size_t i = 0; i < dom->npins; i++) {
        const struct domcfg_vcpupin *p = &dom->pins[i];
        if (p->vcpu >= dom->vcpus)
            verr(v, p->line, "<vcpupin vcpu='%u'> names a vCPU the domain does not have (0-%u)",
                 p->vcpu, dom->vcpus - 1);
        for (size_t j = 0; j < i; j++) {
            if (dom->pins[j].vcpu == p->vcpu)
                verr(v, p->line,
                     "<vcpupin vcpu='%u'> pins vCPU %u a second time (first at line %d)", p->vcpu,
                     p->vcpu, dom->pins[j].line);
        }
    }
}

static void check_os(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    if (!dom->kernel)
        verr(v, dom->os_line,
             "<os> has no <kernel>: Lamina boots PV guests from a kernel image "
             "(<kernel>/path/to/vmlinuz</kernel>)");
}

static void check_disks(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const struct domcfg_disk *d = &dom->disks[i];
        if (!d->target)
            continue; /* reported by the parser */
        if (!d->source && d->device == DOMCFG_DEVICE_DISK)
            verr(v, d->line, "<disk> '%s' has no <source>: only a cdrom may be empty", d->target);
        for (size_t j = 0; j < i; j++) {
            if (dom->disks[j].target && strcmp(dom->disks[j].target, d->target) == 0)
                verr(v, d->line,
                     "<target dev='%s'> is already used by the disk at line %d: targets must be "
                     "unique",
                     d->target, dom->disks[j].line);
        }
    }
}

static void check_nics(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;
    char mac[18];

    for (size_t i = 0; i < dom->nnics; i++) {
        const struct domcfg_interface *n = &dom->nics[i];
        domcfg_mac_format(n->mac, mac);
        if (n->type == DOMCFG_NET_BRIDGE && !n->bridge)
            verr(v, n->line, "<interface type='bridge'> has no <source bridge='...'/>");
        if (n->type == DOMCFG_NET_ETHERNET && n->bridge)
            verr(v, n->line,
                 "<interface type='ethernet'> takes no bridge: use type='bridge' for <source "
                 "bridge='%s'/>",
                 n->bridge);
        if (n->vlan_tag == 0 || n->vlan_tag >= 4095)
            verr(v, n->line, "<tag id='%d'> is not a usable VLAN: expected 1 to 4094", n->vlan_tag);
        if (n->has_mac && (n->mac[0] & 1))
            verr(v, n->line,
                 "<mac address='%s'> is a multicast address: the first byte must be even", mac);
        static const uint8_t zero[6];
        if (n->has_mac && memcmp(n->mac, zero, 6) == 0)
            verr(v, n->line, "<mac address='%s'> is all zeros", mac);
        for (size_t j = 0; j < i; j++) {
            if (n->has_mac && dom->nics[j].has_mac && memcmp(dom->nics[j].mac, n->mac, 6) == 0)
                verr(v, n->line, "<mac address='%s'> is already used by the interface at line %d",
                     mac, dom->nics[j].line);
        }
    }
}

static void check_consoles(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    for (size_t i = 0; i < dom->nconsoles; i++) {
        for (size_t j = 0; j < i; j++) {
            if (dom->consoles[i].port == dom->consoles[j].port)
                verr(v, dom->consoles[i].line,
                     "<target port='%d'> is already used by the console at line %d",
                     dom->consoles[i].port, dom->consoles[j].line);
        }
    }
}

static void check_xenbus(struct vctx *v)
{
    const struct domcfg_domain *dom = v->dom;

    if (dom->max_grant_frames > XEN_MAX_GRANT_FRAMES)
        verr(v, dom->xenbus_line, "<controller maxGrantFrames='%u'> exceeds Xen's limit of %u",
             dom->max_grant_frames, XEN_MAX_GRANT_FRAMES);
    if (dom->has_xenbus && dom->max_grant_frames == 0 && dom->max_event_channels == 0)
        return;
    if (dom->max_event_channels > XEN_MAX_EVENT_CHANNELS)
        verr(v, dom->xenbus_line, "<controller maxEventChannels='%u'> exceeds Xen's limit of %u",
             dom->max_event_channels, XEN_MAX_EVENT_CHANNELS);
}

int domcfg_validate(const struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    struct vctx v = {dom, diags, 0};

    check_identity(&v);
    check_memory(&v);
    check_vcpus(&v);
    check_os(&v);
    check_disks(&v);
    check_nics(&v);
    check_consoles(&v);
    check_xenbus(&v);
    return v.errors;
}
