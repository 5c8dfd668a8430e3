/* SPDX-License-Identifier: GPL-2.0-only */
/* Tearing a running domain down as Xen's toolstack does (toolstack.md §2.6). */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Another live domain whose /local/domain/M/vm names the same UUID (a rename-restart).
 * Asked after domid's own /local/domain/N is gone, so only others can match. */
static bool uuid_shared(struct life *l, uint16_t domid, const char *uuid)
{
    uint16_t other;
    if (life_find(l, uuid, &other) != 0)
        return false;
    return other != domid;
}

int life_destroy(struct life *l, uint16_t domid)
{
    if (domid == 0)
        return EINVAL;
    struct hvctl_dominfo d;
    int hv = hvctl_domain_info(l->hv, domid, &d);
    if (hv && hv != -ESRCH)
        return hv_err(hv);
    bool exists = hv == 0;
    /* Stop it first so it cannot rewrite its store directory while that is removed. */
    if (exists && !d.dying && !d.paused)
        hvctl_domain_pause(l->hv, domid);
    char uuid[37];
    dom_uuid(l, domid, uuid);
    int rc = 0;
    if (l->xs) {
        rc = st_rm(l, "/local/domain/%u", domid);
        if (!rc && uuid[0] && !uuid_shared(l, domid, uuid))
            rc = st_rm(l, "/vm/%s", uuid);
        if (!rc)
            rc = st_rm(l, "/lamina/domain/%u", domid);
    }
    if (!exists)
        return rc ? rc : ENOENT;
    hv = hvctl_domain_destroy(l->hv, domid);
    if (hv == -ESRCH) /* it went while we were at it */
        hv = 0;
    return hv ? hv_err(hv) : rc;
}
