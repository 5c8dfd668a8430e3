/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libhvctl (see lam_hv.h). */
#include "lam_hv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamina/types.h"

struct hvctl *lam_hv_open(const struct lam_args *args)
{
    struct hvctl *h = hvctl_open();
    if (!h)
        lam_fail(args, "cannot reach the hypervisor",
                 "/dev/xen/privcmd: %s (lam manages running domains from dom0, with the privcmd "
                 "module loaded)",
                 strerror(errno));
    return h;
}

int lam_parse_domid(const struct lam_args *args, const char *s, uint16_t *out)
{
    if (strcmp(s, "Domain-0") == 0) {
        *out = 0;
        return LAM_EXIT_OK;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v >= LAM_DOMID_FIRST_RESERVED)
        return lam_usage_error(args->cmd,
                               "'%s' is not a running domain's id (a number from `lam list`)", s);
    *out = (uint16_t)v;
    return LAM_EXIT_OK;
}

int lam_fail_hv(const struct lam_args *args, const char *what, uint16_t domid, int rc)
{
    return lam_fail(args, what, "domain %u: %s", domid, hvctl_strerror(rc));
}

void lam_running_name(uint16_t domid, char *buf, unsigned int len)
{
    if (domid == 0)
        snprintf(buf, len, "Domain-0");
    else
        snprintf(buf, len, "d%u", domid);
}

int lam_open_domain(const struct lam_args *args, uint16_t *id, struct hvctl **h)
{
    int rc = lam_parse_domid(args, args->argv[0], id);
    if (rc != LAM_EXIT_OK)
        return rc;
    *h = lam_hv_open(args);
    return *h ? LAM_EXIT_OK : LAM_EXIT_FAILURE;
}

int lam_run_domain_op(const struct lam_args *args, int (*op)(struct hvctl *h, uint16_t domid),
                      const char *failed, const char *done)
{
    uint16_t id;
    struct hvctl *h;
    int rc = lam_open_domain(args, &id, &h);
    if (rc != LAM_EXIT_OK)
        return rc;
    int hv = op(h, id);
    hvctl_close(h);
    if (hv)
        return lam_fail_hv(args, failed, id, hv);
    printf("Domain %u %s\n", id, done);
    return LAM_EXIT_OK;
}

int lam_parse_cpus(const struct lam_args *args, const char *s, uint64_t *mask)
{
    if (strcmp(s, "all") == 0) {
        *mask = ~0ull;
        return LAM_EXIT_OK;
    }
    uint64_t m = 0;
    const char *p = s;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9')
            break;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-') {
            if (end[1] < '0' || end[1] > '9')
                break;
            b = strtoul(end + 1, &end, 10);
        }
        if (a > b || b > 63)
            break;
        for (unsigned long c = a; c <= b; c++)
            m |= 1ull << c;
        if (*end == '\0') {
            *mask = m;
            return LAM_EXIT_OK;
        }
        if (*end != ',')
            break;
        p = end + 1;
    }
    return lam_usage_error(args->cmd,
                           "'%s' is not a set of CPUs (\"all\", or e.g. 0,2-3; CPUs 0-63)", s);
}
