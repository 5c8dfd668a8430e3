/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside libhvctl: where the core (hvctl.c) and the privcmd transport (privcmd.c) meet. */
#ifndef LAMINA_HVCTL_BACKEND_H
#define LAMINA_HVCTL_BACKEND_H

#include "hvctl.h"

/* privcmd.c: a handle whose hypercalls go through /dev/xen/privcmd (hvctl_open). */
struct hvctl *hvctl_privcmd_open(void);
/* hvctl.c: what hvctl_close() calls with the transport's context. */
void hvctl_set_closer(struct hvctl *h, void (*close)(void *ctx));

/* hvctl.c: one hypercall through the handle's transport (its result, negative errno). */
long hvctl_call(struct hvctl *h, unsigned long op, const uint64_t args[5]);

#endif
