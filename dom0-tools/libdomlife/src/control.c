/* SPDX-License-Identifier: GPL-2.0-only */
/* Asking a running guest to do something, through the store nodes its drivers watch. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* What xl adds to a domain's memory ceiling over its balloon target (LIBXL_MAXMEM_CONSTANT). */
#define SLACK_KIB 1024

static int must_exist(struct life *l, uint16_t domid, struct hvctl_dominfo *d)
{
    int rc = hvctl_domain_info(l->hv, domid, d);
    if (rc == -ESRCH || (!rc && d->dying))
        return ENOENT;
    return hv_err(rc);
}

int life_request_shutdown(struct life *l, uint16_t domid, const char *what)
{
    struct hvctl_dominfo d;
    int rc = must_exist(l, domid, &d);
    if (rc)
        return rc;
    if (domid == 0)
        return EINVAL;
    return st_write(l, what, "/local/domain/%u/control/shutdown", domid);
}

int life_sysrq(struct life *l, uint16_t domid, char key)
{
    struct hvctl_dominfo d;
    int rc = must_exist(l, domid, &d);
    if (rc)
        return rc;
    if (domid == 0 || key <= ' ' || key > '~')
        return EINVAL;
    const char v[2] = {key, '\0'};
    return st_write(l, v, "/local/domain/%u/control/sysrq", domid);
}

int life_mem_set(struct life *l, uint16_t domid, uint64_t kib)
{
    struct hvctl_dominfo d;
    int rc = must_exist(l, domid, &d);
    if (rc)
        return rc;
    uint64_t max;
    if (st_read_u64(l, &max, "/local/domain/%u/memory/static-max", domid))
        max = d.max_pages * 4;
    if (kib < 1024 || kib > max)
        return ERANGE;
    rc = hv_err(hvctl_domain_set_max_mem(l->hv, domid, kib + SLACK_KIB));
    char v[32];
    snprintf(v, sizeof(v), "%" PRIu64, kib);
    if (!rc)
        rc = st_write(l, v, "/local/domain/%u/memory/target", domid);
    char uuid[37];
    dom_uuid(l, domid, uuid);
    if (!rc && uuid[0]) {
        snprintf(v, sizeof(v), "%" PRIu64, kib >> 10);
        rc = st_write(l, v, "/vm/%s/memory", uuid);
    }
    return rc;
}

int life_mem_max(struct life *l, uint16_t domid, uint64_t kib)
{
    struct hvctl_dominfo d;
    int rc = must_exist(l, domid, &d);
    if (rc)
        return rc;
    uint64_t target;
    if (st_read_u64(l, &target, "/local/domain/%u/memory/target", domid) == 0 && kib < target)
        return ERANGE;
    if (kib < 1024)
        return ERANGE;
    rc = hv_err(hvctl_domain_set_max_mem(l->hv, domid, kib + SLACK_KIB));
    char v[32];
    snprintf(v, sizeof(v), "%" PRIu64, kib);
    return rc ? rc : st_write(l, v, "/local/domain/%u/memory/static-max", domid);
}

static int set_availability(struct life *l, uint16_t domid, unsigned int k, const char *want)
{
    char have[16];
    if (st_read_buf(l, have, sizeof(have), "/local/domain/%u/cpu/%u/availability", domid, k) == 0 &&
        strcmp(have, want) == 0)
        return 0;
    return st_write(l, want, "/local/domain/%u/cpu/%u/availability", domid, k);
}

int life_vcpu_set(struct life *l, uint16_t domid, unsigned int n)
{
    struct hvctl_dominfo d;
    int rc = must_exist(l, domid, &d);
    if (rc)
        return rc;
    unsigned int max = d.max_vcpu_id == ~0u ? 0 : d.max_vcpu_id + 1;
    if (n == 0 || n > max)
        return ERANGE;
    /* Offline the highest first and online the lowest first, as a guest handles them;
     * nodes already as wanted are left alone (each write wakes the guest's watch). */
    for (unsigned int k = max; k-- > 0 && !rc;)
        if (k >= n)
            rc = set_availability(l, domid, k, "offline");
    for (unsigned int k = 0; k < n && !rc; k++)
        rc = set_availability(l, domid, k, "online");
    return rc;
}
