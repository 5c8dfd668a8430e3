/* SPDX-License-Identifier: GPL-2.0-only */
/* The domain builder lam's lifecycle commands use (`start`, restarts by the monitor). */
#include "lam_life.h"

/* No builder linked yet: `start` says so and the monitor destroys instead of restarting. */
int (*const lam_builder)(struct life *l, const char *xml, uint16_t *domid) = NULL;
