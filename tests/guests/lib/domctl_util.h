/* SPDX-License-Identifier: GPL-2.0-only */
/* domctl from a test kernel: a request with the interface version filled in. */
#ifndef LAM_GUEST_DOMCTL_UTIL_H
#define LAM_GUEST_DOMCTL_UTIL_H

#include <lamina/domctl.h>

#include "lam.h"

/* Clear *op, fill in cmd, the interface version and the domain, and make the call. */
static inline long lam_domctl(struct lam_domctl *op, uint32_t cmd, uint16_t dom)
{
    memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return hypercall_domctl(op);
}

#endif
