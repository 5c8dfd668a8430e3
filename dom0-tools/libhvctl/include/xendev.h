/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioctls of Linux's /dev/xen/evtchn and /dev/xen/gntdev that dom0's daemons use
 * (lamstored, lamconsoled, the backends' libbackend). Numbers and layouts are Linux's uapi
 * xen/evtchn.h (type 'E') and xen/gntdev.h (type 'G'), the same under Lamina and Xen.
 */
#ifndef LAMINA_XENDEV_H
#define LAMINA_XENDEV_H

#include <stdint.h>
#include <sys/ioctl.h>

/* ---- /dev/xen/evtchn: a local port per bind; read() returns ports that fired ---- */
struct evtchn_bind_virq {
    uint32_t virq;
};
struct evtchn_bind_interdomain {
    uint32_t remote_domain, remote_port;
};
struct evtchn_port_arg {
    uint32_t port;
};
#define EVTCHN_BIND_VIRQ        _IOC(_IOC_NONE, 'E', 0, sizeof(struct evtchn_bind_virq))
#define EVTCHN_BIND_INTERDOMAIN _IOC(_IOC_NONE, 'E', 1, sizeof(struct evtchn_bind_interdomain))
#define EVTCHN_UNBIND           _IOC(_IOC_NONE, 'E', 3, sizeof(struct evtchn_port_arg))
#define EVTCHN_NOTIFY           _IOC(_IOC_NONE, 'E', 4, sizeof(struct evtchn_port_arg))

/* ---- /dev/xen/gntdev: map other domains' grants, copy to and from them ---- */
struct gntdev_grant_ref {
    uint32_t domid, ref;
};
/* MAP_GRANT_REF: count references, the first here and the rest after it (allocate
 * sizeof(struct gntdev_map) + (count - 1) * sizeof(struct gntdev_grant_ref)); the answer is
 * index, the mmap offset of the pages. */
struct gntdev_map {
    uint32_t count, pad;
    uint64_t index;
    struct gntdev_grant_ref refs[1];
};
struct gntdev_unmap {
    uint64_t index;
    uint32_t count, pad;
};
/* GRANT_COPY: segments between a local buffer and a grant (or two grants). */
struct gntdev_copy_seg {
    union {
        void *virt;
        struct {
            uint32_t ref;
            uint16_t offset, domid;
        } foreign;
    } source, dest;
    uint16_t len, flags; /* flags: GNTCOPY_source_gref, GNTCOPY_dest_gref */
    int16_t status;      /* the hypervisor's GNTST_* for this segment */
};
struct gntdev_copy {
    uint32_t count;
    struct gntdev_copy_seg *segments;
};
_Static_assert(sizeof(struct gntdev_map) == 24, "gntdev map argument with one reference");
_Static_assert(sizeof(struct gntdev_copy_seg) == 24, "gntdev copy segment is 24 bytes");
#define GNTDEV_MAP_GRANT_REF   _IOC(_IOC_NONE, 'G', 0, sizeof(struct gntdev_map))
#define GNTDEV_UNMAP_GRANT_REF _IOC(_IOC_NONE, 'G', 1, sizeof(struct gntdev_unmap))
#define GNTDEV_GRANT_COPY      _IOC(_IOC_NONE, 'G', 8, sizeof(struct gntdev_copy))
#define GNTCOPY_source_gref    1
#define GNTCOPY_dest_gref      2

#endif
