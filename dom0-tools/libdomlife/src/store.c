/* SPDX-License-Identifier: GPL-2.0-only */
/* Store access by formatted path (see internal.h). */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 3072 /* the store's limit for absolute paths */

static int vpath(char *buf, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, PATH_MAX_LEN, fmt, ap);
    return n < 0 || n >= PATH_MAX_LEN ? ENAMETOOLONG : 0;
}

int st_read(struct life *l, char **value, const char *fmt, ...)
{
    char path[PATH_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    int rc = vpath(path, fmt, ap);
    va_end(ap);
    uint32_t len;
    *value = NULL;
    return rc ? rc : xsc_read(l->xs, XSC_NO_TX, path, value, &len);
}

int st_read_buf(struct life *l, char *buf, size_t size, const char *fmt, ...)
{
    char path[PATH_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    int rc = vpath(path, fmt, ap);
    va_end(ap);
    buf[0] = '\0';
    if (rc)
        return rc;
    char *v;
    uint32_t len;
    rc = xsc_read(l->xs, XSC_NO_TX, path, &v, &len);
    if (rc)
        return rc;
    snprintf(buf, size, "%s", v);
    free(v);
    return 0;
}

int st_read_u64(struct life *l, uint64_t *v, const char *fmt, ...)
{
    char path[PATH_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    int rc = vpath(path, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    char *s, *end;
    uint32_t len;
    rc = xsc_read(l->xs, XSC_NO_TX, path, &s, &len);
    if (rc)
        return rc;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    rc = (s[0] < '0' || s[0] > '9' || *end || errno) ? EINVAL : 0;
    free(s);
    if (!rc)
        *v = x;
    return rc;
}

int st_write(struct life *l, const char *value, const char *fmt, ...)
{
    char path[PATH_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    int rc = vpath(path, fmt, ap);
    va_end(ap);
    return rc ? rc : xsc_write(l->xs, XSC_NO_TX, path, value, (uint32_t)strlen(value));
}

int st_rm(struct life *l, const char *fmt, ...)
{
    char path[PATH_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    int rc = vpath(path, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = xsc_rm(l->xs, XSC_NO_TX, path);
    return rc == ENOENT ? 0 : rc;
}

void dom_uuid(struct life *l, uint16_t domid, char uuid[37])
{
    char vm[128];
    uuid[0] = '\0';
    if (st_read_buf(l, vm, sizeof(vm), "/local/domain/%u/vm", domid) == 0 &&
        strncmp(vm, "/vm/", 4) == 0 && strlen(vm + 4) == 36)
        memcpy(uuid, vm + 4, 37);
}
