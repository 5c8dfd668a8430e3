/* SPDX-License-Identifier: GPL-2.0-only */
/* Path validation and resolution (see paths.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "paths.h"
#include "store.h"

static bool valid_chars(const char *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        char ch = p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '/' || ch == '_' || ch == '@'))
            return false;
    }
    return true;
}

uint32_t path_domain_home(uint32_t domid, char *buf)
{
    return (uint32_t)snprintf(buf, 32, "/local/domain/%u", domid);
}

/* Bytes of p past "/local/domain/<digits>/" (all of p when not below one). */
static uint32_t len_below_home(const char *p, uint32_t len)
{
    static const char pre[] = "/local/domain/";
    uint32_t i = sizeof(pre) - 1;
    if (len <= i || memcmp(p, pre, i) != 0)
        return len;
    uint32_t digits = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9' && digits < 5) {
        i++;
        digits++;
    }
    if (!digits || i >= len || p[i] != '/')
        return len;
    return len - i - 1;
}

int path_resolve(const struct conn *c, const char *in, bool allow_special, char *out,
                 uint32_t *outlen, bool *relative)
{
    size_t inlen = strnlen(in, XS_ABS_PATH_MAX + 1);
    uint32_t len = 0;

    *relative = false;
    if (inlen == 0 || inlen > XS_ABS_PATH_MAX)
        return EINVAL;
    if (in[0] == '@') {
        if (!allow_special || !valid_chars(in, (uint32_t)inlen))
            return EINVAL;
        memcpy(out, in, inlen + 1);
        *outlen = (uint32_t)inlen;
        return 0;
    }
    if (in[0] != '/') {
        if (inlen > XS_REL_PATH_MAX)
            return EINVAL;
        len = path_domain_home(c->domid, out);
        out[len++] = '/';
        *relative = true;
    }
    if (len + inlen > XS_ABS_PATH_MAX)
        return EINVAL;
    memcpy(out + len, in, inlen + 1);
    len += (uint32_t)inlen;

    if (!valid_chars(out, len) || strstr(out, "//"))
        return EINVAL;
    if (len > 1 && out[len - 1] == '/')
        return EINVAL;
    if (!c->privileged && len_below_home(out, len) > c->st->q.v[Q_PATH]) {
        domain_quota_hit(c->st, c->domid, Q_PATH);
        return EINVAL;
    }
    *outlen = len;
    return 0;
}

bool path_is_below(const char *child, uint32_t clen, const char *parent, uint32_t plen)
{
    if (plen == 1 && parent[0] == '/')
        return child[0] == '/';
    if (clen < plen || memcmp(child, parent, plen) != 0)
        return false;
    return clen == plen || child[plen] == '/';
}

uint32_t path_parent_len(const char *p, uint32_t len)
{
    while (len > 0 && p[len - 1] != '/')
        len--;
    return len > 1 ? len - 1 : 1;
}
