/* SPDX-License-Identifier: GPL-2.0-only */
/* Permission checks and the permission string format (see perms.h). */
#include <errno.h>
#include <stdio.h>

#include "perms.h"
#include "store.h"
#include "util.h"

unsigned perm_for(const struct conn *c, const struct perm *p, uint32_t n)
{
    unsigned mask = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    struct domain *d = domain_find(c->st, c->domid);
    uint32_t target = d ? d->target : DOMID_NONE;
    unsigned got;

    if (c->readonly)
        mask &= ~(unsigned)XS_PERM_WRITE;
    if (c->privileged || p[0].domid == c->domid || (target != DOMID_NONE && p[0].domid == target))
        return mask;
    got = p[0].bits;
    for (uint32_t i = 1; i < n; i++) {
        if (p[i].domid == c->domid || (target != DOMID_NONE && p[i].domid == target)) {
            got = p[i].bits;
            break;
        }
    }
    return got & mask;
}

int perm_parse(const char *s, struct perm *out)
{
    switch (s[0]) {
    case 'n':
        out->bits = XS_PERM_NONE;
        break;
    case 'r':
        out->bits = XS_PERM_READ;
        break;
    case 'w':
        out->bits = XS_PERM_WRITE;
        break;
    case 'b':
        out->bits = XS_PERM_BOTH;
        break;
    default:
        return EINVAL;
    }
    if (parse_u32(s + 1, &out->domid) || out->domid > 0xffff)
        return EINVAL;
    return 0;
}

uint32_t perms_format(const struct perm *p, uint32_t n, char *buf, uint32_t cap)
{
    static const char letters[4] = {'n', 'r', 'w', 'b'};
    uint32_t len = 0;
    for (uint32_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, cap - len, "%c%u", letters[p[i].bits & 3], p[i].domid);
        if (w < 0 || (uint32_t)w + 1 > cap - len)
            return 0;
        len += (uint32_t)w + 1; /* keep the NUL */
    }
    return len;
}
