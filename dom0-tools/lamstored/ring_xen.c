/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ring transport plumbing for a real dom0 (see ring_xen.h). Ioctl layouts
 * follow Linux's uapi xen/evtchn.h and xen/gntdev.h (types 'E' and 'G').
 * Dom0's local ring is exercised by the system test tests/system/dom0/store.sh
 * (dom0's own kernel xenbus through this daemon); the ring logic (ring.c) is
 * also tested on plain memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvctl.h"
#include "loop.h"
#include "ring.h"
#include "ring_xen.h"
#include "store.h"
#include "util.h"
#include "xendev.h"
#include "lamina/event_channel.h"
#include "lamina/grant_table.h" /* the store page's grant: LAM_GNTTAB_RESERVED_XENSTORE */
#include "lamina/memory_layout.h"

struct xring {
    struct xring *next;
    struct conn *c;
    struct xs_ring_page *page;
    uint32_t local_port;
    uint64_t gnt_index; /* ~0: not a grant mapping (dom0's local page) */
};

static int evtchn_fd = -1, gntdev_fd = -1;
static uint32_t dom_exc_port = ~0u;
static struct store *the_store;
static struct hvctl *hv;
static struct xring *rings;
static struct handler evtchn_handler;

static void xring_flush(struct conn *c);
static const struct conn_transport ring_transport = {
    .name = "ring",
    .wake = NULL,
    .flush = xring_flush,
};

static void xring_pump(struct xring *x)
{
    int r = ring_pump(x->page, x->c);
    if (r < 0) {
        /* A connection the core gave up (an oversized message) said why already. */
        if (x->c->dead)
            logmsg("dom%u: protocol violation, ignoring its ring", x->c->domid);
        else
            logmsg("dom%u: ring indices inconsistent, ignoring its ring", x->c->domid);
        x->c->dead = true;
        return;
    }
    if (r > 0) {
        struct evtchn_port_arg n = {x->local_port};
        ioctl(evtchn_fd, EVTCHN_NOTIFY, &n);
    }
}

static void xring_flush(struct conn *c)
{
    struct xring *x = c->tpriv;
    if (!c->dead)
        xring_pump(x);
}

static enum domain_liveness probe_domain(uint32_t domid, void *ctx)
{
    struct hvctl_dominfo info;
    int rc = hvctl_domain_info(ctx, (uint16_t)domid, &info);
    if (rc == -ESRCH || (!rc && info.dying))
        return DOMAIN_GONE;
    if (rc) {
        logmsg("dom%u: cannot ask the hypervisor about it: %s", domid, hvctl_strerror(rc));
        return DOMAIN_ALIVE;
    }
    return info.shutdown ? DOMAIN_SHUT_DOWN : DOMAIN_ALIVE;
}

static void evtchn_event(struct handler *h, uint32_t events)
{
    uint32_t ports[64];
    (void)events;
    ssize_t n = read(h->fd, ports, sizeof(ports));
    if (n > 0) /* re-enable the ports that fired */
        if (write(h->fd, ports, (size_t)n) < 0)
            logmsg("evtchn unmask failed: %s", strerror(errno));
    for (ssize_t i = 0; hv && i < n / (ssize_t)sizeof(ports[0]); i++)
        if (ports[i] == dom_exc_port) {
            domains_check_exits(the_store, probe_domain, hv);
            break;
        }
    for (struct xring *x = rings; x; x = x->next)
        if (!x->c->dead)
            xring_pump(x);
}

static int bind_port(uint32_t domid, uint32_t port, uint32_t *local)
{
    struct evtchn_bind_interdomain b = {domid, port};
    int r = ioctl(evtchn_fd, EVTCHN_BIND_INTERDOMAIN, &b);
    if (r < 0)
        return errno;
    *local = (uint32_t)r;
    return 0;
}

static struct xring *xring_add(struct store *st, uint32_t domid, struct xs_ring_page *page,
                               uint32_t local, uint64_t index)
{
    struct xring *x = xcalloc(1, sizeof(*x));
    x->page = page;
    x->local_port = local;
    x->gnt_index = index;
    x->c = conn_new(st, domid, domid == 0, false, &ring_transport, x);
    x->next = rings;
    rings = x;
    page->server_features |= XS_SERVER_FEATURE_RECONNECTION;
    return x;
}

static int ring_attach(struct store *st, struct domain *d)
{
    struct gntdev_map m = {.count = 1, .refs = {{d->domid, LAM_GNTTAB_RESERVED_XENSTORE}}};
    uint32_t local = 0;
    if (ioctl(gntdev_fd, GNTDEV_MAP_GRANT_REF, &m) < 0)
        return EINVAL;
    void *page =
        mmap(NULL, LAM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gntdev_fd, (off_t)m.index);
    if (page == MAP_FAILED) {
        struct gntdev_unmap u = {m.index, 1, 0};
        ioctl(gntdev_fd, GNTDEV_UNMAP_GRANT_REF, &u);
        return EINVAL;
    }
    int err = bind_port(d->domid, d->port, &local);
    if (err) {
        munmap(page, LAM_PAGE_SIZE);
        return EINVAL;
    }
    d->conn = xring_add(st, d->domid, page, local, m.index)->c;
    xring_pump(rings); /* requests written before the introduction */
    return 0;
}

static void ring_detach(struct store *st, struct domain *d)
{
    (void)st;
    for (struct xring **pp = &rings; *pp; pp = &(*pp)->next) {
        struct xring *x = *pp;
        if (x->c != d->conn)
            continue;
        struct evtchn_port_arg p = {x->local_port};
        ioctl(evtchn_fd, EVTCHN_UNBIND, &p);
        munmap(x->page, LAM_PAGE_SIZE);
        struct gntdev_unmap u = {x->gnt_index, 1, 0};
        ioctl(gntdev_fd, GNTDEV_UNMAP_GRANT_REF, &u);
        *pp = x->next;
        conn_free(x->c);
        d->conn = NULL;
        free(x);
        return;
    }
}

static const struct ring_ops xen_rings = {ring_attach, ring_detach};

/* The decimal event-channel port in /proc/xen/xsd_port. */
static int read_xsd_port(uint32_t *port)
{
    char buf[32];
    int pfd = open("/proc/xen/xsd_port", O_RDONLY | O_CLOEXEC);
    ssize_t n = pfd >= 0 ? read(pfd, buf, sizeof(buf) - 1) : -1;
    if (pfd >= 0)
        close(pfd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return parse_u32(buf, port) ? -1 : 0;
}

/* VIRQ_DOM_EXC plus domctl: introduced domains that die are released, shut-down ones
 * reported. Without either the daemon still works; RELEASE from the toolstack remains. */
static void watch_domain_exits(struct store *st)
{
    struct evtchn_bind_virq b = {LAM_VIRQ_DOM_EXC};
    int port = ioctl(evtchn_fd, EVTCHN_BIND_VIRQ, &b);
    if (port < 0) {
        logmsg("VIRQ_DOM_EXC: %s; dead domains are released only on RELEASE", strerror(errno));
        return;
    }
    hv = hvctl_open();
    if (!hv) {
        logmsg("/dev/xen/privcmd: %s; dead domains are released only on RELEASE", strerror(errno));
        return;
    }
    the_store = st;
    dom_exc_port = (uint32_t)port;
}

int ring_xen_start(struct store *st)
{
    uint32_t port, local = 0;
    if (access("/proc/xen/xsd_kva", F_OK) != 0)
        return 0; /* not dom0 on a hypervisor: sockets only */
    if (read_xsd_port(&port)) {
        logmsg("local ring: cannot read /proc/xen/xsd_port: %s", strerror(errno));
        return -1;
    }
    evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
    if (evtchn_fd < 0) {
        logmsg("local ring: /dev/xen/evtchn: %s", strerror(errno));
        return -1;
    }
    gntdev_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (gntdev_fd < 0)
        logmsg("/dev/xen/gntdev: %s; introduced domains will not be served", strerror(errno));
    int kfd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
    if (kfd < 0) {
        logmsg("local ring: /proc/xen/xsd_kva: %s", strerror(errno));
        return -1;
    }
    void *page = mmap(NULL, LAM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, kfd, 0);
    close(kfd);
    if (page == MAP_FAILED) {
        logmsg("local ring: mapping /proc/xen/xsd_kva: %s", strerror(errno));
        return -1;
    }
    int err = bind_port(0, port, &local);
    if (err) {
        logmsg("local ring: binding dom0's port %u: %s", port, strerror(err));
        munmap(page, LAM_PAGE_SIZE);
        return -1;
    }
    domain_get(st, 0)->conn = xring_add(st, 0, page, local, ~0ull)->c;
    if (gntdev_fd >= 0)
        st->rings = &xen_rings;
    watch_domain_exits(st);
    evtchn_handler.fd = evtchn_fd;
    evtchn_handler.fn = evtchn_event;
    if (loop_add(&evtchn_handler, EPOLLIN))
        return -1;
    logmsg("local ring: port %u bound as local port %u", port, local);
    /* The kernel's xenbus waits for a first event before it probes. */
    struct evtchn_port_arg nt = {local};
    if (ioctl(evtchn_fd, EVTCHN_NOTIFY, &nt) < 0)
        logmsg("local ring: notify on port %u: %s", local, strerror(errno));
    xring_pump(rings);
    return 0;
}
