/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The defaults pass (libvirt's post-parse): make every implicit choice explicit, so that the
 * normalised XML says exactly what the toolstack will do and a definition stored today means
 * the same thing after Lamina's defaults change.
 */
#include "domcfg_internal.h"

#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

static int make_uuid(uint8_t uuid[16])
{
    if (domcfg_random_is_default()) {
        uuid_generate_random(uuid);
        return 0;
    }
    /* A test's deterministic source, shaped into a version 4 UUID like libuuid's. */
    if (domcfg_random_bytes(uuid, 16) < 0)
        return -1;
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
    return 0;
}

static bool mac_in_use(const struct domcfg_domain *dom, const uint8_t mac[6])
{
    for (size_t i = 0; i < dom->nnics; i++) {
        if (dom->nics[i].has_mac && memcmp(dom->nics[i].mac, mac, 6) == 0)
            return true;
    }
    return false;
}

/* Xen's OUI 00:16:3e with random low bytes; the top bit of the fourth byte stays clear, as
 * xl does, leaving that half of the space to addresses chosen by hand. */
static int make_mac(const struct domcfg_domain *dom, uint8_t mac[6])
{
    for (int attempt = 0; attempt < 64; attempt++) {
        uint8_t r[3];
        if (domcfg_random_bytes(r, sizeof(r)) < 0)
            return -1;
        uint8_t cand[6] = {0x00, 0x16, 0x3e, (uint8_t)(r[0] & 0x7f), r[1], r[2]};
        if (!mac_in_use(dom, cand)) {
            memcpy(mac, cand, 6);
            return 0;
        }
    }
    return -1;
}

static int add_default_console(struct domcfg_domain *dom)
{
    dom->consoles = calloc(1, sizeof(*dom->consoles));
    if (!dom->consoles)
        return -1;
    dom->nconsoles = 1;
    dom->consoles[0].port = 0;
    return 0;
}

/* Unnumbered consoles take the lowest free ports, in document order. */
static void number_consoles(struct domcfg_domain *dom)
{
    for (size_t i = 0; i < dom->nconsoles; i++) {
        if (dom->consoles[i].port >= 0)
            continue;
        for (int port = 0;; port++) {
            bool used = false;
            for (size_t j = 0; j < dom->nconsoles; j++)
                used = used || dom->consoles[j].port == port;
            if (!used) {
                dom->consoles[i].port = port;
                break;
            }
        }
    }
}

int domcfg_fill_defaults(struct domcfg_domain *dom, struct domcfg_diags *diags)
{
    if (!dom->has_uuid) {
        if (make_uuid(dom->uuid) < 0) {
            domcfg_diag_at(diags, DOMCFG_ERROR, dom->source, 0,
                           "cannot generate a UUID: no random bytes available");
            return -1;
        }
        dom->has_uuid = true;
    }
    if (dom->current_memory_kib == 0)
        dom->current_memory_kib = dom->memory_kib;
    if (dom->vcpus == 0)
        dom->vcpus = 1;
    dom->has_machine = true;
    if (dom->on_poweroff == DOMCFG_LIFECYCLE_UNSET)
        dom->on_poweroff = DOMCFG_LIFECYCLE_DESTROY;
    if (dom->on_reboot == DOMCFG_LIFECYCLE_UNSET)
        dom->on_reboot = DOMCFG_LIFECYCLE_RESTART;
    if (dom->on_crash == DOMCFG_LIFECYCLE_UNSET)
        dom->on_crash = DOMCFG_LIFECYCLE_DESTROY;
    if (!dom->has_clock) {
        dom->has_clock = true;
        dom->clock_offset = DOMCFG_CLOCK_UTC;
    }
    for (size_t i = 0; i < dom->ndisks; i++) {
        struct domcfg_disk *d = &dom->disks[i];
        if (d->format == DOMCFG_FORMAT_UNSET)
            d->format = DOMCFG_FORMAT_RAW;
        if (d->device == DOMCFG_DEVICE_CDROM)
            d->readonly = true; /* a PV cdrom is read-only whatever the XML says */
    }
    for (size_t i = 0; i < dom->nnics; i++) {
        if (dom->nics[i].has_mac)
            continue;
        if (make_mac(dom, dom->nics[i].mac) < 0) {
            domcfg_diag_at(diags, DOMCFG_ERROR, dom->source, dom->nics[i].line,
                           "<interface> cannot generate a MAC address: no random bytes");
            return -1;
        }
        dom->nics[i].has_mac = true;
    }
    if (dom->nconsoles == 0 && add_default_console(dom) < 0) {
        domcfg_diag_at(diags, DOMCFG_ERROR, dom->source, 0, "out of memory");
        return -1;
    }
    number_consoles(dom);
    if (!dom->has_memballoon) {
        dom->has_memballoon = true;
        dom->balloon = DOMCFG_BALLOON_XEN;
    }
    return 0;
}
