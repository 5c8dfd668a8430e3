/* SPDX-License-Identifier: GPL-2.0-only */
/* Which defined domains start when dom0 boots: as libvirt does, a link
 * <state-dir>/autostart/NAME.xml -> ../domains/NAME.xml beside the definition. */
#ifndef LAM_AUTOSTART_H
#define LAM_AUTOSTART_H

#include <stdbool.h>

#include "lam.h"

bool lam_autostart_get(const struct lam_args *args, const char *name);
/* 0 or an errno. */
int lam_autostart_set(const struct lam_args *args, const char *name, bool on);

#endif
