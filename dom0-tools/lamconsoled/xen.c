/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console daemon's devices: /dev/xen/gntdev maps a domain's console page through its
 * grant reference 0 (seeded for dom0 by the builder, as on Xen), /dev/xen/evtchn binds the
 * console port. Ioctl layouts are Linux's uapi xen/evtchn.h and xen/gntdev.h ('E', 'G').
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "consoled.h"
#include "xendev.h"
#include "lamina/grant_table.h"
#include "lamina/memory_layout.h"

static int evtchn = -1, gntdev = -1;

int xen_open(void)
{
    evtchn = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (evtchn < 0) {
        logmsg("/dev/xen/evtchn: %s (is the xen-evtchn module loaded?)", strerror(errno));
        return -1;
    }
    gntdev = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (gntdev < 0) {
        logmsg("/dev/xen/gntdev: %s (is the xen-gntdev module loaded?)", strerror(errno));
        return -1;
    }
    return 0;
}

int xen_evtchn_fd(void)
{
    return evtchn;
}

static void unmap(void *page, uint64_t index)
{
    if (page)
        munmap(page, LAM_PAGE_SIZE);
    struct gntdev_unmap u = {index, 1, 0};
    ioctl(gntdev, GNTDEV_UNMAP_GRANT_REF, &u);
}

int xen_attach(struct cdom *d, const char **why)
{
    struct gntdev_map m = {.count = 1, .refs = {{d->domid, LAM_GNTTAB_RESERVED_CONSOLE}}};
    if (ioctl(gntdev, GNTDEV_MAP_GRANT_REF, &m) < 0) {
        *why = "registering its grant reference 0 with gntdev";
        return errno;
    }
    void *page =
        mmap(NULL, LAM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gntdev, (off_t)m.index);
    if (page == MAP_FAILED) {
        int e = errno;
        unmap(NULL, m.index);
        *why = "mapping its grant reference 0 (not granted to dom0?)";
        return e;
    }
    struct evtchn_bind_interdomain b = {d->domid, d->port};
    int local = ioctl(evtchn, EVTCHN_BIND_INTERDOMAIN, &b);
    if (local < 0) {
        int e = errno;
        unmap(page, m.index);
        *why = "binding its console port";
        return e;
    }
    d->page = page;
    d->gnt_index = m.index;
    d->local_port = (uint32_t)local;
    return 0;
}

void xen_detach(struct cdom *d)
{
    if (!d->page)
        return;
    struct evtchn_port_arg p = {d->local_port};
    ioctl(evtchn, EVTCHN_UNBIND, &p);
    unmap(d->page, d->gnt_index);
    d->page = NULL;
}

void xen_notify(const struct cdom *d)
{
    struct evtchn_port_arg n = {d->local_port};
    ioctl(evtchn, EVTCHN_NOTIFY, &n);
}

void xen_unmask(uint32_t local_port)
{
    if (write(evtchn, &local_port, sizeof(local_port)) < 0)
        logmsg("unmasking port %u: %s", local_port, strerror(errno));
}
