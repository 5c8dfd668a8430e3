/* SPDX-License-Identifier: GPL-2.0-only */
/* libdomlife's helpers shared between its files. */
#ifndef DOMLIFE_INTERNAL_H
#define DOMLIFE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "domlife.h"

/* Store access by printf-formatted path, outside transactions. Values are strings. */
int st_read(struct life *l, char **value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Read into buf (truncated to size-1); ENOENT leaves buf "". */
int st_read_buf(struct life *l, char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int st_read_u64(struct life *l, uint64_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int st_write(struct life *l, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int st_rm(struct life *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A hypervisor result (0 or negative errno) as libdomlife's (0 or positive errno). */
static inline int hv_err(int rc)
{
    return rc < 0 ? -rc : rc;
}

/* The domain's UUID from /local/domain/N/vm ("/vm/UUID"); "" when absent. */
void dom_uuid(struct life *l, uint16_t domid, char uuid[37]);

#endif
