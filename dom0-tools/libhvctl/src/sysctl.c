/* SPDX-License-Identifier: GPL-2.0-only */
/* libhvctl: sysctl requests (Xen 4.17's interface 0x15, lamina/sysctl.h). */
#include "hvctl.h"
#include "backend.h"

#include <errno.h>
#include <string.h>

#include "lamina/hypercall-numbers.h"
#include "lamina/sysctl.h"

static int sysctl(struct hvctl *h, uint32_t cmd, struct lam_sysctl *op)
{
    op->cmd = cmd;
    op->interface_version = LAM_SYSCTL_INTERFACE_VERSION;
    const uint64_t args[5] = {(uint64_t)(uintptr_t)op, 0, 0, 0, 0};
    long rc = hvctl_call(h, LAM_HYPERCALL_SYSCTL, args);
    return rc < 0 ? (int)rc : 0;
}

int hvctl_read_console(struct hvctl *h, bool clear, bool incremental, uint32_t *index, char *buf,
                       uint32_t len, uint32_t *got)
{
    /* The hypervisor writes the buffer directly and cannot fault pages in: they must be
     * present and writable (not the shared zero page) before the call. */
    memset(buf, 0, len);
    struct lam_sysctl op;
    memset(&op, 0, sizeof(op));
    op.u.readconsole.clear = clear;
    op.u.readconsole.incremental = incremental;
    op.u.readconsole.index = *index;
    op.u.readconsole.buffer = (uint64_t)(uintptr_t)buf;
    op.u.readconsole.count = len;
    int rc = sysctl(h, LAM_SYSCTL_readconsole, &op);
    if (rc)
        return rc;
    if (op.u.readconsole.count > len)
        return -EIO; /* more than the buffer holds: not an answer to trust */
    *got = op.u.readconsole.count;
    *index = op.u.readconsole.index;
    return 0;
}
