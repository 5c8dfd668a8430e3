/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0's Xen devices: /dev/xen/gntdev maps a queue's ring pages (all of them with one
 * MAP_GRANT_REF and one mmap) and copies data (GRANT_COPY, batched); /dev/xen/evtchn binds
 * the frontends' ports. Ioctl layouts are Linux's uapi xen/gntdev.h and xen/evtchn.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "xendev.h"

int lb_xen_open(struct lb *lb)
{
    lb->evtchn = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (lb->evtchn < 0) {
        lb_log("/dev/xen/evtchn: %s (is xen-evtchn loaded?)", strerror(errno));
        return -1;
    }
    lb->gntdev = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (lb->gntdev < 0) {
        lb_log("/dev/xen/gntdev: %s (is xen-gntdev loaded?)", strerror(errno));
        return -1;
    }
    return 0;
}

void *lb_map_grants(struct lb *lb, unsigned domid, const uint32_t *refs, unsigned n,
                    uint64_t *index)
{
    struct gntdev_map *m = calloc(1, sizeof(*m) + (n ? n - 1 : 0) * sizeof(m->refs[0]));
    if (!m)
        return NULL;
    m->count = n;
    for (unsigned i = 0; i < n; i++)
        m->refs[i] = (struct gntdev_grant_ref){domid, refs[i]};
    void *mem = NULL;
    if (ioctl(lb->gntdev, GNTDEV_MAP_GRANT_REF, m) == 0) {
        *index = m->index;
        mem = mmap(NULL, (size_t)n * LB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, lb->gntdev,
                   (off_t)m->index);
        if (mem == MAP_FAILED) {
            int e = errno;
            struct gntdev_unmap u = {m->index, n, 0};
            ioctl(lb->gntdev, GNTDEV_UNMAP_GRANT_REF, &u);
            errno = e;
            mem = NULL;
        }
    }
    free(m);
    return mem;
}

void lb_unmap_grants(struct lb *lb, void *mem, unsigned n, uint64_t index)
{
    /* munmap is where the grants are really unmapped; then the slot range is released. */
    munmap(mem, (size_t)n * LB_PAGE_SIZE);
    struct gntdev_unmap u = {index, n, 0};
    ioctl(lb->gntdev, GNTDEV_UNMAP_GRANT_REF, &u);
}

int lb_grant_copy(struct lb *lb, unsigned domid, const struct lb_copy *c, unsigned n)
{
    struct gntdev_copy_seg segs[64];
    for (unsigned done = 0; done < n;) {
        unsigned k = n - done < 64 ? n - done : 64;
        for (unsigned i = 0; i < k; i++) {
            const struct lb_copy *x = &c[done + i];
            struct gntdev_copy_seg *s = &segs[i];
            memset(s, 0, sizeof(*s));
            if (x->offset + x->len > LB_PAGE_SIZE)
                return EINVAL;
            s->len = x->len;
            if (x->to_guest) {
                s->source.virt = x->local;
                s->dest.foreign.ref = x->gref;
                s->dest.foreign.offset = x->offset;
                s->dest.foreign.domid = (uint16_t)domid;
                s->flags = GNTCOPY_dest_gref;
            } else {
                s->dest.virt = x->local;
                s->source.foreign.ref = x->gref;
                s->source.foreign.offset = x->offset;
                s->source.foreign.domid = (uint16_t)domid;
                s->flags = GNTCOPY_source_gref;
            }
        }
        struct gntdev_copy gc = {k, segs};
        if (ioctl(lb->gntdev, GNTDEV_GRANT_COPY, &gc) < 0)
            return errno;
        for (unsigned i = 0; i < k; i++)
            if (segs[i].status != 0)
                return EIO;
        done += k;
    }
    return 0;
}

int lb_evtchn_bind(struct lb *lb, unsigned domid, uint32_t remote, uint32_t *local)
{
    struct evtchn_bind_interdomain b = {domid, remote};
    int rc = ioctl(lb->evtchn, EVTCHN_BIND_INTERDOMAIN, &b);
    if (rc < 0)
        return errno;
    *local = (uint32_t)rc;
    return 0;
}

void lb_evtchn_unbind(struct lb *lb, uint32_t local)
{
    struct evtchn_port_arg p = {local};
    ioctl(lb->evtchn, EVTCHN_UNBIND, &p);
}

void lb_evtchn_notify(struct lb *lb, uint32_t local)
{
    struct evtchn_port_arg p = {local};
    ioctl(lb->evtchn, EVTCHN_NOTIFY, &p);
}

void lb_evtchn_unmask(struct lb *lb, uint32_t local)
{
    if (write(lb->evtchn, &local, sizeof(local)) < 0)
        lb_log("unmasking port %u: %s", local, strerror(errno));
}
