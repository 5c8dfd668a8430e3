/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading a whole (small) file, with errors that name it. */
#include "domcfg_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *domcfg_read_file(const char *path, size_t max, size_t *len, struct domcfg_diags *diags)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, used = 0;
    char *buf = malloc(cap);
    bool nomem = buf == NULL;
    while (!nomem) {
        if (used + 1 >= cap) {
            if (cap > max + 1)
                break;
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                nomem = true;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t n = fread(buf + used, 1, cap - used - 1, f);
        used += n;
        if (n == 0)
            break;
    }
    int read_error = ferror(f);
    fclose(f);
    if (nomem || read_error || used > max) {
        if (read_error)
            domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot read: %s", path, strerror(EIO));
        else if (!nomem)
            domcfg_diag_add(diags, DOMCFG_ERROR, "%s: larger than %zu bytes: not a domain", path,
                            max);
        else
            domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", path);
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    *len = used;
    return buf;
}
