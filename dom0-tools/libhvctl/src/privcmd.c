/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Linux dom0 backend: hypercalls through /dev/xen/privcmd's
 * IOCTL_PRIVCMD_HYPERCALL (include/uapi/xen/privcmd.h). The hypervisor reads
 * the request from our memory during the call, so the buffer is locked in
 * RAM while it runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvctl.h"
#include "backend.h"
#include "lamina/domctl.h"

struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

/* Every request hvctl makes is one struct lam_domctl behind arg[0]. */
#define REQUEST_BYTES sizeof(struct lam_domctl)

struct privcmd {
    int fd;
};

static long privcmd_hypercall(void *ctx, unsigned long op, const uint64_t args[5])
{
    struct privcmd *p = ctx;
    struct privcmd_hypercall hc = {.op = op, .arg = {args[0], args[1], args[2], args[3], args[4]}};
    void *buf = (void *)(uintptr_t)args[0];
    bool locked = buf && mlock(buf, REQUEST_BYTES) == 0;
    long rc = ioctl(p->fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
    int err = errno;
    if (locked)
        munlock(buf, REQUEST_BYTES);
    return rc < 0 ? -err : rc;
}

static void privcmd_close(void *ctx)
{
    struct privcmd *p = ctx;
    close(p->fd);
    free(p);
}

struct hvctl *hvctl_privcmd_open(void)
{
    struct privcmd *p = malloc(sizeof(*p));
    if (!p)
        return NULL;
    p->fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (p->fd < 0) {
        int err = errno;
        free(p);
        errno = err;
        return NULL;
    }
    struct hvctl *h = hvctl_open_with(privcmd_hypercall, p);
    if (!h) {
        privcmd_close(p);
        errno = ENOMEM;
        return NULL;
    }
    hvctl_set_closer(h, privcmd_close);
    return h;
}
